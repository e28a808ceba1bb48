"""`ventanilla mail pipe` with the LMTP intake running: the pipe hands the
message to the intake and answers the MTA with the intake's verdict, without
starting Django (the settings module given here does not even exist, so any
Django start-up would fail with 75). When the intake cannot be reached it
falls back to ingesting in-process, and nothing is lost."""

import subprocess

import pytest

from ventanilla.mail.lmtp import LMTPThread
from ventanilla.mail.models import InboundMessage
from ventanilla.tickets.models import Ticket

from .test_mail_lmtp import message
from .test_mail_pipe import EX_DATAERR, EX_TEMPFAIL, RUN, data_dir, environment, rows  # noqa: F401

NO_DJANGO = {"DJANGO_SETTINGS_MODULE": "no_such_settings_module"}


def pipe_to(where: dict, raw: bytes, mailbox: str = "soporte", **env) -> subprocess.CompletedProcess:
    environ = {**environment(env.pop("data_dir", "/nonexistent")), **where, **env}
    return subprocess.run([*RUN, "mail", "pipe", "--mailbox", mailbox], input=raw, env=environ,
                          capture_output=True, timeout=120)


@pytest.fixture(params=["unix", "tcp"])
def intake(request, tmp_path):
    where = {"socket_path": str(tmp_path / "lmtp.sock")} if request.param == "unix" else {"port": 0}
    with LMTPThread(**where) as running:
        yield ({"VENTANILLA_LMTP_SOCKET": running.socket_path} if running.socket_path
               else {"VENTANILLA_LMTP_PORT": str(running.port)})


@pytest.mark.django_db(transaction=True)
def test_the_pipe_hands_the_message_to_the_running_intake_without_starting_django(intake):
    done = pipe_to(intake, message(), **NO_DJANGO)
    assert done.returncode == 0, done.stderr.decode()
    ticket = Ticket.objects.get()
    assert (ticket.subject, ticket.department.slug) == ("No me llegan los correos", "soporte")
    # The same message again: a redelivery, kept (0) and stored once.
    raw = InboundMessage.objects.get().raw.read()
    assert pipe_to(intake, raw, **NO_DJANGO).returncode == 0
    assert InboundMessage.objects.get().deliveries == 2


@pytest.mark.django_db(transaction=True)
def test_the_intakes_refusals_become_the_pipes_exit_statuses(intake):
    unknown = pipe_to(intake, message(), mailbox="no-existe", **NO_DJANGO)
    assert unknown.returncode == EX_TEMPFAIL  # a configuration error waits in the queue
    assert b"550" in unknown.stderr
    empty = pipe_to(intake, b"\r\n", **NO_DJANGO)
    assert empty.returncode == EX_DATAERR  # can never be stored: the MTA bounces it
    assert InboundMessage.objects.count() == 0


@pytest.mark.django_db(transaction=False)
def test_with_the_intake_down_the_pipe_ingests_in_process(data_dir, tmp_path):  # noqa: F811
    where = {"VENTANILLA_LMTP_SOCKET": str(tmp_path / "nobody-listens.sock")}
    done = pipe_to(where, message(subject="Intake parado"), data_dir=data_dir)
    assert done.returncode == 0, done.stderr.decode()
    assert ("Intake parado",) in rows(data_dir, "SELECT subject FROM tickets_ticket")

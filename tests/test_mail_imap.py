"""IMAP polling against a real dovecot (tests/dovecot.py): messages become
tickets and are marked seen or moved only after their transaction
committed; a database outage leaves them unseen for an exactly-once
re-ingest; a broken mailbox never holds up the others."""

import email
from datetime import timedelta
from email.message import EmailMessage
from email.utils import make_msgid

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import OperationalError
from django.utils import timezone

from ventanilla.mail import imap, ingest, jobs
from ventanilla.mail.ingest import IngestResult
from ventanilla.mail.models import InboundMessage, Mailbox
from ventanilla.tickets.models import Channel, Ticket

pytest_plugins = ["tests.dovecot"]  # the dovecot, dovecot_tls and closed_port fixtures


def make_raw(subject, *, sender="Alicia Pérez <alice@example.com>", to="soporte@example.com",
             body="Hola, desde ayer no puedo enviar correos desde Outlook.\n", message_id=None,
             extra_headers=()) -> bytes:
    message = EmailMessage()
    message["From"] = sender
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="example.com")
    message["Date"] = email.utils.format_datetime(timezone.now())
    for name, value in extra_headers:
        message[name] = value
    message.set_content(body)
    return message.as_bytes()


@pytest.fixture
def soporte_mailbox(dovecot):
    mailbox = Mailbox.objects.get(name="soporte")
    for name, value in dovecot.mailbox_fields("soporte").items():
        setattr(mailbox, name, value)
    mailbox.save()
    return mailbox


class FakeIngest:
    """Stands in for ingest_raw where only the poller's behaviour is under
    test: dedups by Message-ID, quarantines messages with X-Test-Quarantine."""

    def __init__(self):
        self.calls: list[bytes] = []
        self.message_ids: set[str] = set()

    def __call__(self, raw: bytes, *, mailbox: Mailbox) -> IngestResult:
        self.calls.append(raw)
        parsed = email.message_from_bytes(raw)
        if parsed["Message-ID"] in self.message_ids:
            return IngestResult(inbound=None, duplicate=True, created_ticket=False)
        self.message_ids.add(parsed["Message-ID"])
        status = (InboundMessage.Status.QUARANTINED if parsed["X-Test-Quarantine"]
                  else InboundMessage.Status.STORED)
        inbound = InboundMessage(mailbox=mailbox, status=status, subject=parsed["Subject"])
        return IngestResult(inbound=inbound, duplicate=False,
                            created_ticket=status == InboundMessage.Status.STORED)

    @property
    def subjects(self) -> list[str]:
        return [email.message_from_bytes(raw)["Subject"] for raw in self.calls]


@pytest.fixture
def fake_ingest(monkeypatch):
    fake = FakeIngest()
    monkeypatch.setattr(ingest, "ingest_raw", fake)
    return fake


def email_tickets():
    return Ticket.objects.filter(channel=Channel.EMAIL).order_by("subject")


# With the real ingest_raw: tickets.

def test_messages_in_the_inbox_become_tickets_and_are_marked_seen(dovecot, soporte_mailbox, alice):
    dovecot.append(make_raw("No puedo enviar correos"))
    dovecot.append(make_raw("Mi sitio muestra error 500"))

    result = imap.mailbox_poll(soporte_mailbox)

    assert result.ok and result.done == 2 and result.new_tickets == 2
    assert [t.subject for t in email_tickets()] == ["Mi sitio muestra error 500", "No puedo enviar correos"]
    assert {t.department.slug for t in email_tickets()} == {"soporte"}
    assert InboundMessage.objects.filter(mailbox=soporte_mailbox).count() == 2
    assert dovecot.uids(seen=False) == []
    assert len(dovecot.uids(seen=True)) == 2
    soporte_mailbox.refresh_from_db()
    assert soporte_mailbox.last_polled_at is not None
    assert soporte_mailbox.last_error == ""
    assert soporte_mailbox.poll_lease_until is None


def test_with_a_processed_folder_messages_are_moved_there(dovecot, soporte_mailbox, alice):
    soporte_mailbox.processed_folder = "Procesados"
    soporte_mailbox.save()
    dovecot.append(make_raw("No puedo enviar correos"))

    result = imap.mailbox_poll(soporte_mailbox)

    assert result.ok and result.done == 1
    assert email_tickets().count() == 1
    assert dovecot.uids() == []
    assert dovecot.uids(folder="Procesados", seen=True) == ["1"]


def test_polling_again_does_not_duplicate(dovecot, soporte_mailbox, alice):
    dovecot.append(make_raw("No puedo enviar correos"))
    imap.mailbox_poll(soporte_mailbox)
    # As if the worker had died after the commit but before the \Seen flag.
    with dovecot.client() as client:
        client.flag(client.uids(), "\\Seen", False)

    second = imap.mailbox_poll(soporte_mailbox)
    third = imap.mailbox_poll(soporte_mailbox)

    assert second.done == 1 and second.duplicates == 1 and second.new_tickets == 0
    assert third.fetched == 0
    assert email_tickets().count() == 1
    assert InboundMessage.objects.count() == 1
    assert dovecot.uids(seen=False) == []


def test_a_database_outage_during_ingest_leaves_the_message_unseen_for_one_clean_reingest(
        dovecot, soporte_mailbox, alice, monkeypatch):
    dovecot.append(make_raw("No puedo enviar correos"))
    dovecot.append(make_raw("Mi sitio muestra error 500"))
    real_ingest = ingest.ingest_raw
    calls = []

    def database_down_once(raw, *, mailbox):
        calls.append(raw)
        if len(calls) == 1:
            raise OperationalError("could not connect to server: Connection refused")
        return real_ingest(raw, mailbox=mailbox)

    monkeypatch.setattr(ingest, "ingest_raw", database_down_once)

    first = imap.mailbox_poll(soporte_mailbox)

    assert "Base de datos no disponible" in first.error
    assert first.done == 0 and len(calls) == 1  # the poll stopped at the first message
    assert len(dovecot.uids(seen=False)) == 2
    assert email_tickets().count() == 0
    soporte_mailbox.refresh_from_db()
    assert "Base de datos no disponible" in soporte_mailbox.last_error
    assert soporte_mailbox.poll_lease_until is None

    second = imap.mailbox_poll(soporte_mailbox)

    assert second.ok and second.done == 2 and second.new_tickets == 2
    assert email_tickets().count() == 2
    assert InboundMessage.objects.count() == 2
    assert dovecot.uids(seen=False) == []
    soporte_mailbox.refresh_from_db()
    assert soporte_mailbox.last_error == ""


def test_a_quarantined_message_is_marked_seen_and_the_mailbox_continues(dovecot, soporte_mailbox, alice):
    no_sender = b"To: soporte@example.com\r\nSubject: Sin remitente\r\nMessage-ID: <roto@example.com>\r\n\r\n???\r\n"
    dovecot.append(no_sender)
    dovecot.append(make_raw("No puedo enviar correos"))

    result = imap.mailbox_poll(soporte_mailbox)

    assert result.ok and result.done == 2 and result.quarantined == 1 and result.new_tickets == 1
    quarantined = InboundMessage.objects.get(status=InboundMessage.Status.QUARANTINED)
    assert quarantined.ticket is None and quarantined.raw.read() == no_sender
    assert [t.subject for t in email_tickets()] == ["No puedo enviar correos"]
    assert dovecot.uids(seen=False) == []


# The poller's own behaviour (ingest replaced where it does not matter).

def test_a_message_that_makes_ingest_fail_stays_unseen_without_stopping_the_others(
        dovecot, soporte_mailbox, fake_ingest, monkeypatch):
    dovecot.append(make_raw("Provoca un fallo"))
    dovecot.append(make_raw("No puedo enviar correos"))

    def buggy(raw, *, mailbox):
        if b"Provoca un fallo" in raw:
            raise ValueError("a bug in one message's handling")
        return fake_ingest(raw, mailbox=mailbox)

    monkeypatch.setattr(ingest, "ingest_raw", buggy)

    result = imap.mailbox_poll(soporte_mailbox)

    assert result.done == 1 and result.failed == 1
    assert fake_ingest.subjects == ["No puedo enviar correos"]
    assert dovecot.uids(seen=False) == ["1"]


def test_a_mailbox_whose_server_is_down_records_the_error_and_does_not_stop_the_others(
        dovecot, closed_port, fake_ingest, soporte, facturacion):
    Mailbox.objects.filter(name="soporte").update(
        imap_host="127.0.0.1", imap_port=closed_port, imap_security="none",
        imap_username="soporte", imap_password="clave")
    Mailbox.objects.filter(name="facturacion").update(**dovecot.mailbox_fields("facturacion"))
    dovecot.append(make_raw("Factura duplicada", to="facturacion@example.com"), user="facturacion")

    polled = jobs.mail_poll_dispatch_now()

    assert set(polled) == set(Mailbox.objects.filter(name__in=["soporte", "facturacion"])
                              .values_list("pk", flat=True))
    down = Mailbox.objects.get(name="soporte")
    assert "No se pudo revisar el buzón" in down.last_error
    assert "rechazada" in down.last_error
    assert down.last_polled_at is not None and down.poll_lease_until is None
    assert Mailbox.objects.get(name="facturacion").last_error == ""
    assert fake_ingest.subjects == ["Factura duplicada"]
    assert dovecot.uids(user="facturacion", seen=False) == []


def test_a_wrong_password_records_the_error(dovecot, soporte_mailbox, fake_ingest):
    soporte_mailbox.imap_password = "incorrecta"
    soporte_mailbox.save()

    result = imap.mailbox_poll(soporte_mailbox)

    assert "No se pudo revisar el buzón" in result.error
    assert "No se pudo revisar el buzón" in Mailbox.objects.get(pk=soporte_mailbox.pk).last_error


def test_a_mailbox_being_polled_elsewhere_is_skipped(dovecot, soporte_mailbox, fake_ingest):
    dovecot.append(make_raw("No puedo enviar correos"))
    held_until = timezone.now() + timedelta(minutes=5)
    Mailbox.objects.filter(pk=soporte_mailbox.pk).update(poll_lease_until=held_until)

    result = imap.mailbox_poll(soporte_mailbox)

    assert result.skipped and fake_ingest.calls == []
    assert dovecot.uids(seen=False) == ["1"]
    assert Mailbox.objects.get(pk=soporte_mailbox.pk).poll_lease_until == held_until


def test_a_lease_left_by_a_dead_worker_expires(dovecot, soporte_mailbox, fake_ingest):
    dovecot.append(make_raw("No puedo enviar correos"))
    Mailbox.objects.filter(pk=soporte_mailbox.pk).update(
        poll_lease_until=timezone.now() - timedelta(seconds=1))

    result = imap.mailbox_poll(soporte_mailbox)

    assert result.ok and result.done == 1


def test_polls_ingest_at_most_the_limit_and_leave_the_rest_for_the_next(
        dovecot, soporte_mailbox, fake_ingest, settings, monkeypatch):
    monkeypatch.setattr(imap, "FETCH_BATCH", 2)
    settings.VENTANILLA_IMAP_MAX_PER_POLL = 3
    for n in range(5):
        dovecot.append(make_raw(f"Mensaje {n}"))

    first = imap.mailbox_poll(soporte_mailbox)
    second = imap.mailbox_poll(soporte_mailbox)

    assert (first.done, second.done) == (3, 2)
    assert fake_ingest.subjects == [f"Mensaje {n}" for n in range(5)]
    assert dovecot.uids(seen=False) == []


def test_the_dispatcher_only_enqueues_active_imap_mailboxes_whose_interval_elapsed(
        soporte, monkeypatch):
    polled = []
    monkeypatch.setattr(jobs, "mailbox_poll", lambda mailbox: polled.append(mailbox.name) or imap.PollResult())
    now = timezone.now()
    imap_fields = {"department": soporte, "imap_host": "imap.example.com", "poll_every_seconds": 120}
    Mailbox.objects.create(name="nunca", address="nunca@example.com", **imap_fields)
    Mailbox.objects.create(name="vencido", address="vencido@example.com",
                           last_polled_at=now - timedelta(seconds=125), **imap_fields)
    Mailbox.objects.create(name="casi", address="casi@example.com",  # within half a dispatch period
                           last_polled_at=now - timedelta(seconds=115), **imap_fields)
    Mailbox.objects.create(name="reciente", address="reciente@example.com",
                           last_polled_at=now - timedelta(seconds=60), **imap_fields)
    Mailbox.objects.create(name="inactivo", address="inactivo@example.com", is_active=False, **imap_fields)
    Mailbox.objects.create(name="ocupado", address="ocupado@example.com",
                           poll_lease_until=now + timedelta(minutes=1), **imap_fields)
    # soporte, facturacion and abuse (the defaults) have no IMAP host: pipe only.

    jobs.mail_poll_dispatch()

    assert sorted(polled) == ["casi", "nunca", "vencido"]


def test_the_poll_job_ignores_a_mailbox_deactivated_since_it_was_enqueued(soporte, monkeypatch):
    monkeypatch.setattr(jobs, "mailbox_poll", lambda mailbox: pytest.fail("polled"))
    mailbox = Mailbox.objects.create(name="viejo", address="viejo@example.com", department=soporte,
                                     imap_host="imap.example.com", is_active=False)

    jobs.mail_poll_mailbox(mailbox.pk)


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_imaps_and_starttls_connect_verifying_the_certificate(dovecot_tls, soporte, fake_ingest,
                                                             security):
    dovecot_tls.append(make_raw("No puedo enviar correos"))
    mailbox = Mailbox.objects.get(name="soporte")
    mailbox.imap_host, mailbox.imap_security = "127.0.0.1", security
    mailbox.imap_port = dovecot_tls.imaps_port if security == "ssl" else dovecot_tls.port
    mailbox.imap_username = dovecot_tls.logins["soporte"]
    mailbox.imap_password = dovecot_tls.passwords["soporte"]
    mailbox.save()

    result = imap.mailbox_poll(mailbox)

    assert result.ok and result.done == 1


@pytest.mark.parametrize("security", ["ssl", "starttls"])
def test_an_untrusted_certificate_is_refused(dovecot_tls, soporte, fake_ingest, settings, security):
    settings.VENTANILLA_IMAP_CA_FILE = ""  # the system's CAs do not know our self-signed one
    dovecot_tls.append(make_raw("No puedo enviar correos"))
    mailbox = Mailbox.objects.get(name="soporte")
    mailbox.imap_host, mailbox.imap_security = "127.0.0.1", security
    mailbox.imap_port = dovecot_tls.imaps_port if security == "ssl" else dovecot_tls.port
    mailbox.imap_username = dovecot_tls.logins["soporte"]
    mailbox.imap_password = dovecot_tls.passwords["soporte"]
    mailbox.save()

    result = imap.mailbox_poll(mailbox)

    assert "certificate verify failed" in result.error
    assert fake_ingest.calls == []


def test_plain_imap_is_refused_for_a_remote_server(soporte, fake_ingest):
    mailbox = Mailbox.objects.get(name="soporte")
    mailbox.imap_host, mailbox.imap_security = "imap.example.com", "none"
    mailbox.save()

    result = imap.mailbox_poll(mailbox)

    assert "Sin cifrado solo se permite con un servidor local" in result.error


def test_the_command_polls_a_mailbox_by_hand(dovecot, soporte_mailbox, fake_ingest, capsys):
    dovecot.append(make_raw("No puedo enviar correos"))

    call_command("mail_imap_poll", "--mailbox", "soporte")

    assert "soporte: 1 fetched, 1 done, 1 new tickets" in capsys.readouterr().out
    with pytest.raises(CommandError):
        call_command("mail_imap_poll", "--mailbox", "abuse")  # pipe only


def test_the_minute_tick_dispatches_now_and_schedules_three_more_dispatches(monkeypatch):
    from huey.contrib.djhuey import HUEY

    dispatched = []
    monkeypatch.setattr(jobs, "mail_poll_dispatch_now", lambda: dispatched.append(1))
    HUEY.storage.flush_schedule()

    jobs.mail_poll_tick()

    assert dispatched == [1]
    scheduled = HUEY.scheduled()
    assert sorted(task.name for task in scheduled) == ["mail_poll_dispatch"] * 3
    assert all(task.eta > timezone.now().replace(tzinfo=None) for task in scheduled)
    HUEY.storage.flush_schedule()


def test_the_imap_benchmark_helper_ingests_messages_delivered_to_the_maildir(dovecot_server, alice):
    from bench.mail_imap import imap_ingest_throughput

    # Distinct senders: the per-sender rate limit would quarantine a flood from one.
    raws = [make_raw(f"Mensaje {n}", sender=f"cliente{n}@example.net") for n in range(30)]

    report = imap_ingest_throughput(raws, server=dovecot_server)

    assert report["messages"] == 30 and report["per_second"] > 0
    assert email_tickets().count() == 30


def test_an_unexpected_failure_is_recorded_on_the_mailbox(dovecot, soporte_mailbox, monkeypatch):
    def broken(client, *args, **kwargs):
        raise KeyError("unexpected")

    monkeypatch.setattr(imap, "_ingest_unseen", broken)

    result = imap.mailbox_poll(soporte_mailbox)

    assert "Error inesperado" in result.error
    soporte_mailbox.refresh_from_db()
    assert "Error inesperado" in soporte_mailbox.last_error and soporte_mailbox.poll_lease_until is None

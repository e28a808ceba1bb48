"""`ventanilla mail pipe --mailbox NAME` as an MTA runs it: a real process
reading one message on stdin, on its own migrated SQLite data directory.
Exit 0 means "kept" (the MTA may forget the message); anything else makes
the MTA keep it and retry."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "mail_corpus"
RUN = [sys.executable, "-m", "ventanilla"]
EX_TEMPFAIL = 75


def environment(data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE"}}
    env.update(VENTANILLA_DATA_DIR=str(data_dir), DJANGO_SETTINGS_MODULE="ventanilla.settings")
    return env


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipe") / "data"
    subprocess.run([*RUN, "migrate", "-v0"], env=environment(path), check=True, timeout=180)
    return path


def pipe(data_dir: Path, message: bytes, mailbox: str = "soporte") -> subprocess.CompletedProcess:
    return subprocess.run([*RUN, "mail", "pipe", "--mailbox", mailbox], input=message,
                          env=environment(data_dir), capture_output=True, timeout=120)


def rows(data_dir: Path, sql: str) -> list[tuple]:
    with sqlite3.connect(data_dir / "ventanilla.sqlite3") as db:
        return db.execute(sql).fetchall()


@pytest.mark.django_db(transaction=False)
def test_a_piped_message_is_stored_as_a_ticket_and_exits_zero(data_dir):
    done = pipe(data_dir, (CORPUS / "html_only.eml").read_bytes())
    assert done.returncode == 0, done.stderr.decode()
    assert rows(data_dir, "SELECT subject, channel FROM tickets_ticket") == [
        ("¿Cómo instalo un certificado SSL?", "email")]
    assert rows(data_dir, "SELECT status, sender FROM mail_inboundmessage") == [
        ("guardado", "mariana@cliente-nuevo.mx")]


@pytest.mark.django_db(transaction=False)
def test_duplicates_and_quarantined_messages_are_kept_too_and_exit_zero(data_dir):
    for name in ["encoded_word_subject.eml", "encoded_word_subject.eml", "seventy_attachments.eml"]:
        done = pipe(data_dir, (CORPUS / name).read_bytes())
        assert done.returncode == 0, (name, done.stderr.decode())
    statuses = dict(rows(data_dir, "SELECT message_id, status FROM mail_inboundmessage"))
    assert statuses["<encoded-word-0006@correo.example>"] == "guardado"
    assert statuses["<seventy-0024@roberto.com>"] == "cuarentena"
    assert rows(data_dir, "SELECT COUNT(*) FROM mail_inboundmessage WHERE message_id = "
                          "'<encoded-word-0006@correo.example>'") == [(1,)]


@pytest.mark.django_db(transaction=False)
def test_an_unknown_mailbox_exits_non_zero_with_a_message_so_the_mta_retries(data_dir):
    done = pipe(data_dir, (CORPUS / "gmail_reply_es.eml").read_bytes(), mailbox="ventas")
    assert done.returncode == EX_TEMPFAIL
    stderr = done.stderr.decode()
    assert "no existe el buzón «ventas»" in stderr and "there is no mailbox named 'ventas'" in stderr
    assert rows(data_dir, "SELECT COUNT(*) FROM mail_inboundmessage WHERE message_id = "
                          "'<CAJ-gmail-0012@mail.gmail.com>'") == [(0,)]


@pytest.mark.django_db(transaction=False)
def test_a_database_that_cannot_be_used_exits_non_zero(tmp_path):
    # A data directory nobody migrated: every query fails like a database that is down.
    done = pipe(tmp_path / "empty", (CORPUS / "html_only.eml").read_bytes())
    assert done.returncode == EX_TEMPFAIL
    assert "la base de datos no está disponible" in done.stderr.decode()
    assert "the database is unavailable" in done.stderr.decode()

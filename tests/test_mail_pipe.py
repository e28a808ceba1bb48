"""`ventanilla mail pipe --mailbox NAME` as an MTA runs it: a real process
reading one message on stdin, on its own migrated SQLite data directory.
Exit 0 means "kept" (the MTA may forget the message); 75 (EX_TEMPFAIL)
makes the MTA keep it and retry, for every failure that is not the
message's; 65 (EX_DATAERR) bounces what can never be stored (empty,
oversize)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

CORPUS = Path(__file__).parent / "mail_corpus"
RUN = [sys.executable, "-m", "ventanilla"]
EX_TEMPFAIL = 75
EX_DATAERR = 65


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


def pipe(data_dir: Path, message: bytes, mailbox: str = "soporte", *, run=RUN,
         **env) -> subprocess.CompletedProcess:
    return subprocess.run([*run, "mail", "pipe", "--mailbox", mailbox], input=message,
                          env={**environment(data_dir), **env}, capture_output=True, timeout=120)


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


# --- Every failure path's exit code -------------------------------------------

def stored(data_dir: Path, message_id: str) -> int:
    return rows(data_dir, "SELECT COUNT(*) FROM mail_inboundmessage WHERE message_id = "
                          f"'{message_id}'")[0][0]


@pytest.mark.django_db(transaction=False)
def test_an_unusable_attachment_directory_exits_75_and_a_retry_stores_it(data_dir, tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    message = (CORPUS / "multipart_alternative.eml").read_bytes()
    done = pipe(data_dir, message, VENTANILLA_MEDIA_DIR=str(blocker / "attachments"))
    assert done.returncode == EX_TEMPFAIL, done.stderr.decode()
    assert "no se pudo escribir el archivo" in done.stderr.decode()
    assert stored(data_dir, "<CAF3x9+alt-0001@mail.example.com>") == 0
    # The MTA retries once the storage is back: stored once.
    assert pipe(data_dir, message).returncode == 0
    assert stored(data_dir, "<CAF3x9+alt-0001@mail.example.com>") == 1


@pytest.mark.django_db(transaction=False)
def test_a_locked_database_exits_75(data_dir):
    """Another process holds SQLite's write lock past the busy timeout."""
    raw_copies = len(list(data_dir.glob("attachments/mail/**/*.eml")))
    holder = sqlite3.connect(data_dir / "ventanilla.sqlite3", isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        done = pipe(data_dir, (CORPUS / "outlook_reply_es.eml").read_bytes())
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert done.returncode == EX_TEMPFAIL, done.stderr.decode()
    assert "la base de datos no está disponible" in done.stderr.decode()
    assert "database is locked" in done.stderr.decode()
    assert stored(data_dir, "<DM6PR01MB-outlook-0011@mail.example.com>") == 0
    # The raw copy written before the transaction was removed with it.
    assert len(list(data_dir.glob("attachments/mail/**/*.eml"))) == raw_copies


@pytest.mark.django_db(transaction=False)
def test_an_unreachable_database_exits_75(data_dir):
    from .test_serve import free_port

    done = pipe(data_dir, (CORPUS / "html_only.eml").read_bytes(),
                DATABASE_URL=f"postgres://postgres@127.0.0.1:{free_port()}/nadie")
    assert done.returncode == EX_TEMPFAIL, done.stderr.decode()
    assert "No se guardó el mensaje" in done.stderr.decode()


@pytest.mark.django_db(transaction=False)
def test_an_unexpected_error_inside_ingest_exits_75(data_dir):
    boom = ("import os, sys, django; os.environ.setdefault('DJANGO_SETTINGS_MODULE', "
            "'ventanilla.settings'); django.setup(); from ventanilla.mail import ingest\n"
            "def boom(*a, **k): raise RuntimeError('fallo imprevisto')\n"
            "ingest._already_stored = boom\n"
            "from ventanilla.cli import main; main()")
    done = pipe(data_dir, (CORPUS / "html_only.eml").read_bytes(),
                run=[sys.executable, "-c", boom])
    assert done.returncode == EX_TEMPFAIL, done.stderr.decode()
    assert "error inesperado (RuntimeError: fallo imprevisto)" in done.stderr.decode()


@pytest.mark.django_db(transaction=False)
def test_settings_that_cannot_load_exit_75(tmp_path):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("")
    done = pipe(blocker / "data", (CORPUS / "html_only.eml").read_bytes())
    assert done.returncode == EX_TEMPFAIL, done.stderr.decode()
    assert "No se guardó el mensaje" in done.stderr.decode()


@pytest.mark.django_db(transaction=False)
def test_empty_input_exits_65(data_dir):
    for empty in [b"", b"\r\n  \n"]:
        done = pipe(data_dir, empty)
        assert done.returncode == EX_DATAERR, done.stderr.decode()
        assert "la entrada está vacía" in done.stderr.decode()


@pytest.mark.django_db(transaction=False)
def test_a_message_over_the_pipe_limit_exits_65_and_one_under_it_is_kept(data_dir):
    head = b"From: grande@example.com\r\nTo: soporte@example.com\r\nSubject: Grande\r\n"
    limit = 2 * 1024 * 1024  # VENTANILLA_MAX_MESSAGE_MB=1, twice over
    body = b"x" * 76 + b"\r\n"
    over = head + b"Message-ID: <grande-1@example.com>\r\n\r\n" + body * (limit // len(body) + 1)
    done = pipe(data_dir, over, VENTANILLA_MAX_MESSAGE_MB="1")
    assert done.returncode == EX_DATAERR, done.stderr.decode()
    assert "supera el máximo de 2 MB" in done.stderr.decode()
    assert stored(data_dir, "<grande-1@example.com>") == 0
    under = head + b"Message-ID: <grande-2@example.com>\r\n\r\n" + body * 1000
    assert pipe(data_dir, under, VENTANILLA_MAX_MESSAGE_MB="1").returncode == 0
    assert stored(data_dir, "<grande-2@example.com>") == 1

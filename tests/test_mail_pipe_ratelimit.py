"""The sender rate limit holds through `ventanilla mail pipe` (issue 21, item
10): every delivery is a process of its own, on the embedded default (no
Redis), so the count must live in the shared cache (SqliteCache in the data
directory), not in one process's memory. Real processes, as an MTA runs
them; kept to four deliveries (each process starts Django)."""

import subprocess

import pytest

from .test_mail_pipe import RUN, environment, pipe, rows

RATE = "3/m"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("pipe-rate") / "data"
    subprocess.run([*RUN, "migrate", "-v0"], env=environment(path), check=True, timeout=180)
    return path


def flood_message(number: int) -> bytes:
    return (
        "From: Inundador <inundador@flood.example>\nTo: soporte@example.com\n"
        f"Subject: Mensaje {number}\nMessage-ID: <flood-{number}@flood.example>\n"
        "Date: Mon, 24 Nov 2025 10:00:00 -0600\nContent-Type: text/plain; charset=utf-8\n\n"
        f"Mensaje número {number}.\n"
    ).encode()


@pytest.mark.django_db(transaction=False)
def test_the_sender_rate_limit_holds_across_pipe_processes(data_dir):
    for number in range(4):
        done = pipe(data_dir, flood_message(number), VENTANILLA_MAIL_SENDER_RATE=RATE)
        assert done.returncode == 0, done.stderr.decode()
    outcome = rows(data_dir, "SELECT message_id, status, reason FROM mail_inboundmessage ORDER BY id")
    assert outcome == [
        ("<flood-0@flood.example>", "guardado", ""),
        ("<flood-1@flood.example>", "guardado", ""),
        ("<flood-2@flood.example>", "guardado", ""),
        ("<flood-3@flood.example>", "cuarentena", "Demasiados mensajes de este remitente en poco tiempo."),
    ]
    assert rows(data_dir, "SELECT COUNT(*) FROM tickets_ticket") == [(3,)]

"""The fast path of `ventanilla mail pipe`: when the LMTP intake is running
(`ventanilla mail lmtp`, or `ventanilla serve` with VENTANILLA_LMTP_SOCKET or
VENTANILLA_LMTP_PORT), the pipe hands the message to it instead of starting
Django for one message (about a second of CPU per delivery).

Standard library only, and imported before Django: cli.py calls forward()
first and falls back to the in-process pipe when the intake cannot be
reached, so a stopped intake costs time, never a message.

The mailbox travels as a bare LMTP recipient (`RCPT TO:<soporte>`, as
Dovecot's LMTP takes user names); the intake's answer becomes the pipe's
exit status, with the meaning mail.py's docstring gives each status."""

import os
import smtplib
import sys

EX_OK = 0
EX_DATAERR = 65
EX_TEMPFAIL = 75
TIMEOUT = 300  # seconds for one delivery, a large message on a busy server included


def intake_address(environ=os.environ) -> tuple[str, int] | str | None:
    """Where the LMTP intake listens, from the same variables its settings
    read: a socket path, (host, port), or None when none is configured."""
    path = environ.get("VENTANILLA_LMTP_SOCKET", "").strip()
    if path:
        return os.path.abspath(path)  # smtplib takes only "/…" for a socket
    try:
        port = int(environ.get("VENTANILLA_LMTP_PORT", "") or 0)
    except ValueError:
        return None
    if port:
        return environ.get("VENTANILLA_LMTP_HOST", "").strip() or "127.0.0.1", port
    return None


def exit_status(code: int) -> int:
    """An LMTP reply code as the pipe's exit status: 2xx kept; 552 (too
    large) and 554 (empty) can never be stored; anything else, an unknown
    mailbox included (a configuration error), waits in the MTA's queue."""
    if 200 <= code < 300:
        return EX_OK
    if code in (552, 554):
        return EX_DATAERR
    return EX_TEMPFAIL


def forward(raw: bytes, mailbox: str, where, *, timeout: float = TIMEOUT) -> int | None:
    """Deliver `raw` to `mailbox` through the intake at `where`; the exit
    status, or None when the intake cannot be reached (the caller then
    ingests in-process). Once the intake has the message, its answer is
    final: a 4xx is a retry for the MTA, never a second, in-process try."""
    try:
        # smtplib's LMTP takes a path beginning with "/" as a Unix socket.
        client = (smtplib.LMTP(where, timeout=timeout) if isinstance(where, str)
                  else smtplib.LMTP(where[0], where[1], timeout=timeout))
    except OSError:
        return None
    try:
        client.ehlo_or_helo_if_needed()
        code, reply = client.mail("<>")
        if code == 250:
            code, reply = client.rcpt(f"<{mailbox}>")
        if code == 250:
            code, reply = client.data(raw)
        _report(code, reply)
        return exit_status(code)
    except (smtplib.SMTPException, OSError) as error:
        # Cut off mid-delivery: the intake may or may not have it; the retry
        # is stored once either way (ingest's dedup key).
        print(f"No se pudo entregar el mensaje al servicio LMTP: {error} / "
              "LMTP delivery interrupted.", file=sys.stderr)
        return EX_TEMPFAIL
    finally:
        try:
            client.quit()
        except (smtplib.SMTPException, OSError):
            client.close()


def _report(code: int, reply: bytes) -> None:
    if not 200 <= code < 300:
        print(f"{code} {reply.decode('utf-8', 'replace')}", file=sys.stderr)

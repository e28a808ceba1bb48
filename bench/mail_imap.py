"""IMAP ingest throughput, for `make bench` (not wired in yet): a throwaway
dovecot (tests/dovecot.py) is filled straight through its maildir, then one
mailbox is polled until empty through the real poller and ingest_raw. Runs
inside a configured Django process (the database it writes to is the
caller's)."""

import time

from ventanilla.mail.imap import mailbox_poll
from ventanilla.mail.models import Mailbox


def imap_ingest_throughput(raws: list[bytes], *, mailbox_name: str = "soporte", server=None) -> dict:
    """Poll `raws` through IMAP into `mailbox_name`; returns messages, seconds
    and messages per second. `server`: a running tests.dovecot.Dovecot (one
    is started and stopped otherwise)."""
    from tests import dovecot

    process = None
    if server is None:
        server, process = dovecot.start(tls=False)
    try:
        account = server.with_fresh_accounts()
        account.deliver(raws)
        mailbox = Mailbox.objects.get(name=mailbox_name)
        for name, value in account.mailbox_fields("soporte", processed_folder="").items():
            setattr(mailbox, name, value)
        mailbox.save()
        done = 0
        started = time.perf_counter()
        while True:
            result = mailbox_poll(mailbox, limit=len(raws))
            if result.error:
                raise RuntimeError(result.error)
            done += result.done
            if result.fetched == 0:
                break
        seconds = time.perf_counter() - started
    finally:
        if process is not None:
            dovecot.stop(server, process)
    return {"messages": done, "seconds": round(seconds, 3),
            "per_second": round(done / seconds, 1) if seconds else None}

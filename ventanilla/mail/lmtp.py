"""`ventanilla mail lmtp`: a long-running LMTP server (RFC 2033) that
Postfix or Exim deliver to, instead of starting `ventanilla mail pipe` (and
Django) once per message.

The recipient address chooses the mailbox: `RCPT TO:<soporte@example.com>`
delivers to the Mailbox whose address that is (case-insensitive; a
`+tag` after the local part is ignored when no mailbox has the full
address). An unknown address is refused at RCPT with 550 5.1.1. After DATA,
LMTP answers once per accepted recipient, in order (ventanilla/mail/
delivery.py decides, the same rule as the pipe's exit status):

- 250 2.0.0: stored (a ticket message, quarantined, ignored or a duplicate);
- 451 4.3.0: not stored for a reason that is not the message's (database
  locked or down, attachment storage unusable, an unexpected error): the MTA
  keeps the message and retries, and the retry stores it once;
- 552 5.3.4: larger than twice VENTANILLA_MAX_MESSAGE_MB (also announced in
  LHLO as SIZE, so a well-behaved MTA bounces it before sending);
- 554 5.6.0: can never be stored (empty).

Ingest is synchronous Django ORM: every database call runs on a small
thread pool, each thread with its own connection (checked with
close_old_connections around every message), so the event loop only moves
bytes and a slow ingest never stalls another connection.

For code that embeds the server (tests, `make bench`):

    intake = await start_lmtp(port=0)         # in a running event loop
    ... intake.port ...
    await intake.close()

or, from synchronous code, a server on its own thread:

    with LMTPThread(socket_path="/tmp/v.sock") as intake:   # or port=0
        smtplib.LMTP(intake.socket_path) ...
"""

import asyncio
import contextlib
import logging
import multiprocessing
import os
import signal
import socket
import stat
import threading
from concurrent.futures import ThreadPoolExecutor

from aiosmtpd.lmtp import LMTP
from aiosmtpd.smtp import Envelope
from django.db import close_old_connections, connections

from .delivery import DATABASE_ERRORS, Outcome, deliver, max_message_bytes
from .models import Mailbox

logger = logging.getLogger(__name__)

# Ingest threads. SQLite takes one writer at a time anyway; a few threads
# let parsing and DKIM lookups of one message overlap another's write.
INGEST_THREADS = 4
# Seconds a stopping server waits for deliveries in progress.
STOP_GRACE_SECONDS = 30
# Unix socket mode: the MTA's user reaches it through the group (docs/deploy.md).
SOCKET_MODE = 0o660

RETRY_LATER = "451 4.3.0 Message not stored: temporary failure, try again later"


class IntakeEnvelope(Envelope):
    def __init__(self) -> None:
        super().__init__()
        self.mailboxes: list[Mailbox] = []  # one per accepted RCPT, in order


class IntakeLMTP(LMTP):
    """aiosmtpd's LMTP, answering once per recipient even when the DATA
    itself is refused: aiosmtpd answers an oversize message once, which
    leaves an LMTP client waiting for the other recipients' replies."""

    def __init__(self, handler, *, data_size_limit: int, **kwargs):
        # A line of any length up to the size limit: the pipe accepts one,
        # and Exim does not wrap long lines (aiosmtpd's default: 1001 bytes).
        self.line_length_limit = data_size_limit
        super().__init__(handler, data_size_limit=data_size_limit, **kwargs)

    def _create_envelope(self) -> IntakeEnvelope:
        return IntakeEnvelope()

    async def push(self, status):
        if isinstance(status, str) and status.startswith(
                ("552 Error: Too much mail data", "500 Line too long")):
            recipients = len(self.envelope.rcpt_tos) if self.envelope else 1
            status = "\r\n".join([too_large_reply()] * max(recipients, 1))
        await super().push(status)


def too_large_reply() -> str:
    return f"552 5.3.4 Message too big: larger than {max_message_bytes() // (1024 * 1024)} MB"


class IntakeHandler:
    """aiosmtpd hooks: RCPT picks the mailbox, DATA ingests for each one."""

    def __init__(self, executor: ThreadPoolExecutor):
        self.executor = executor
        self.in_progress: set[asyncio.Future] = set()

    async def in_thread(self, function, *args):
        future = asyncio.get_running_loop().run_in_executor(
            self.executor, with_fresh_connection, function, *args)
        self.in_progress.add(future)
        try:
            return await future
        finally:
            self.in_progress.discard(future)

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        try:
            mailbox = await self.in_thread(mailbox_for, address)
        except DATABASE_ERRORS as error:
            logger.warning("LMTP RCPT %s: database unavailable (%s)", address, error)
            return RETRY_LATER
        except Exception:
            logger.exception("LMTP RCPT %s: mailbox lookup failed", address)
            return RETRY_LATER  # not the sender's fault: the MTA tries again
        if mailbox is None:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        envelope.rcpt_options.extend(rcpt_options)
        envelope.mailboxes.append(mailbox)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = bytes(envelope.original_content or b"")
        by_mailbox: dict[int, str] = {}
        replies = []
        for mailbox in envelope.mailboxes:
            if mailbox.pk not in by_mailbox:
                try:
                    by_mailbox[mailbox.pk] = await self.in_thread(deliver_and_reply, raw, mailbox)
                except Exception:
                    logger.exception("LMTP: message not stored")
                    by_mailbox[mailbox.pk] = RETRY_LATER
            replies.append(by_mailbox[mailbox.pk])
        return "\r\n".join(replies)


def with_fresh_connection(function, *args):
    # A connection the database closed meanwhile (a restart, CONN_MAX_AGE)
    # is replaced instead of failing this message.
    close_old_connections()
    try:
        return function(*args)
    finally:
        close_old_connections()


def mailbox_for(address: str) -> Mailbox | None:
    """The mailbox a recipient address delivers to, or None. A bare name
    (`soporte`, as `ventanilla mail pipe --mailbox soporte` sends it) is the
    mailbox of that name."""
    if "@" not in address:
        return Mailbox.objects.select_related("department").filter(name=address).first()
    candidates = [address]
    local, at, domain = address.rpartition("@")
    if at and "+" in local:
        candidates.append(f"{local.split('+', 1)[0]}@{domain}")
    for candidate in candidates:
        mailbox = (Mailbox.objects.select_related("department")
                   .filter(address__iexact=candidate).first())
        if mailbox is not None:
            return mailbox
    return None


def deliver_and_reply(raw: bytes, mailbox: Mailbox) -> str:
    """Ingest for one mailbox; the LMTP reply for it (ASCII, one line)."""
    delivery = deliver(raw, mailbox=mailbox)
    if delivery.outcome is Outcome.KEPT:
        inbound = delivery.result.inbound
        if inbound is None:
            return "250 2.0.0 Already stored (duplicate)"
        ticket = f" ticket {inbound.ticket.number}" if inbound.ticket_id else ""
        return f"250 2.0.0 Stored as {inbound.status}{ticket} ({mailbox.name})"
    logger.warning("LMTP delivery to %s: %s", mailbox.name, delivery.spanish)
    if delivery.outcome is Outcome.RETRY:
        return f"451 4.3.0 {delivery.english} Try again later."
    if len(raw) > max_message_bytes():
        return too_large_reply()
    return f"554 5.6.0 {delivery.english}"


class LMTPIntake:
    """A listening LMTP server (see start_lmtp). `socket_path` or `host` and
    `port` (the port really bound, when 0 was asked) say where."""

    def __init__(self, server: asyncio.AbstractServer, handler: IntakeHandler,
                 executor: ThreadPoolExecutor, *, socket_path: str | None, host: str | None,
                 port: int | None):
        self.server, self.handler, self.executor = server, handler, executor
        self.socket_path, self.host, self.port = socket_path, host, port
        self.connections: set[IntakeLMTP] = set()
        self.owns_socket = True

    async def close(self, grace: float = STOP_GRACE_SECONDS) -> None:
        """Stop accepting, let the deliveries in progress finish (up to
        `grace` seconds), then drop the connections. A client cut off
        before its reply retries, and the retry is recognised as the
        same message."""
        self.server.close()
        if self.handler.in_progress:
            await asyncio.wait(list(self.handler.in_progress), timeout=grace)
        for protocol in list(self.connections):
            if protocol.transport is not None:
                protocol.transport.close()
        await asyncio.sleep(0)
        await asyncio.get_running_loop().run_in_executor(None, self.executor.shutdown)
        if self.socket_path and self.owns_socket:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.socket_path)

    @property
    def address(self) -> str:
        return f"unix:{self.socket_path}" if self.socket_path else f"{self.host}:{self.port}"


async def start_lmtp(*, socket_path: str | None = None, host: str = "127.0.0.1",
                     port: int | None = None, sock: socket.socket | None = None,
                     threads: int = INGEST_THREADS) -> LMTPIntake:
    """Start an LMTP server in the running event loop, on the Unix socket
    `socket_path` (mode 660; a stale socket file is replaced) or on
    `host`:`port` (port 0: any free port, see the result's .port). Returns
    once it listens; `await intake.close()` stops it. `sock`: a socket
    already listening there (from listening_socket(), shared by several
    processes); its owner removes its file."""
    if bool(socket_path) == (port is not None):
        raise ValueError("start_lmtp needs socket_path or port, not both")
    owns_socket = sock is None
    if sock is None:
        sock = listening_socket(socket_path=socket_path, host=host, port=port)
    executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="lmtp-ingest")
    handler = IntakeHandler(executor)
    hostname = socket.gethostname()  # once: aiosmtpd would look up the FQDN per connection
    limit = max_message_bytes()
    intake: LMTPIntake | None = None

    def protocol() -> IntakeLMTP:
        server = IntakeLMTP(handler, data_size_limit=limit, hostname=hostname,
                            ident="Ventanilla LMTP", enable_SMTPUTF8=True)
        intake.connections.add(server)
        server.connection_lost = _forget(server.connection_lost, intake.connections, server)
        return server

    loop = asyncio.get_running_loop()
    if socket_path:
        server = await loop.create_unix_server(protocol, sock=sock)
        intake = LMTPIntake(server, handler, executor, socket_path=socket_path, host=None,
                            port=None)
    else:
        server = await loop.create_server(protocol, sock=sock)
        intake = LMTPIntake(server, handler, executor, socket_path=None, host=host,
                            port=sock.getsockname()[1])
    intake.owns_socket = owns_socket
    return intake


def listening_socket(*, socket_path: str | None = None, host: str = "127.0.0.1",
                     port: int | None = None) -> socket.socket:
    """The intake's listening socket: a Unix socket file (mode 660) or a TCP
    port. Bound once, before the processes that share it are started."""
    if socket_path:
        _remove_stale_socket(socket_path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(socket_path)
        os.chmod(socket_path, SOCKET_MODE)
    else:
        sock = socket.create_server((host, port))  # SO_REUSEADDR: a quick restart rebinds
    sock.listen(128)
    sock.setblocking(False)
    return sock


def _forget(connection_lost, connections: set, server):
    def forget(error):
        connections.discard(server)
        return connection_lost(error)
    return forget


def _remove_stale_socket(path: str) -> None:
    """A socket file left by a server that died is removed; one that a
    running server answers on is an error (two intakes on one socket)."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:
        return
    if not stat.S_ISSOCK(mode):
        raise OSError(f"{path} exists and is not a socket")
    probe = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        probe.connect(path)
    except (ConnectionRefusedError, FileNotFoundError):
        os.unlink(path)
    else:
        raise OSError(f"another server is listening on {path}")
    finally:
        probe.close()


def serve_lmtp(*, socket_path: str | None = None, host: str = "127.0.0.1",
               port: int | None = None, processes: int = 1) -> None:
    """Run the LMTP server until SIGTERM or SIGINT (`ventanilla mail lmtp`).
    One process ingests on about one core (the GIL): `processes` > 1 forks
    that many, all accepting on one socket, and replaces one that dies."""
    where = {"socket_path": socket_path, "host": host, "port": port}
    if processes <= 1:
        asyncio.run(_serve_until_signalled(announce=True, **where))
        return
    sock = listening_socket(**where)
    stop = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stop.set())
    connections.close_all()  # nothing of the parent's database connection in a child
    fork = multiprocessing.get_context("fork")
    children = []
    try:
        print(f"Ventanilla LMTP en {_address(**where, sock=sock)} ({processes} procesos)",
              flush=True)
        while not stop.is_set():
            children = [child for child in children if child.is_alive()]
            while len(children) < processes:
                child = fork.Process(target=_child, args=(sock, where), name="lmtp")
                child.start()
                children.append(child)
            stop.wait(1)
    finally:
        for child in children:
            child.terminate()  # SIGTERM: each finishes the deliveries in hand
        for child in children:
            child.join(timeout=STOP_GRACE_SECONDS + 10)
            if child.is_alive():
                child.kill()
        sock.close()
        if socket_path:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(socket_path)


def _child(sock: socket.socket, where: dict) -> None:
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, signal.SIG_DFL)  # until the event loop takes them
    asyncio.run(_serve_until_signalled(sock=sock, announce=False, **where))


def _address(*, socket_path, host, port, sock) -> str:
    return f"unix:{socket_path}" if socket_path else f"{host}:{sock.getsockname()[1]}"


async def _serve_until_signalled(*, announce: bool, **where) -> None:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    intake = await start_lmtp(**where)
    if announce:
        print(f"Ventanilla LMTP en {intake.address}", flush=True)
    await stop.wait()
    await intake.close()


class LMTPThread:
    """start_lmtp on an event loop of its own thread, for synchronous code
    (tests, benchmarks). `start()` returns the LMTPIntake once it listens;
    `stop()` closes it. Also a context manager."""

    def __init__(self, **where):
        self.where = where
        self.loop: asyncio.AbstractEventLoop | None = None
        self.intake: LMTPIntake | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> LMTPIntake:
        ready = threading.Event()
        failure: list[BaseException] = []

        def run() -> None:
            self.loop = asyncio.new_event_loop()
            try:
                self.intake = self.loop.run_until_complete(start_lmtp(**self.where))
            except BaseException as error:
                failure.append(error)
                ready.set()
                self.loop.close()
                return
            ready.set()
            self.loop.run_forever()
            self.loop.close()

        self._thread = threading.Thread(target=run, name="lmtp-server", daemon=True)
        self._thread.start()
        ready.wait()
        if failure:
            raise failure[0]
        return self.intake

    def stop(self) -> None:
        if self.loop is None or self.intake is None:
            return
        asyncio.run_coroutine_threadsafe(self.intake.close(), self.loop).result(
            timeout=STOP_GRACE_SECONDS + 10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> LMTPIntake:
        return self.start()

    def __exit__(self, *exc) -> None:
        self.stop()

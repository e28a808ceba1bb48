"""A throwaway Debian dovecot for the IMAP tests: its own config, passwd-file
users and maildirs in a temporary directory, listening on free loopback
ports, started with `dovecot -F` once per test session and stopped at its
end. Each test gets fresh accounts from a pool written to the passwd-file
at start (dovecot re-reads a changed file at most once a second, too late
for the next test), so no test sees another's messages.

`dovecot` serves plain IMAP (Mailbox.Security.NONE); `dovecot_tls` serves
STARTTLS and IMAPS with a self-signed certificate made by openssl, which
the client trusts through VENTANILLA_IMAP_CA_FILE (it still verifies it)."""

import getpass
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from pathlib import Path

import pytest
from imap_tools import AND, MailBoxUnencrypted

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
ACCOUNTS = ("soporte", "facturacion")  # the names tests use; real logins get a number
POOL_SIZE = 300  # fresh accounts per session


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Dovecot:
    root: Path
    port: int  # plain IMAP, STARTTLS offered when TLS is on
    imaps_port: int | None = None
    ca_file: str = ""
    host: str = "127.0.0.1"
    logins: dict = field(default_factory=dict)  # account -> login name
    passwords: dict = field(default_factory=dict)  # account -> password

    pool: Iterator[int] = field(default_factory=lambda: iter(range(POOL_SIZE)))

    def with_fresh_accounts(self) -> "Dovecot":
        """The same server, with new empty accounts under the usual names."""
        n = next(self.pool)
        return replace(self, logins={account: f"{account}-{n}" for account in ACCOUNTS},
                       passwords={account: _password(account, n) for account in ACCOUNTS})

    def client(self, user="soporte", folder="INBOX") -> MailBoxUnencrypted:
        """A test-side connection (the code under test makes its own)."""
        return MailBoxUnencrypted(self.host, self.port).login(
            self.logins[user], self.passwords[user], initial_folder=folder)

    def append(self, raw: bytes, *, user="soporte", folder="INBOX") -> None:
        with self.client(user) as imap:
            imap.append(raw, folder)

    def deliver(self, raws: list[bytes], *, user="soporte") -> None:
        """Drop messages straight into the account's maildir (new/), as a
        local delivery agent would: much faster than APPEND for thousands."""
        self.uids(user=user)  # the first login creates the maildir
        new = self.root / "mail" / self.logins[user] / "Maildir" / "new"
        uid, gid = _run_as()[2:]
        for n, raw in enumerate(raws):
            path = new / f"{time.time_ns()}.V{n}.ventanilla"
            path.write_bytes(raw)
            if os.geteuid() == 0:
                os.chown(path, uid, gid)

    def uids(self, *, user="soporte", folder="INBOX", seen: bool | None = None) -> list[str]:
        with self.client(user, folder) as imap:
            return imap.uids(AND(all=True) if seen is None else AND(seen=seen))

    def mailbox_fields(self, user="soporte", **extra) -> dict:
        """Mailbox model fields pointing at this server, plain IMAP."""
        return {"imap_host": self.host, "imap_port": self.port, "imap_security": "none",
                "imap_username": self.logins[user], "imap_password": self.passwords[user], **extra}


def _password(account: str, n: int) -> str:
    return f"clave-{account}-{n}"


def _run_as() -> tuple[str, str, int, int]:
    """(internal user, login user, mail uid, mail gid). Dovecot refuses to
    run its login processes or mail access as root: when we are root, use
    the users Debian's package created; otherwise everything runs as us."""
    if os.geteuid() != 0:
        me = getpass.getuser()
        return me, me, os.getuid(), os.getgid()
    mail = pwd.getpwnam("dovecot")
    return "dovecot", "dovenull", mail.pw_uid, mail.pw_gid


def _config(root: Path, *, port: int, imaps_port: int | None, cert: Path | None) -> str:
    internal, login, uid, gid = _run_as()
    if cert is None:
        ssl = "ssl = no"
        imaps = "inet_listener imaps {\n    port = 0\n  }"
    else:
        ssl = f"ssl = yes\nssl_cert = <{cert}\nssl_key = <{root / 'key.pem'}"
        imaps = f"inet_listener imaps {{\n    port = {imaps_port}\n    ssl = yes\n  }}"
    return f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
{ssl}
disable_plaintext_auth = no
auth_mechanisms = plain login
auth_failure_delay = 0
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = 1
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/users
}}
userdb {{
  driver = static
  args = uid={uid} gid={gid} home={root}/mail/%u
}}
mail_location = maildir:~/Maildir
# No growing delay for every login after the wrong-password test (anvil
# counts failures per IP); mode 0 is dovecot's documented way to turn it off.
service anvil {{
  unix_listener anvil-auth-penalty {{
    mode = 0
  }}
}}
service imap-login {{
  inet_listener imap {{
    port = {port}
  }}
  {imaps}
}}
"""


def _make_certificate(root: Path) -> Path:
    cert = root / "cert.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", str(root / "key.pem"), "-out", str(cert), "-days", "2",
         "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"],
        check=True, capture_output=True,
    )
    return cert


def _wait_for_port(process: subprocess.Popen, port: int, log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if process.poll() is not None:
            break
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.05)
    process.kill()
    text = log.read_text() if log.exists() else ""
    raise RuntimeError(f"dovecot did not start on port {port}:\n{process.stderr.read()}\n{text}")


def start(*, tls: bool) -> tuple[Dovecot, subprocess.Popen]:
    if not os.path.exists(DOVECOT):
        pytest.fail("Debian's dovecot is missing: run `make mail-deps` (scripts/ensure-dovecot)")
    # Not under pytest's tmp_path: dovecot's unprivileged processes must be
    # able to read the users file and write the maildirs.
    root = Path(tempfile.mkdtemp(prefix="ventanilla-dovecot-"))
    root.chmod(0o755)
    _, _, uid, gid = _run_as()
    (root / "mail").mkdir()
    if os.geteuid() == 0:
        os.chown(root / "mail", uid, gid)
    (root / "users").write_text("".join(
        f"{account}-{n}:{{PLAIN}}{_password(account, n)}::::::\n"
        for n in range(POOL_SIZE) for account in ACCOUNTS))
    server = Dovecot(root=root, port=free_port())
    cert = None
    if tls:
        cert = _make_certificate(root)
        server.imaps_port, server.ca_file = free_port(), str(cert)
    config = root / "dovecot.conf"
    config.write_text(_config(root, port=server.port, imaps_port=server.imaps_port, cert=cert))
    process = subprocess.Popen([DOVECOT, "-F", "-c", str(config)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    _wait_for_port(process, server.port, root / "dovecot.log")
    if server.imaps_port:
        _wait_for_port(process, server.imaps_port, root / "dovecot.log")
    return server, process


def stop(server: Dovecot, process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
    shutil.rmtree(server.root, ignore_errors=True)


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on: an IMAP server that is down."""
    return free_port()


@pytest.fixture(scope="session")
def dovecot_server():
    server, process = start(tls=False)
    yield server
    stop(server, process)


@pytest.fixture(scope="session")
def dovecot_tls_server():
    server, process = start(tls=True)
    yield server
    stop(server, process)


@pytest.fixture
def dovecot(dovecot_server):
    """Plain IMAP, with fresh `soporte` and `facturacion` accounts."""
    return dovecot_server.with_fresh_accounts()


@pytest.fixture
def dovecot_tls(dovecot_tls_server, settings):
    """STARTTLS on .port and IMAPS on .imaps_port; the client trusts its certificate."""
    settings.VENTANILLA_IMAP_CA_FILE = dovecot_tls_server.ca_file
    return dovecot_tls_server.with_fresh_accounts()

"""PostgreSQL and Redis for the tests that need real servers (scale-out,
shared caches, channel layers, limits across processes).

The machine's own servers are used when they answer (127.0.0.1:5432 as user
postgres with trust auth, 127.0.0.1:6379), as on every development and CI
machine of this project. When one does not, a private instance is started
from Debian's packages (installed by `scripts/ensure-services`) in a
temporary directory on a free loopback port, the first time a test asks for
it, and stopped when the test session ends. VENTANILLA_TEST_POSTGRES_URL
(a server URL without a database name) and VENTANILLA_TEST_REDIS_URL (without
a database number) name other servers; VENTANILLA_TEST_PRIVATE_SERVERS=1
starts private ones even when the machine's answer."""

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg
import redis

MACHINE_POSTGRES = "postgres://postgres@127.0.0.1:5432"
MACHINE_REDIS = "redis://127.0.0.1:6379"
PRIVATE_ONLY = os.environ.get("VENTANILLA_TEST_PRIVATE_SERVERS") == "1"

_urls: dict[str, str] = {}
_private: list["_Private"] = []


def postgres_url() -> str:
    """A PostgreSQL server URL without a database name (append "/<name>")."""
    if "postgres" not in _urls:
        url = os.environ.get("VENTANILLA_TEST_POSTGRES_URL", "").rstrip("/")
        if not url:
            use_machine = not PRIVATE_ONLY and _postgres_answers(MACHINE_POSTGRES)
            url = MACHINE_POSTGRES if use_machine else start_postgres()
        _urls["postgres"] = url
    return _urls["postgres"]


def redis_url(db: int = 0) -> str:
    """A Redis URL with this database number (each test module keeps its own)."""
    if "redis" not in _urls:
        url = os.environ.get("VENTANILLA_TEST_REDIS_URL", "").rstrip("/")
        if not url:
            use_machine = not PRIVATE_ONLY and _redis_answers(MACHINE_REDIS)
            url = MACHINE_REDIS if use_machine else start_redis()
        _urls["redis"] = url
    return f"{_urls['redis']}/{db}"


def stop_private_servers() -> None:
    while _private:
        _private.pop().stop()


atexit.register(stop_private_servers)


def _postgres_answers(url: str) -> bool:
    try:
        psycopg.connect(f"{url}/postgres", connect_timeout=3).close()
    except psycopg.OperationalError:
        return False
    return True


def _redis_answers(url: str) -> bool:
    try:
        redis.Redis.from_url(f"{url}/0", socket_connect_timeout=3).ping()
    except redis.RedisError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait(answers, url: str, process: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + 60
    while not answers(url):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError(f"could not start a private server for the tests:\n{log.read_text()}")
        time.sleep(0.2)


class _Private:
    def __init__(self, process: subprocess.Popen, root: Path):
        self.process, self.root = process, root

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # PostgreSQL: smart shutdown; Redis: save nothing, exit
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.root, ignore_errors=True)


def _postgres_binary(name: str) -> str:
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), reverse=True)), None)
    if found is None:
        raise RuntimeError("PostgreSQL is not running on 127.0.0.1:5432 and is not installed: "
                           "run scripts/ensure-services (make test does)")
    return found


def start_postgres() -> str:
    root = Path(tempfile.mkdtemp(prefix="ventanilla-test-postgres-"))
    data, log, port = root / "data", root / "postgres.log", _free_port()
    # initdb and postgres refuse to run as root: the package's own user runs them.
    user = "postgres" if os.geteuid() == 0 else None
    if user:
        shutil.chown(root, user)
    subprocess.run([_postgres_binary("initdb"), "-D", str(data), "-U", "postgres",
                    "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
                   user=user, check=True, capture_output=True)
    with log.open("wb") as out:
        process = subprocess.Popen(
            [_postgres_binary("postgres"), "-D", str(data), "-p", str(port),
             "-c", "listen_addresses=127.0.0.1", "-c", f"unix_socket_directories={root}",
             "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "max_connections=200"],
            user=user, stdout=out, stderr=subprocess.STDOUT)
    url = f"postgres://postgres@127.0.0.1:{port}"
    _private.append(_Private(process, root))
    _wait(_postgres_answers, url, process, log)
    return url


def start_redis() -> str:
    binary = shutil.which("redis-server") or "/usr/bin/redis-server"
    if not os.path.exists(binary):
        raise RuntimeError("Redis is not running on 127.0.0.1:6379 and is not installed: "
                           "run scripts/ensure-services (make test does)")
    root = Path(tempfile.mkdtemp(prefix="ventanilla-test-redis-"))
    log, port = root / "redis.log", _free_port()
    with log.open("wb") as out:
        process = subprocess.Popen(
            [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(root), "--daemonize", "no"],
            stdout=out, stderr=subprocess.STDOUT)
    url = f"redis://127.0.0.1:{port}"
    _private.append(_Private(process, root))
    _wait(_redis_answers, url, process, log)
    return url

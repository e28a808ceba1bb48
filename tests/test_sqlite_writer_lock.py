"""SQLite's writers queue on a file lock (ventanilla/core/sqlite): held for
exactly the length of a transaction, given back on commit, rollback and
close, and never waited on past the database's timeout."""

import fcntl
import os
from contextlib import contextmanager

import pytest
from django.db.utils import ConnectionHandler


@pytest.fixture
def sqlite_file(tmp_path):
    handler = ConnectionHandler({"default": {
        "ENGINE": "ventanilla.core.sqlite", "NAME": str(tmp_path / "db.sqlite3"),
        "OPTIONS": {"transaction_mode": "IMMEDIATE", "timeout": 0.3},
    }})
    connection = handler["default"]
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE note (body TEXT)")
    yield connection, tmp_path / "db.sqlite3.writer-lock"
    connection.close()


@contextmanager
def atomic(connection):
    """What transaction.atomic does for an outermost block, on a connection
    outside django.db.connections."""
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    try:
        yield
    except BaseException:
        connection.rollback()
        raise
    else:
        connection.commit()
    finally:
        connection.set_autocommit(True)


def lock_is_free(path) -> bool:
    fd = os.open(path, os.O_RDWR)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return False
    finally:
        os.close(fd)
    return True


def test_the_lock_is_held_for_the_transaction_only(sqlite_file):
    connection, lock = sqlite_file
    with atomic(connection):
        connection.cursor().execute("INSERT INTO note VALUES ('uno')")
        assert not lock_is_free(lock)
        connection.cursor().execute("INSERT INTO note VALUES ('dos')")
    assert lock_is_free(lock)

    with pytest.raises(RuntimeError), atomic(connection):
        connection.cursor().execute("INSERT INTO note VALUES ('tres')")
        raise RuntimeError
    assert lock_is_free(lock)
    with connection.cursor() as cursor:
        cursor.execute("SELECT body FROM note ORDER BY rowid")
        assert [row[0] for row in cursor.fetchall()] == ["uno", "dos"]


def test_closing_mid_transaction_gives_the_lock_back(sqlite_file):
    connection, lock = sqlite_file
    connection.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)
    connection.cursor().execute("INSERT INTO note VALUES ('sin terminar')")
    assert not lock_is_free(lock)
    connection.close()
    assert lock_is_free(lock)


def test_a_stuck_holder_delays_a_writer_only_up_to_the_timeout(sqlite_file):
    connection, lock = sqlite_file
    fd = os.open(lock, os.O_RDWR | os.O_CREAT)
    fcntl.flock(fd, fcntl.LOCK_EX)  # held by someone who never lets go
    try:
        with atomic(connection):
            connection.cursor().execute("INSERT INTO note VALUES ('igual entra')")
    finally:
        os.close(fd)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM note")
        assert cursor.fetchone()[0] == 1

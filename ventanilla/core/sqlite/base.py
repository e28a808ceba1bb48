"""SQLite with its writers queued by the kernel instead of SQLite's sleeps.

Every transaction starts with BEGIN IMMEDIATE (settings.DATABASES), so two
processes writing at once make one of them wait for the other. SQLite's
busy handler waits by sleeping 1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50,
100… ms between attempts, whatever the writer it waits for still needs: a
creation of a few milliseconds made the next writer sleep tens, and under
load a quarter of both cores sat idle while requests waited (p99 of 0.6 s;
docs/performance.md, change 19).

Here a transaction first takes an exclusive `flock` on a file next to the
database, and gives it back when it commits or rolls back: the next writer
is woken as soon as the lock is free. The wait polls with back-off capped at
a millisecond and gives up after the database's own timeout, then goes on to
BEGIN IMMEDIATE as before, so a writer can never wait forever on a lock
whose holder is stuck (a deadlock across threads becomes SQLite's usual
"database is locked" error). In-memory databases (the test suite) have no
file to lock."""

import fcntl
import os
import time

from django.db.backends.sqlite3 import base


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._writer_fd = None
        self._writer_locked = False

    def _start_transaction_under_autocommit(self):
        self._writer_lock()
        try:
            super()._start_transaction_under_autocommit()
        except BaseException:
            self._writer_unlock()
            raise

    def _commit(self):
        try:
            return super()._commit()
        finally:
            self._writer_unlock()

    def _rollback(self):
        try:
            return super()._rollback()
        finally:
            self._writer_unlock()

    def _close(self):
        try:
            return super()._close()
        finally:
            self._writer_unlock()
            if self._writer_fd is not None:
                os.close(self._writer_fd)
                self._writer_fd = None

    def _writer_lock(self) -> None:
        if self._writer_locked or self.is_in_memory_db():
            return
        if self._writer_fd is None:
            path = f"{self.settings_dict['NAME']}.writer-lock"
            self._writer_fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        timeout = self.settings_dict["OPTIONS"].get("timeout", 5)
        deadline = time.monotonic() + timeout
        pause = 0.00005
        while True:
            try:
                fcntl.flock(self._writer_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    return  # SQLite's own busy timeout decides from here
                time.sleep(pause)
                pause = min(pause * 2, 0.001)
            else:
                self._writer_locked = True
                return

    def _writer_unlock(self) -> None:
        if self._writer_locked:
            self._writer_locked = False
            fcntl.flock(self._writer_fd, fcntl.LOCK_UN)

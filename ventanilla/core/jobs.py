"""Huey on SQLite with the same durability as the application's database.

Huey's SQLite storage leaves `synchronous` at SQLite's default, FULL: every
enqueued job waited for an fsync of the write-ahead log (0.5 ms on the
development machines, against 0.03 ms without; one per notification, in the
request that caused it — docs/performance.md, change 18). The application's
own database runs WAL with synchronous=NORMAL (settings.DATABASES): a commit
survives a crash of the process, and after a power loss the last commits
may be lost, consistently. The job store now promises the same, so a
ticket and the job that notifies it are exactly as durable as each other."""

import huey
from huey.storage import SqliteStorage


class SqliteStorageNormalSync(SqliteStorage):
    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        return conn


class SqliteHuey(huey.SqliteHuey):
    storage_class = SqliteStorageNormalSync

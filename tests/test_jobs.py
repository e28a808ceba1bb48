"""The SQLite job store commits with the application database's durability."""

from ventanilla.core.jobs import SqliteHuey


def test_the_sqlite_job_store_runs_wal_with_synchronous_normal(tmp_path):
    huey = SqliteHuey("ventanilla-test", filename=str(tmp_path / "jobs.sqlite3"))
    conn = huey.storage.conn
    assert conn.execute("pragma journal_mode").fetchone()[0] == "wal"
    assert conn.execute("pragma synchronous").fetchone()[0] == 1  # NORMAL (FULL is 2)
    huey.storage.enqueue(b"job", 0)
    assert huey.storage.dequeue() == b"job"

"""`make test` runs on a machine without PostgreSQL or Redis: the tests that
need them start private ones (tests/services.py). Proven here by starting a
private pair whatever the machine runs."""

import psycopg
import redis

from . import services


def test_private_postgres_and_redis_start_answer_and_stop():
    postgres, cache = services.start_postgres(), services.start_redis()
    roots = [server.root for server in services._private[-2:]]
    assert postgres != services.MACHINE_POSTGRES and cache != services.MACHINE_REDIS
    with psycopg.connect(f"{postgres}/postgres", autocommit=True) as connection:
        connection.execute('CREATE DATABASE "ventanilla_private_check"')
        assert connection.execute("SELECT 1").fetchone() == (1,)
    client = redis.Redis.from_url(f"{cache}/3")
    client.set("ventanilla-private", "sí")
    assert client.get("ventanilla-private").decode() == "sí"

    services.stop_private_servers()

    assert not any(root.exists() for root in roots)
    assert not services._postgres_answers(postgres)
    assert not services._redis_answers(cache)

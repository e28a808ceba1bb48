"""Rate limits that hold: counted atomically before the work, across threads
and real processes, on the embedded default (SqliteCache in the data
directory) and on Redis, allauth's login limits included (issue 17, A6)."""

import os
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
from django.core.cache import cache
from django.urls import reverse

from ventanilla.core import ratelimit
from ventanilla.core.cache import SqliteCache
from ventanilla.tickets.models import Priority, Ticket

from . import services

ROOT = Path(__file__).resolve().parent.parent

# One process: wait for the start file, then try `tries` uses; print how many got through.
CONSUMER = """
import os, sys, time
import django
os.environ["DJANGO_SETTINGS_MODULE"] = "ventanilla.settings"
django.setup()
action, tries, start = sys.argv[1], int(sys.argv[2]), sys.argv[3]
while not os.path.exists(start):
    time.sleep(0.005)
if action == "allauth-login-failed":
    from django.test import RequestFactory
    from allauth.core import ratelimit
    request = RequestFactory().post("/cuenta/login/", REMOTE_ADDR=f"192.0.2.{os.getpid() % 250}")
    ok = sum(bool(ratelimit.consume(request, action="login_failed", key="alicia@example.com"))
             for _ in range(tries))
else:
    from ventanilla.core import ratelimit
    ok = sum(ratelimit.consume(action, "alicia", "5/h") is not None for _ in range(tries))
print(ok)
"""


def run_processes(tmp_path, action: str, *, processes=4, tries=4, redis_url="") -> list[int]:
    """`processes` real Python processes use `action` `tries` times each, all
    at once, with this test's data directory (or Redis); what each got."""
    start = tmp_path / f"start-{uuid.uuid4().hex}"
    env = {**os.environ, "VENTANILLA_DATA_DIR": os.environ["VENTANILLA_DATA_DIR"],
           "REDIS_URL": redis_url, "PYTHONPATH": str(ROOT)}
    env.pop("DATABASE_URL", None)  # the cache is what is shared, not the database
    children = [subprocess.Popen([sys.executable, "-c", CONSUMER, action, str(tries), str(start)],
                                 env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
                for _ in range(processes)]
    time.sleep(1.5)  # every child has imported Django and waits
    start.touch()
    results = []
    for child in children:
        out, err = child.communicate(timeout=120)
        assert child.returncode == 0, err
        results.append(int(out.strip()))
    return results


# --- consume ---------------------------------------------------------------------


def test_it_lets_through_exactly_the_limit():
    results = [ratelimit.consume("probe", "k", "3/h") is not None for _ in range(5)]
    assert results == [True, True, True, False, False]


def test_refusals_do_not_count():
    for _ in range(10):
        ratelimit.consume("probe", "k", "2/h")
    assert cache.get("ratelimit:probe:k") == 2


def test_a_refund_gives_the_use_back_once():
    first = ratelimit.consume("probe", "k", "1/h")
    assert ratelimit.consume("probe", "k", "1/h") is None
    first.refund()
    first.refund()
    assert cache.get("ratelimit:probe:k") == 0
    assert ratelimit.consume("probe", "k", "1/h") is not None


def test_the_window_ends():
    assert ratelimit.consume("probe", "k", "1/1s") is not None
    assert ratelimit.consume("probe", "k", "1/1s") is None
    time.sleep(1.1)
    assert ratelimit.consume("probe", "k", "1/1s") is not None


def test_an_empty_or_invalid_rate_is_no_limit():
    assert all(ratelimit.consume("probe", "k", rate) is not None
               for rate in ("", "mucho", "5 por hora") for _ in range(20))


def test_threads_never_get_past_the_limit():
    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(lambda _: ratelimit.consume("probe", "k", "7/h") is not None,
                                range(64)))
    assert sum(results) == 7


# --- the embedded default's cache ---------------------------------------------------


def test_the_embedded_default_cache_is_a_sqlite_file_in_the_data_directory(settings):
    assert settings.CACHES["default"]["BACKEND"] == "ventanilla.core.cache.SqliteCache"
    assert settings.CACHES["default"]["LOCATION"] == str(settings.DATA_DIR / "cache.sqlite3")


def test_the_sqlite_cache_behaves_like_a_django_cache(tmp_path):
    store = SqliteCache(str(tmp_path / "c.sqlite3"), {})
    assert store.get("a", "none") == "none"
    assert store.add("a", 1, 60) and not store.add("a", 2, 60)
    assert store.incr("a", 5) == 6 and store.decr("a") == 5
    store.set("b", {"x": [1, 2]}, 60)
    assert store.get("b") == {"x": [1, 2]}
    store.set("flag", True, 60)
    assert store.get("flag") is True
    with pytest.raises(ValueError):
        store.incr("missing")
    with pytest.raises(ValueError):
        store.incr("b")  # not an integer
    store.set("old", 1, 0.01)
    time.sleep(0.05)
    assert store.get("old") is None and not store.has_key("old")
    assert store.add("old", 2, 60) and store.get("old") == 2  # an expired key is free again
    assert store.touch("a", 60) and store.delete("a") and not store.has_key("a")
    store.clear()
    assert store.get("b") is None


def test_the_embedded_default_holds_a_limit_across_processes(tmp_path):
    assert sum(run_processes(tmp_path, f"probe-{uuid.uuid4().hex}")) == 5


def test_redis_holds_a_limit_across_processes(tmp_path):
    assert sum(run_processes(tmp_path, f"probe-{uuid.uuid4().hex}",
                             redis_url=services.redis_url(11))) == 5


def test_allauths_login_limit_holds_across_processes_on_the_embedded_default(tmp_path):
    """login_failed is 5 per 5 minutes per account: 4 processes (4 web
    workers) trying 4 wrong passwords each get 5 checked, not 16."""
    assert sum(run_processes(tmp_path, "allauth-login-failed")) == 5


# --- the portal's ticket creation (concurrently: tests/test_ratelimit_served.py) ------


@pytest.fixture
def regular(soporte, correo_category):
    return {"department": soporte.pk, "category": correo_category.pk, "service": "",
            "subject": "No puedo enviar correos", "body": "Desde ayer Outlook da error 550.",
            "priority": Priority.REGULAR}


def test_an_invalid_form_does_not_use_the_allowance(client, alice, regular, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "TICKET_CREATE_RATE": "1/h"}
    client.force_login(alice.user)
    for _ in range(3):
        assert client.post(reverse("portal:ticket_new"), {**regular, "subject": ""}).status_code == 200
    assert client.post(reverse("portal:ticket_new"), regular).status_code == 302


def test_leaving_a_chat_question_as_a_ticket_uses_the_same_allowance(client, alice, regular,
                                                                     soporte, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "TICKET_CREATE_RATE": "2/h"}
    client.force_login(alice.user)
    assert client.post(reverse("portal:ticket_new"), regular).status_code == 302
    left = client.post(reverse("chat:offline_ticket"),
                       {"department": soporte.pk, "message": "Mi correo no envía"})
    assert left.status_code == 200, left.content
    assert client.post(reverse("portal:ticket_new"), regular).status_code == 429
    refused = client.post(reverse("chat:offline_ticket"),
                          {"department": soporte.pk, "message": "Otra consulta"})
    assert refused.status_code == 429
    assert Ticket.objects.filter(customer=alice).count() == 2

"""The rate limits of the embedded default (SQLite, no Redis) hold through
the real server with WEB_WORKERS=4: concurrent wrong passwords for one
account and concurrent "Abrir ticket" submissions of one customer, sent by
threads, are spread over four uvicorn processes (issue 17, A6)."""

import http.client
import json
import os
import re
import secrets
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import pytest

from .test_scale_out import CSRF_INPUT, SETUP_PEOPLE, Browser, answers, start, stop
from .test_serve import free_port, wait_for

WRONG = re.compile(r"no son correct[oa]s")
LIMITED = "Demasiados intentos fallidos"
COUNT_TICKETS = ("from ventanilla.tickets.models import Ticket;"
                 "print(Ticket.objects.filter(customer__email='lucia@example.com').count())")


@pytest.fixture
def served(tmp_path):
    """`ventanilla serve --workers 4` on a fresh embedded data directory."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("DATABASE_", "REDIS_", "HUEY_", "VENTANILLA_", "EMAIL_",
                                "DJANGO_", "SECRET_KEY"))}
    env.update(DJANGO_SETTINGS_MODULE="ventanilla.settings", SECRET_KEY=secrets.token_urlsafe(40),
               VENTANILLA_DATA_DIR=str(tmp_path / "data"), PYTHONUNBUFFERED="1",
               VENTANILLA_TICKET_CREATE_RATE="5/h", ACCOUNT_EMAIL_VERIFICATION="none")
    run = [sys.executable, "-m", "ventanilla"]
    subprocess.run([*run, "migrate", "-v0"], env=env, check=True, timeout=180)
    people = subprocess.run([*run, "shell", "-c", SETUP_PEOPLE], env=env, check=True,
                            timeout=60, capture_output=True, text=True)
    port = free_port()
    log = tmp_path / "web.log"
    server = start(env, ["serve", "--no-worker", "--port", str(port), "--workers", "4"], log)
    try:
        assert wait_for(answers(port), 60), log.read_text()
        yield port, people.stdout.strip().splitlines()[-1], lambda script: subprocess.run(
            [*run, "shell", "-c", script], env=env, check=True, timeout=60,
            capture_output=True, text=True).stdout.strip()
    finally:
        stop(server)


def test_concurrent_wrong_passwords_and_ticket_submissions_hold_their_limits_across_workers(
        served):
    port, ids, shell = served
    ids = json.loads(ids)

    # 16 wrong passwords for one account at once: login_failed is 5 per 5 minutes.
    def wrong_password(_):
        browser = Browser(port)
        token = CSRF_INPUT.search(browser.form_page("/cuenta/login/")).group(1)
        try:
            _status, _location, html = browser.post("/cuenta/login/", {
                "csrfmiddlewaretoken": token, "login": "lucia@example.com",
                "password": "no-es-la-clave"})
        except http.client.HTTPException:
            return "lost"  # uvicorn restarts a worker too busy to answer its ping (2 cores)
        return "wrong" if WRONG.search(html) else "limited" if LIMITED in html else html

    with ThreadPoolExecutor(max_workers=16) as pool:
        outcomes = list(pool.map(wrong_password, range(16)))
    assert outcomes.count("wrong") <= 5, outcomes
    assert outcomes.count("wrong") + outcomes.count("limited") + outcomes.count("lost") == 16
    assert outcomes.count("limited") >= 8, outcomes

    # 24 "Abrir ticket" submissions of one customer at once, against 5 per hour.
    # The account's login limit was spent above: a session made on the server.
    session = shell(
        "from django.contrib.auth import SESSION_KEY, BACKEND_SESSION_KEY, HASH_SESSION_KEY;"
        "from django.contrib.sessions.backends.db import SessionStore;"
        "from ventanilla.accounts.models import User;"
        "u = User.objects.get(email='lucia@example.com'); s = SessionStore();"
        "s[SESSION_KEY] = str(u.pk);"
        "s[BACKEND_SESSION_KEY] = 'ventanilla.accounts.backends.ModelBackend';"
        "s[HASH_SESSION_KEY] = u.get_session_auth_hash(); s.create(); print(s.session_key)")
    browsers = [Browser(port, {"sessionid": session.splitlines()[-1]}) for _ in range(24)]
    tokens = [CSRF_INPUT.search(browser.form_page("/cliente/tickets/nuevo/")).group(1)
              for browser in browsers]

    def submit(pair):
        browser, token = pair
        try:
            status, _location, _html = browser.post("/cliente/tickets/nuevo/", {
                "csrfmiddlewaretoken": token, "department": ids["department"],
                "category": ids["category"], "service": "", "priority": "regular",
                "subject": "No puedo enviar correos", "body": "Desde ayer Outlook da error 550."})
        except http.client.HTTPException:
            return "lost"
        return status

    with ThreadPoolExecutor(max_workers=24) as pool:
        codes = list(pool.map(submit, zip(browsers, tokens, strict=True)))
    created = int(shell(COUNT_TICKETS).splitlines()[-1])
    assert codes.count(302) == created <= 5, codes
    assert codes.count(429) >= 19 - codes.count("lost"), codes
    assert codes.count(302) + codes.count(429) + codes.count("lost") == 24, codes

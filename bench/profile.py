"""Per-request cost of one scenario in-process (Django test client, no
HTTP): median time and queries, and optionally a pyinstrument profile.

    VENTANILLA_DATA_DIR=bench/data/sqlite .venv/bin/python bench/profile.py create_ticket
    ... bench/profile.py search --profile   # prints pyinstrument's call tree

Run after `bench/run.py` (or `ventanilla migrate` + `bench/prepare.py`) on
the same data directory / DATABASE_URL."""

import argparse
import os
import statistics
import sys
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from prepare import prepare  # noqa: E402


def request_for(name: str, fx: dict):
    counter = iter(range(10**9))
    if name == "create_ticket":
        def create(client):
            n = next(counter)
            return client.post("/cliente/tickets/nuevo/", {
                "department": fx["department_id"], "category": fx["category_id"], "service": "",
                "priority": "regular", "subject": f"Perfil {n}: el correo no llega",
                "body": "Desde ayer no llegan los correos a contacto@ejemplo.mx; rebote 550.",
            })
        return create, 302, fx["customer_email"]
    paths = {"floor": ("/salud/", None), "queue": (f"/consola/?departamento={fx['department_slug']}",
                                                   fx["agent_email"]),
             "ticket_page": (f"/consola/tickets/{fx['ticket_number']}/", fx["agent_email"]),
             "history": ("/cliente/tickets/", fx["customer_email"]),
             "search": (f"/consola/?q={fx['search_text']}", fx["agent_email"])}
    path, who = paths[name]
    return (lambda client: client.get(path)), 200, who


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("scenario")
    parser.add_argument("--requests", type=int, default=60)
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    settings.VENTANILLA["TICKET_CREATE_RATE"] = ""
    fx = prepare()
    one, ok, who = request_for(args.scenario, fx)
    client = Client()
    if who:
        from ventanilla.accounts.models import User

        client.force_login(User.objects.get(email=who))
    for _ in range(5):  # warm up (templates, caches, session)
        assert one(client).status_code == ok
    queries = []

    def record(execute, sql, params, many, context):
        queries.append({"sql": sql})
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        one(client)
    times = []
    profiler = None
    if args.profile:
        from pyinstrument import Profiler

        profiler = Profiler(interval=0.0005)
        profiler.start()
    for _ in range(args.requests):
        started = time.perf_counter()
        response = one(client)
        times.append((time.perf_counter() - started) * 1000)
        assert response.status_code == ok, response.status_code
    if profiler:
        profiler.stop()
        print(profiler.output_text(unicode=True, color=False, show_all=False))
    print(f"{args.scenario}: median {statistics.median(times):.2f} ms, "
          f"min {min(times):.2f} ms, {len(queries)} queries")
    for q in queries:
        print("   ", q["sql"][:160])
    return 0


if __name__ == "__main__":
    sys.exit(main())

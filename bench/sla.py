"""The periodic SLA sweep for `make bench`, on the backend's data set
(`ventanilla seed-scale` fills the due times of open tickets). Prints one
JSON object:

- idle sweep: the sweep as it runs every minute when nothing new is due:
  one indexed range read on Ticket.sla_check_at (time per sweep, p50/p95);
- due sweep: a sweep that finds `--due` tickets due and escalates them
  (records, console alerts and emails rendered), inside a transaction
  rolled back afterwards so that the data set stays as it was;
- whether the database plans the due query on the tk_sla_check index.

Runs as its own process with the backend's environment (bench/run.py sets
DATABASE_URL / VENTANILLA_DATA_DIR)."""

import argparse
import json
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from ventanilla.accounts.models import AgentProfile, User  # noqa: E402
from ventanilla.sla.services import sla_sweep  # noqa: E402
from ventanilla.tickets.models import Status, Ticket  # noqa: E402


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def due_query_plan(now) -> str:
    qs = Ticket.objects.filter(sla_check_at__lte=now).order_by("sla_check_at").values_list("pk")[:1000]
    return qs.explain()


def idle_sweeps(runs: int) -> list[float]:
    """Sweeps at the current time, after a first one has caught up."""
    sla_sweep()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        sla_sweep()
        times.append((time.perf_counter() - started) * 1000)
    return times


def due_sweep(count: int) -> dict:
    """Make `count` open tickets due now, sweep, roll back."""
    now = timezone.now()
    with transaction.atomic():
        # Someone to notify: a supervisor of every department (rolled back too).
        supervisor = User.objects.create_user(email="bench-supervisor-sla@example.com",
                                              full_name="Supervisora de Carga")
        AgentProfile.objects.create(user=supervisor, is_supervisor=True)
        # Open tickets whose running target is past: each one breaches.
        ids = list(Ticket.objects.filter(status=Status.OPEN, due_at__lte=now)
                   .order_by("-due_at").values_list("pk", flat=True)[:count])
        Ticket.objects.filter(pk__in=ids).update(sla_check_at=now - timedelta(seconds=1))
        started = time.perf_counter()
        recorded = sla_sweep(now=now, batch=count)
        elapsed = (time.perf_counter() - started) * 1000
        transaction.set_rollback(True)
    return {"due_tickets": len(ids), "escalations": recorded, "ms": round(elapsed, 1),
            "ms_per_ticket": round(elapsed / max(len(ids), 1), 2)}


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=50, help="idle sweeps to time")
    parser.add_argument("--due", type=int, default=200, help="tickets made due for the due sweep")
    args = parser.parse_args()
    total = Ticket.objects.count()
    open_count = Ticket.objects.filter(status=Status.OPEN).count()
    plan = due_query_plan(timezone.now())
    times = idle_sweeps(args.runs)
    result = {
        "tickets": total,
        "open": open_count,
        "vendor": connection.vendor,
        "idle_sweep_p50_ms": round(statistics.median(times), 2),
        "idle_sweep_p95_ms": round(percentile(times, 95), 2),
        "idle_sweep_p99_ms": round(percentile(times, 99), 2),
        "runs": len(times),
        "uses_index": "tk_sla_check" in plan,
        "plan": plan,
        # The first due sweep of a process compiles templates and the URL
        # resolver: warm up as a long-running worker is, then measure.
        "due_sweep": (due_sweep(args.due), due_sweep(args.due))[1],
    }
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())

import time

from django.core.management.base import BaseCommand, CommandError

from ventanilla.tickets.models import Department
from ventanilla.tickets.scale import generate_tickets


class Command(BaseCommand):
    help = "Generate N synthetic tickets with customers, services and messages (benchmarks)."

    def add_arguments(self, parser):
        parser.add_argument("--tickets", type=int, required=True)
        parser.add_argument("--batch", type=int, default=10_000)
        parser.add_argument("--seed", type=int, default=None, help="random seed (repeatable data)")
        parser.add_argument("--quiet", action="store_true", help="no progress bar")

    def handle(self, *args, tickets, batch, seed, quiet, **options):
        if tickets <= 0:
            raise CommandError("--tickets must be positive")
        if not Department.objects.exists():
            raise CommandError("no departments: run `ventanilla migrate` first")
        started = time.monotonic()
        done = generate_tickets(tickets, batch=batch, seed=seed, progress=not quiet)
        self.stdout.write(f"{done:,} tickets in {time.monotonic() - started:.1f} s")

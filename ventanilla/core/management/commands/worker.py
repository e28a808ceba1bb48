from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run background-job consumers alone (periodic jobs included), for scale-out."

    def add_arguments(self, parser):
        parser.add_argument("--workers", type=int, default=None, help="consumer threads")

    def handle(self, *args, workers, **options):
        extra = ["--workers", str(workers)] if workers else []
        call_command("run_huey", *extra)

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "Run a background-job consumer alone (periodic jobs included), for scale-out."

    def add_arguments(self, parser):
        pool = parser.add_mutually_exclusive_group()
        pool.add_argument("--processes", type=int, default=None,
                          help="worker processes (Huey's `-k process -w N`)")
        pool.add_argument("--workers", type=int, default=None,
                          help="worker threads (default: HUEY_WORKERS, 2)")
        # Every consumer's scheduler enqueues the periodic jobs on its own, so
        # with several consumers each job would run once per consumer. Run
        # exactly one consumer with them (see docs/deploy.md).
        parser.add_argument("--no-periodic", action="store_true",
                            help="do not enqueue periodic jobs (all consumers but one)")

    def handle(self, *args, processes, workers, no_periodic, **options):
        huey_args = []
        if processes:
            huey_args += ["--worker-type", "process", "--workers", str(processes)]
        elif workers:
            huey_args += ["--worker-type", "thread", "--workers", str(workers)]
        if no_periodic:
            huey_args.append("--no-periodic")
        call_command("run_huey", *huey_args)

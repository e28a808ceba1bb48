import os
import signal
import subprocess
import sys

import uvicorn
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Serve Ventanilla with uvicorn, plus a background-job consumer (embedded default) "
            "and, when VENTANILLA_LMTP_SOCKET or VENTANILLA_LMTP_PORT is set, the LMTP intake.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("PORT", "8000")))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("WEB_WORKERS", "1")),
                            help="uvicorn worker processes")
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start a job consumer (run `ventanilla worker` apart)")

    def handle(self, *args, host, port, workers, no_worker, **options):
        follow_listen_address(host, port)
        call_command("collectstatic", interactive=False, verbosity=0)
        consumer = lmtp = None
        if not no_worker:
            consumer = subprocess.Popen([sys.executable, "-m", "ventanilla", "worker"],
                                        preexec_fn=_die_with_parent)
        if settings.VENTANILLA["LMTP_SOCKET"] or settings.VENTANILLA["LMTP_PORT"]:
            # Mail from Postfix/Exim (`ventanilla mail lmtp`, configured by the same variables).
            lmtp = subprocess.Popen([sys.executable, "-m", "ventanilla", "mail", "lmtp"],
                                    preexec_fn=_die_with_parent)
        self.stdout.write(f"Ventanilla en http://{host}:{port}/")
        try:
            uvicorn.run("ventanilla.asgi:application", host=host, port=port, workers=workers,
                        lifespan="off", log_level="warning", access_log=False)
        finally:
            if lmtp is not None:
                # SIGTERM: it stops accepting and finishes the deliveries in
                # hand (30 s at most; a cut delivery is retried by the MTA).
                lmtp.terminate()
                try:
                    lmtp.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    lmtp.kill()
            if consumer is not None:
                # SIGINT lets Huey finish the job in hand (SIGTERM interrupts it).
                consumer.send_signal(signal.SIGINT)
                consumer.wait(timeout=10)


def follow_listen_address(host: str, port: int) -> None:
    """`--host`/`--port` given on the command line count as HOST/PORT: the
    job consumer and uvicorn's worker processes (which read the environment)
    and this process build email links (SITE_URL) to the address served,
    unless SITE_URL is set."""
    os.environ["HOST"], os.environ["PORT"] = host, str(port)
    if not os.environ.get("SITE_URL", "").strip():
        from ventanilla.settings import _default_site_url

        settings.SITE_URL = _default_site_url()


def _die_with_parent() -> None:
    """On Linux, the consumer gets SIGTERM when `serve` dies, even by
    SIGKILL, instead of living on as an orphan that keeps taking jobs."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


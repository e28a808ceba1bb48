"""Email ingest throughput for `make bench`: N generated messages through
the function behind `ventanilla mail pipe` (in-process), a sample through
the real `ventanilla mail pipe` command (one process per message, as an MTA
runs it), N through IMAP (a throwaway dovecot and the real poller), each
next to the bare cost of parsing the same messages with the standard
library, and a realistic mix (plain, HTML, attachments, replies) through a
`ventanilla mail lmtp` process from several LMTP clients
(bench/mail_lmtp.py), with per-message latencies. Prints one JSON object.

Runs as its own process with the backend's environment (bench/run.py sets
DATABASE_URL / VENTANILLA_DATA_DIR)."""

import argparse
import email
import email.policy
import json
import os
import resource
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
# Many messages from few senders: the per-sender flood limit is not under test.
os.environ["VENTANILLA_MAIL_SENDER_RATE"] = ""
django.setup()

from django.utils import timezone  # noqa: E402

from bench.mail_lmtp import LmtpServer, lmtp_intake, percentile  # noqa: E402
from ventanilla.mail.ingest import ingest_raw  # noqa: E402
from ventanilla.mail.models import Mailbox  # noqa: E402

BODIES = [
    "Hola, desde ayer no llegan los correos a contacto@{domain}. Los remitentes reciben un "
    "rebote 550. ¿Pueden revisar los registros MX?",
    "Buenas tardes: el certificado SSL de {domain} venció y el navegador marca el sitio como "
    "no seguro. Adjunto captura.",
    "Mi WordPress en {domain} muestra una pantalla en blanco después de actualizar un plugin.",
]


def make_messages(count: int, tag: str) -> list[bytes]:
    """Realistic customer emails: multipart text + HTML, Spanish, unique ids."""
    raws = []
    now = timezone.now()
    for i in range(count):
        domain = f"cliente{i % 500}.mx"
        msg = EmailMessage()
        msg["From"] = f"Cliente {i % 500} <contacto@{domain}>"
        msg["To"] = "soporte@example.com"
        msg["Subject"] = f"Problema con el correo de {domain} ({tag} {i})"
        msg["Date"] = format_datetime(now)
        msg["Message-ID"] = make_msgid(idstring=f"{tag}{i}", domain=domain)
        text = BODIES[i % len(BODIES)].format(domain=domain)
        msg.set_content(text)
        msg.add_alternative(f"<p>{text}</p>", subtype="html")
        raws.append(msg.as_bytes())
    return raws


def stdlib_parse(raws: list[bytes]) -> dict:
    started = time.perf_counter()
    for raw in raws:
        parsed = email.message_from_bytes(raw, policy=email.policy.default)
        parsed.get_body(preferencelist=("plain", "html")).get_content()
    return _rate(len(raws), time.perf_counter() - started)


def ingest_in_process(raws: list[bytes]) -> dict:
    mailbox = Mailbox.objects.get(name="soporte")
    started = time.perf_counter()
    created = sum(ingest_raw(raw, mailbox=mailbox).created_ticket for raw in raws)
    result = _rate(len(raws), time.perf_counter() - started)
    result["tickets_created"] = created
    return result


def ingest_by_pipe(raws: list[bytes], env=None) -> dict:
    env = os.environ if env is None else env
    started = time.perf_counter()
    failures = 0
    each = []
    cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    for raw in raws:
        begun = time.perf_counter()
        done = subprocess.run([sys.executable, "-m", "ventanilla", "mail", "pipe",
                               "--mailbox", "soporte"], input=raw, capture_output=True,
                              cwd=ROOT, env=env)
        each.append(time.perf_counter() - begun)
        failures += done.returncode != 0
    result = _rate(len(raws), time.perf_counter() - started)
    result["failures"] = failures
    # What an MTA waits per delivery (target: at most 0.5 s, issue 21).
    result["seconds_per_message_p50"] = round(percentile(each, 0.5), 3)
    result["seconds_per_message_max"] = round(max(each), 3) if each else 0
    # CPU time of the pipe processes: what a delivery costs however loaded
    # the machine is (its wall time above is that plus the wait for a core).
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    used = after.ru_utime + after.ru_stime - cpu.ru_utime - cpu.ru_stime
    result["cpu_seconds_per_message"] = round(used / len(raws), 3) if raws else None
    result["loadavg_1m"] = round(os.getloadavg()[0], 2)
    return result


def ingest_by_lmtp(count: int, clients: int, tag: str) -> dict:
    mailbox = Mailbox.objects.get(name="soporte")
    log = Path(os.environ.get("VENTANILLA_DATA_DIR", ROOT / "data")) / "lmtp-bench.log"
    return lmtp_intake(count, clients=clients, recipient=mailbox.address, tag=tag,
                       now=timezone.now(), log=log)


def ingest_by_pipe_via_lmtp(raws: list[bytes]) -> dict:
    """The same pipe command with the LMTP intake running and named in its
    environment: it hands each message over without starting Django."""
    server = LmtpServer(dict(os.environ))
    try:
        return ingest_by_pipe(raws, {**os.environ, "VENTANILLA_LMTP_PORT": str(server.port)})
    finally:
        server.stop()


def ingest_by_imap(raws: list[bytes]) -> dict:
    from bench.mail_imap import imap_ingest_throughput

    result = imap_ingest_throughput(raws)
    return {"messages": result["messages"], "seconds": result["seconds"],
            "per_second": result["per_second"]}


def _rate(count: int, seconds: float) -> dict:
    return {"messages": count, "seconds": round(seconds, 3),
            "per_second": round(count / seconds, 1) if seconds else None}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--messages", type=int, default=10_000)
    parser.add_argument("--pipe-sample", type=int, default=50,
                        help="messages through the real command (one process each)")
    parser.add_argument("--no-imap", action="store_true")
    parser.add_argument("--lmtp-messages", type=int, default=2_000,
                        help="messages of the mix through `ventanilla mail lmtp` (0: none)")
    parser.add_argument("--lmtp-clients", type=int, default=4,
                        help="LMTP client connections delivering at once")
    args = parser.parse_args()
    tag = make_msgid().strip("<>").split("@")[0]
    rows = {}
    raws = make_messages(args.messages, tag + "a")
    rows["stdlib_parse"] = stdlib_parse(raws)
    rows["ingest_in_process"] = ingest_in_process(raws)
    pipe_raws = make_messages(args.pipe_sample, tag + "b")
    rows["pipe_stdlib_parse"] = stdlib_parse(pipe_raws)
    rows["ingest_pipe_command"] = ingest_by_pipe(pipe_raws)
    if args.lmtp_messages:
        rows["ingest_pipe_via_lmtp"] = ingest_by_pipe_via_lmtp(make_messages(args.pipe_sample,
                                                                             tag + "e"))
    if not args.no_imap:
        imap_raws = make_messages(args.messages, tag + "c")
        rows["imap_stdlib_parse"] = stdlib_parse(imap_raws)
        rows["ingest_imap"] = ingest_by_imap(imap_raws)
    if args.lmtp_messages:
        rows["ingest_lmtp"] = ingest_by_lmtp(args.lmtp_messages, args.lmtp_clients, tag + "d")
    for name, base in [("ingest_in_process", "stdlib_parse"),
                       ("ingest_pipe_command", "pipe_stdlib_parse"),
                       ("ingest_imap", "imap_stdlib_parse")]:
        if name in rows and rows[name]["per_second"] and rows[base]["per_second"]:
            rows[name]["ratio_to_stdlib_parse"] = round(
                rows[name]["per_second"] / rows[base]["per_second"], 4)
    json.dump(rows, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""LMTP intake for `make bench` (bench/mail.py): a realistic mix of mail
delivered to a running `ventanilla mail lmtp` process by real LMTP clients
(smtplib.LMTP, one connection per client thread, reused from message to
message as Postfix's LMTP connection cache does), with each message's
latency from MAIL FROM to the server's answer to DATA.

The mix, per 20 messages: 4 plain text, 7 text + HTML, 4 with attachments
(a 40–160 KB PDF, or an HTML message with an inline 20–60 KB PNG) and 5
replies (In-Reply-To and a quoted history) to messages delivered in an
untimed first round, so they land in existing tickets as customer replies.
Runs inside a configured Django process only to read the mailbox address;
the server is a separate process with the same environment."""

import os
import random
import signal
import smtplib
import socket
import statistics
import subprocess
import sys
import threading
import time
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PLAIN = [
    "Hola, desde ayer no llegan los correos a contacto@{domain}. Los remitentes reciben un "
    "rebote 550. ¿Pueden revisar los registros MX?",
    "Buenas tardes: el certificado SSL de {domain} venció y el navegador marca el sitio como "
    "no seguro.",
    "Mi WordPress en {domain} muestra una pantalla en blanco después de actualizar un plugin.",
    "¿Me pueden decir cuánto espacio me queda en el plan de {domain}? El panel no carga.",
]
REPLY = [
    "Gracias, ya funciona. Solo una duda más: ¿el cambio afecta a los subdominios?",
    "Sigue igual, les mando la captura del error que me sale ahora.",
    "Perfecto, quedo pendiente de su respuesta.",
]
# Of every 20 messages: the kind of each.
MIX = (["plain"] * 4 + ["html"] * 7 + ["pdf", "png", "pdf", "png"] + ["reply"] * 5)
MIX = [MIX[(i * 7) % 20] for i in range(20)]  # interleaved, same proportions


def _base(i: int, tag: str, now) -> tuple[EmailMessage, str, str]:
    domain = f"cliente{i % 400}.mx"
    msg = EmailMessage()
    msg["From"] = f"Cliente {i % 400} <contacto@{domain}>"
    msg["To"] = "soporte@example.com"
    msg["Subject"] = f"Consulta sobre {domain} ({tag} {i})"
    msg["Date"] = format_datetime(now)
    msg["Message-ID"] = make_msgid(idstring=f"{tag}{i}", domain=domain)
    return msg, domain, PLAIN[i % len(PLAIN)].format(domain=domain)


def _binary(rng: random.Random, kind: str) -> bytes:
    if kind == "pdf":
        return b"%PDF-1.4\n" + rng.randbytes(rng.randint(40_000, 160_000))
    return b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + rng.randbytes(rng.randint(20_000, 60_000))


def make_originals(count: int, tag: str, now) -> list[tuple[str, str, bytes]]:
    """(sender, Message-ID, raw) of plain + HTML messages the replies answer."""
    out = []
    for i in range(count):
        msg, domain, text = _base(i, tag + "o", now)
        msg.set_content(text)
        msg.add_alternative(f"<p>{text}</p>", subtype="html")
        out.append((f"contacto@{domain}", msg["Message-ID"], msg.as_bytes()))
    return out


def make_mix(count: int, tag: str, originals: list[tuple[str, str, bytes]], now,
             seed: int = 21) -> list[tuple[str, str, bytes]]:
    """(kind, sender, raw) for `count` messages of the mix."""
    rng = random.Random(seed)
    out = []
    replies = 0
    for i in range(count):
        kind = MIX[i % len(MIX)]
        if kind == "reply" and originals:
            sender, message_id, _raw = originals[replies % len(originals)]
            replies += 1
            msg = EmailMessage()
            msg["From"] = f"Cliente <{sender}>"
            msg["To"] = "soporte@example.com"
            msg["Subject"] = f"Re: consulta ({tag} {i})"
            msg["Date"] = format_datetime(now)
            msg["Message-ID"] = make_msgid(idstring=f"{tag}r{i}", domain=sender.split("@")[1])
            msg["In-Reply-To"] = message_id
            msg["References"] = message_id
            msg.set_content(REPLY[i % len(REPLY)] + "\n\nEl lun, 7 dic 2026 a las 10:12, Soporte "
                            "escribió:\n> Hola, ¿puedes confirmar si sigue pasando?\n> Saludos\n")
            out.append((kind, sender, msg.as_bytes()))
            continue
        msg, domain, text = _base(i, tag, now)
        msg.set_content(text)
        if kind in {"html", "png"}:
            html = f"<p>{text}</p>" + ("<p><img src=\"cid:captura\"></p>" if kind == "png" else "")
            msg.add_alternative(html, subtype="html")
        if kind == "png":
            msg.get_payload()[1].add_related(_binary(rng, "png"), maintype="image", subtype="png",
                                             cid="<captura>", filename="captura.png")
        elif kind == "pdf":
            msg.add_attachment(_binary(rng, "pdf"), maintype="application", subtype="pdf",
                               filename="factura.pdf")
        out.append((kind, f"contacto@{domain}", msg.as_bytes()))
    return out


class LmtpServer:
    """`ventanilla mail lmtp --port N` in a process of its own."""

    def __init__(self, env: dict, log: Path | None = None):
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = sock.getsockname()[1]
        self.log = log.open("w") if log else subprocess.DEVNULL
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "ventanilla", "mail", "lmtp", "--port", str(self.port)],
            env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with smtplib.LMTP("127.0.0.1", self.port, timeout=5) as client:
                    client.noop()
                return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"the LMTP server exited ({self.proc.returncode})") from None
                time.sleep(0.2)
        self.stop()
        raise RuntimeError("the LMTP server did not start")

    def cpu_seconds(self) -> float:
        """CPU time the server process has used (all its threads), from /proc."""
        fields = Path(f"/proc/{self.proc.pid}/stat").read_text().rpartition(")")[2].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        if self.log is not subprocess.DEVNULL:
            self.log.close()


def deliver(port: int, recipient: str, messages: list[tuple[str, str, bytes]],
            clients: int) -> dict:
    """Send every message from `clients` threads; latencies and failures."""
    pending = iter(messages)
    lock = threading.Lock()
    latencies: list[float] = []
    errors: list[str] = []

    def client() -> None:
        try:
            lmtp = smtplib.LMTP("127.0.0.1", port, timeout=60)
        except OSError as error:
            with lock:
                errors.append(f"connect: {error}")
            return
        with lmtp:
            while True:
                with lock:
                    item = next(pending, None)
                if item is None:
                    return
                _kind, sender, raw = item
                started = time.perf_counter()
                try:
                    refused = lmtp.sendmail(sender, [recipient], raw)
                    error = f"refused: {refused}" if refused else ""
                except smtplib.SMTPException as exc:
                    error = f"{type(exc).__name__}: {exc}"[:300]
                    lmtp.rset()
                elapsed = time.perf_counter() - started
                with lock:
                    (errors.append(error) if error else latencies.append(elapsed))

    threads = [threading.Thread(target=client) for _ in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seconds = time.perf_counter() - started
    return {"messages": len(latencies), "seconds": seconds, "latencies": latencies,
            "errors": errors}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))] if ordered else 0.0


def lmtp_intake(count: int, *, clients: int, recipient: str, tag: str, now,
                log: Path | None = None) -> dict:
    """The mix through a fresh `ventanilla mail lmtp` process."""
    originals = make_originals(max(20, count // 10), tag, now)
    mix = make_mix(count, tag, originals, now)
    server = LmtpServer(dict(os.environ), log)
    try:
        warm = deliver(server.port, recipient, [("plain", s, r) for s, _i, r in originals],
                       clients)
        if warm["errors"]:
            return {"messages": 0, "errors": len(warm["errors"]),
                    "error_samples": warm["errors"][:3]}
        load = os.getloadavg()[0]
        cpu = server.cpu_seconds()
        result = deliver(server.port, recipient, mix, clients)
        cpu = server.cpu_seconds() - cpu
    finally:
        server.stop()
    latencies = result["latencies"]
    ms = [x * 1000 for x in latencies]
    return {
        "messages": result["messages"], "clients": clients,
        "seconds": round(result["seconds"], 3),
        "per_second": round(result["messages"] / result["seconds"], 1) if result["seconds"] else None,
        "p50_ms": round(percentile(ms, 0.50), 1), "p95_ms": round(percentile(ms, 0.95), 1),
        "p99_ms": round(percentile(ms, 0.99), 1), "max_ms": round(max(ms), 1) if ms else 0,
        "mean_ms": round(statistics.fmean(ms), 1) if ms else 0,
        # The server process's own CPU per message, whatever else the machine
        # runs (the database server's, for PostgreSQL, is not in it).
        "server_cpu_ms_per_message": round(1000 * cpu / len(mix), 2) if mix else None,
        "bytes_mean": round(statistics.fmean(len(r) for _k, _s, r in mix)),
        "mix": {kind: sum(1 for k, _s, _r in mix if k == kind) for kind in sorted(set(MIX))},
        "loadavg_1m_start": round(load, 2), "loadavg_1m_end": round(os.getloadavg()[0], 2),
        "errors": len(result["errors"]), "error_samples": result["errors"][:3],
    }

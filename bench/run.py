"""`make bench`: measure Ventanilla on this machine, in one run.

For each backend (embedded SQLite; PostgreSQL with Redis) and each history
size (10k, 100k, 1M tickets) it grows the data set with `ventanilla
seed-scale`, starts `ventanilla serve` (uvicorn, --workers N), and drives
every scenario from a separate load-generator process over loopback,
bounded in requests and time. It prints a table and writes
bench/results/<date>-<backend>.json.

--quick (10k tickets, small counts) is the CI smoke check: it fails when any
scenario fails, and asserts nothing about timings."""

import argparse
import datetime
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PYTHON = sys.executable
SCENARIOS = ["floor", "create_ticket", "queue", "ticket_page", "history", "search"]
# Scenarios whose cost must not grow with history (p95 at 1M ≤ 1.5 × p95 at 10k).
FLAT = {"queue", "ticket_page", "history"}
# BENCH_PG_DB / BENCH_REDIS_URL: another database and Redis DB, so that two
# people benchmarking on one machine do not wipe each other's data.
PG_DB = os.environ.get("BENCH_PG_DB", "ventanilla_bench")
PG_URL = f"postgres://postgres@127.0.0.1:5432/{PG_DB}"
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/7")
# BENCH_DATA_DIR: another data directory (the backends' data sets and logs).
DATA_ROOT = Path(os.environ.get("BENCH_DATA_DIR") or ROOT / "bench" / "data")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def backend_env(backend: str, data_dir: Path) -> dict:
    env = {k: v for k, v in os.environ.items()
           if k not in {"DATABASE_URL", "REDIS_URL", "HUEY_IMMEDIATE"}}
    env.update(DJANGO_SETTINGS_MODULE="ventanilla.settings", VENTANILLA_DATA_DIR=str(data_dir),
               VENTANILLA_TICKET_CREATE_RATE="", PYTHONPATH=str(ROOT))
    if backend == "postgres":
        env.update(DATABASE_URL=PG_URL, REDIS_URL=REDIS_URL)
    return env


def ventanilla(env: dict, *args: str, capture: bool = False) -> str:
    result = subprocess.run([PYTHON, "-m", "ventanilla", *args], env=env, check=True,
                            capture_output=capture, text=True, cwd=ROOT)
    return result.stdout if capture else ""


def reset_backend(backend: str, data_dir: Path) -> None:
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    if backend == "postgres":
        for sql in (f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)", f"CREATE DATABASE {PG_DB}"):
            subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-qc", sql], check=True)
        import redis  # installed with the project (Huey's Redis storage)

        redis.Redis.from_url(REDIS_URL).flushdb()


def ticket_count(env: dict) -> int:
    out = ventanilla(env, "shell", "-c",
                     "from ventanilla.tickets.models import Ticket; print(Ticket.objects.count())",
                     capture=True)
    return int(out.strip().splitlines()[-1])


class Server:
    def __init__(self, env: dict, workers: int, log: Path):
        self.port = free_port()
        self.log = log.open("w")
        self.proc = subprocess.Popen(
            # --no-worker: the web tier alone. A consumer on the same two cores
            # would also be working off the email jobs earlier runs queued, so
            # figures at different sizes would not compare.
            [PYTHON, "-m", "ventanilla", "serve", "--workers", str(workers), "--no-worker"],
            env={**env, "HOST": "127.0.0.1", "PORT": str(self.port)}, cwd=ROOT,
            stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        self.base = f"http://127.0.0.1:{self.port}"
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{self.base}/salud/", timeout=2):
                    return
            except OSError:
                if self.proc.poll() is not None:
                    raise RuntimeError(f"server exited; see {log}") from None
                time.sleep(0.3)
        raise RuntimeError(f"server did not start; see {log}")

    def stop(self) -> None:
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.log.close()


def run_scenario(base: str, scenario: str, fixtures: dict, args) -> dict:
    out = subprocess.run(
        [PYTHON, str(ROOT / "bench" / "loadgen.py"), "--base", base, "--scenario", scenario,
         "--fixtures", json.dumps(fixtures), "--requests", str(args.requests),
         "--duration", str(args.duration), "--concurrency", str(args.concurrency)],
        check=True, capture_output=True, text=True, timeout=args.duration + 300)
    return json.loads(out.stdout)


def print_table(rows: list[dict]) -> None:
    head = f"{'backend':9} {'tickets':>9} {'scenario':14} {'req/s':>8} {'× floor':>8} " \
           f"{'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'n':>6} {'err':>4}"
    print(head)
    print("-" * len(head))
    for r in rows:
        print(f"{r['backend']:9} {r['tickets']:>9,} {r['scenario']:14} {r.get('rps', 0):>8.1f} "
              f"{r.get('ratio_to_floor', 0):>8.2f} {r.get('p50_ms', 0):>8.1f} "
              f"{r.get('p95_ms', 0):>8.1f} {r.get('p99_ms', 0):>8.1f} {r['requests']:>6} "
              f"{r['errors']:>4}")


def bench_backend(backend: str, sizes: list[int], args) -> list[dict]:
    data_dir = DATA_ROOT / backend
    env = backend_env(backend, data_dir)
    print(f"== {backend}: preparing", flush=True)
    if not args.keep_data:
        reset_backend(backend, data_dir)
    ventanilla(env, "migrate", "-v0")
    fixtures = json.loads(subprocess.run(
        [PYTHON, str(ROOT / "bench" / "prepare.py")], env=env, cwd=ROOT, check=True,
        capture_output=True, text=True).stdout)
    rows = []
    for size in sizes:
        missing = size - ticket_count(env)
        if missing < -size // 10:
            print(f"== {backend}: skipping {size:,}: the kept data set is larger", flush=True)
            continue
        if missing > 0:
            print(f"== {backend}: growing history to {size:,} tickets", flush=True)
            ventanilla(env, "seed-scale", "--tickets", str(missing), "--seed", str(size))
        server = Server(env, args.workers, data_dir / f"server-{size}.log")
        try:
            floor_rps = None
            for scenario in args.scenarios:
                result = run_scenario(server.base, scenario, fixtures, args)
                result.update(backend=backend, tickets=size, workers=args.workers)
                if scenario == "floor":
                    floor_rps = result.get("rps")
                if floor_rps and result.get("rps"):
                    result["ratio_to_floor"] = round(result["rps"] / floor_rps, 3)
                rows.append(result)
                print_table([result])
        finally:
            server.stop()
        if not args.no_sla:
            rows.append(bench_sla(env, backend, size, args))  # --- sla: the periodic SLA sweep ---
    return rows


# --- sla ---
def bench_sla(env: dict, backend: str, size: int, args) -> dict:
    """The periodic SLA sweep (bench/sla.py) on this data set, as a table row:
    p50/p95/p99 of an idle sweep (nothing due), plus a sweep with due tickets."""
    runs, due = (10, 20) if args.quick else (50, 200)
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "sla.py"), "--runs", str(runs),
                          "--due", str(due)], env=env, cwd=ROOT, capture_output=True, text=True)
    if out.returncode:
        return {"scenario": "sla_sweep", "backend": backend, "tickets": size, "requests": 0,
                "errors": 1, "error_samples": [out.stderr[-500:]]}
    result = json.loads(out.stdout)
    row = {"scenario": "sla_sweep", "backend": backend, "tickets": size, "requests": result["runs"],
           "errors": 0 if result["uses_index"] else 1, "error_samples": [] if result["uses_index"]
           else ["the due query does not use tk_sla_check"],
           "rps": round(1000 / max(result["idle_sweep_p50_ms"], 1e-3), 1),
           "p50_ms": result["idle_sweep_p50_ms"], "p95_ms": result["idle_sweep_p95_ms"],
           "p99_ms": result["idle_sweep_p99_ms"], "sla": result}
    print_table([row])
    d = result["due_sweep"]
    print(f"{backend:9} {size:>9,} sla due sweep: {d['due_tickets']} due tickets, "
          f"{d['escalations']} escalations in {d['ms']} ms ({d['ms_per_ticket']} ms/ticket); "
          f"{result['open']:,} open", flush=True)
    return row
# --- end sla ---


def bench_mail(backend: str, args) -> dict:
    """Email ingest throughput (bench/mail.py) on this backend's data set."""
    data_dir = DATA_ROOT / backend
    env = backend_env(backend, data_dir)
    messages, sample = (200, 5) if args.quick else (args.mail_messages, args.mail_pipe_sample)
    lmtp = 200 if args.quick else args.lmtp_messages
    print(f"== {backend}: email ingest, {messages:,} messages; LMTP {lmtp:,}", flush=True)
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "mail.py"), "--messages", str(messages),
                          "--pipe-sample", str(sample), "--lmtp-messages", str(lmtp),
                          "--lmtp-clients", str(args.lmtp_clients)], env=env, cwd=ROOT,
                         check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    for name, row in result.items():
        ratio = row.get("ratio_to_stdlib_parse")
        print(f"{backend:9} {name:22} {row['messages']:>7,} msgs {row['per_second'] or 0:>9.1f}/s"
              + (f"  ({ratio:.1%} of stdlib parsing)" if ratio else "")
              + (f"  p50 {row['p50_ms']} ms  p99 {row['p99_ms']} ms  clients {row['clients']}  "
                 f"server CPU {row.get('server_cpu_ms_per_message')} ms/msg  "
                 f"errors {row['errors']}" if "p99_ms" in row else "")
              + (f"  {row['seconds_per_message_p50']} s per message (p50), "
                 f"CPU {row.get('cpu_seconds_per_message')} s"
                 if "seconds_per_message_p50" in row else ""))
    return result


def mail_checks(backend: str, mail: dict) -> list[str]:
    """Every message through LMTP accepted (timings reported, not enforced:
    targets ≥ 200 messages/s, p99 < 200 ms, the pipe ≤ 0.5 s per message)."""
    notes = []
    lmtp = mail.get("ingest_lmtp")
    if lmtp is not None:
        if lmtp.get("errors") or not lmtp.get("messages"):
            notes.append(f"FAIL {backend} mail LMTP: {lmtp.get('errors')} errors "
                         f"{lmtp.get('error_samples')}")
        else:
            verdict = "ok" if lmtp["per_second"] >= 200 and lmtp["p99_ms"] < 200 else "SLOW"
            notes.append(f"{verdict} {backend} mail LMTP {lmtp['per_second']} messages/s, "
                         f"p99 {lmtp['p99_ms']} ms (target ≥ 200/s, p99 < 200 ms)")
    for name, how in [("ingest_pipe_command", "alone"), ("ingest_pipe_via_lmtp", "via LMTP")]:
        pipe = mail.get(name)
        if pipe is not None and pipe.get("failures"):
            notes.append(f"FAIL {backend} mail pipe {how}: {pipe['failures']} exits other than 0")
        elif pipe is not None and pipe.get("messages") and pipe.get("seconds_per_message_p50"):
            verdict = "ok" if pipe["seconds_per_message_p50"] <= 0.5 else "SLOW"
            notes.append(f"{verdict} {backend} mail pipe {how} {pipe['seconds_per_message_p50']} s "
                         f"per message (p50; target ≤ 0.5 s)")
    return notes


# --- kb: knowledge-base search latency (bench/kb.py) ---------------------------
def bench_kb(backend: str, args) -> dict:
    """Search latency over generated articles on this backend's data set."""
    data_dir = DATA_ROOT / backend
    env = backend_env(backend, data_dir)
    articles, queries = (1_000, 60) if args.quick else (args.kb_articles, 400)
    print(f"== {backend}: knowledge-base search, {articles:,} articles", flush=True)
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "kb.py"), "--articles", str(articles),
                          "--queries", str(queries)], env=env, cwd=ROOT, check=True,
                         capture_output=True, text=True)
    result = json.loads(out.stdout)
    for kind in ("question", "typing", "typo"):
        row = result[kind]
        print(f"{backend:9} kb search {kind:9} {result['articles']:>7,} articles "
              f"p50 {row['p50_ms']:>7.1f} ms  p95 {row['p95_ms']:>7.1f} ms  n {row['n']}")
    return result
# --- end kb ---------------------------------------------------------------------


# --- chat (bench/chat.py) ---------------------------------------------------
def bench_chat(backend: str, args) -> dict:
    """Live chat: N concurrent chats' message latency next to a bare
    WebSocket echo on the same server (bench/chat.py)."""
    data_dir = DATA_ROOT / backend
    env = backend_env(backend, data_dir)
    levels, messages, think = ("10,30", 3, 0.5) if args.quick else (args.chat_levels, 5, 5.0)
    print(f"== {backend}: live chat, {levels} concurrent chats", flush=True)
    out = subprocess.run([PYTHON, str(ROOT / "bench" / "chat.py"), "--levels", levels,
                          "--messages", str(messages), "--think", str(think),
                          "--workers", str(args.workers),
                          "--log", str(data_dir / "chat-server.log")],
                         env=env, cwd=ROOT, check=True, capture_output=True, text=True)
    result = json.loads(out.stdout)
    for level in result["levels"]:
        for name in ("echo_floor", "stored_and_acked", "delivered_to_agent"):
            row = level[name]
            print(f"{backend:9} chats={level['chats']:<5} {name:19} p50 {row['p50_ms']} ms  "
                  f"p95 {row['p95_ms']} ms  p99 {row['p99_ms']} ms  n={row['messages']} "
                  f"err={row['errors']}")
    return result


def chat_checks(backend: str, chat: dict) -> list[str]:
    return [f"FAIL {backend} chat {level['chats']}: {level['stored_and_acked']['errors']} errors"
            for level in chat.get("levels", [])
            if level["stored_and_acked"]["errors"] or not level["stored_and_acked"]["messages"]]
# --- end chat ------------------------------------------------------------------


def checks(rows: list[dict]) -> list[str]:
    """The properties the numbers must show (reported, and enforced in CI
    only for correctness: every scenario must have run without errors)."""
    notes = []
    by = {(r["backend"], r["tickets"], r["scenario"]): r for r in rows}
    for (backend, tickets, scenario), r in by.items():
        if r["errors"] or not r["requests"]:
            notes.append(f"FAIL {backend} {tickets:,} {scenario}: {r['errors']} errors "
                         f"{r['error_samples']}")
    sizes = sorted({r["tickets"] for r in rows})
    if len(sizes) > 1:
        small, large = sizes[0], sizes[-1]
        for backend in sorted({r["backend"] for r in rows}):
            for scenario in FLAT:
                a, b = by.get((backend, small, scenario)), by.get((backend, large, scenario))
                if a and b and a.get("p95_ms") and b.get("p95_ms"):
                    growth = b["p95_ms"] / a["p95_ms"]
                    verdict = "ok" if growth <= 1.5 else "GROWS"
                    notes.append(f"{verdict} {backend} {scenario}: p95 {a['p95_ms']} ms at "
                                 f"{small:,} → {b['p95_ms']} ms at {large:,} ({growth:.2f}×)")
    for r in rows:
        if r["scenario"] == "create_ticket" and r.get("ratio_to_floor") is not None:
            verdict = "ok" if r["ratio_to_floor"] >= 0.4 else "LOW"
            notes.append(f"{verdict} {r['backend']} {r['tickets']:,} create_ticket at "
                         f"{r['ratio_to_floor']:.0%} of the floor's req/s")
    return notes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="10k tickets, small counts (CI)")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--sizes", default="10000,100000,1000000")
    parser.add_argument("--workers", type=int, default=2, help="uvicorn worker processes")
    parser.add_argument("--requests", type=int, default=2000, help="max requests per scenario")
    parser.add_argument("--duration", type=float, default=20.0, help="max seconds per scenario")
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--mail-messages", type=int, default=10_000,
                        help="messages for the email ingest benchmark")
    parser.add_argument("--mail-pipe-sample", type=int, default=50,
                        help="messages through the real `ventanilla mail pipe` (a process each)")
    parser.add_argument("--lmtp-messages", type=int, default=2_000,
                        help="messages of the realistic mix through `ventanilla mail lmtp`")
    parser.add_argument("--lmtp-clients", type=int, default=4,
                        help="LMTP client connections delivering at once")
    parser.add_argument("--no-mail", action="store_true", help="skip the email ingest benchmark")
    parser.add_argument("--kb-articles", type=int, default=10_000,
                        help="articles for the knowledge-base search benchmark")
    parser.add_argument("--no-kb", action="store_true", help="skip the knowledge-base benchmark")
    parser.add_argument("--no-chat", action="store_true", help="skip the live chat benchmark")
    parser.add_argument("--chat-levels", default="100,500,1000", help="concurrent chats")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS),
                        help="comma-separated, in order (the floor first: the ratios need it)")
    parser.add_argument("--tag", default="", help="results file suffix, e.g. before / after")
    parser.add_argument("--note", default="", help="written into the results file (conditions)")
    parser.add_argument("--no-sla", action="store_true", help="skip the SLA sweep benchmark")
    parser.add_argument("--keep-data", action="store_true",
                        help="grow the existing data set instead of starting afresh")
    args = parser.parse_args()
    args.scenarios = [s for s in args.scenarios.split(",") if s]
    unknown = set(args.scenarios) - set(SCENARIOS)
    if unknown:
        parser.error(f"unknown scenarios: {', '.join(sorted(unknown))}")
    if args.quick:
        args.sizes, args.requests, args.duration, args.concurrency = "10000", 60, 5.0, 2
    sizes = [int(s) for s in args.sizes.split(",")]
    results_dir = ROOT / "bench" / "results"
    results_dir.mkdir(parents=True, exist_ok=True)
    all_rows = []
    chat_notes = []
    for backend in args.backends.split(","):
        load_start = [round(x, 2) for x in os.getloadavg()]
        rows = bench_backend(backend, sizes, args)
        all_rows += rows
        mail = bench_mail(backend, args) if not args.no_mail else {}
        kb = bench_kb(backend, args) if not args.no_kb else {}
        chat = bench_chat(backend, args) if not args.no_chat else {}
        chat_notes += chat_checks(backend, chat) + mail_checks(backend, mail)
        stamp = datetime.date.today().isoformat()
        suffix = ("-quick" if args.quick else "") + (f"-{args.tag}" if args.tag else "")
        out = results_dir / f"{stamp}-{backend}{suffix}.json"
        out.write_text(json.dumps({
            "date": stamp, "backend": backend, "quick": args.quick, "workers": args.workers,
            "cpus": os.cpu_count(), "python": sys.version.split()[0],
            # The machine may be shared (other test runs): the load average
            # at the start and end of this backend's run says how much.
            "loadavg_start": load_start, "loadavg_end": [round(x, 2) for x in os.getloadavg()],
            "note": args.note, "rows": rows, "mail": mail,
            "kb": kb, "chat": chat,
            "checks": checks(rows) + mail_checks(backend, mail)}, indent=2, ensure_ascii=False))
        print(f"wrote {out.relative_to(ROOT)}")
    print()
    print_table(all_rows)
    notes = checks(all_rows) + chat_notes
    print()
    print("\n".join(notes))
    return 1 if any(n.startswith("FAIL") for n in notes) else 0


if __name__ == "__main__":
    sys.exit(main())

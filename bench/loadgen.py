"""Load generator for `make bench`: runs in its own process, drives one
scenario against a running server over loopback and prints JSON stats.

Standard library only: one keep-alive HTTP/1.1 connection and one cookie jar
per thread. Every run is bounded by a request count and a duration."""

import argparse
import http.client
import json
import re
import statistics
import sys
import threading
import time
import urllib.parse
from http.cookies import SimpleCookie

CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


class Session:
    """A browser-like client: cookies, CSRF token, keep-alive connection."""

    def __init__(self, base: str):
        parts = urllib.parse.urlsplit(base)
        self.host, self.port = parts.hostname, parts.port or 80
        self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
        self.cookies: dict[str, str] = {}

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict | None = None) -> tuple[int, bytes]:
        headers = dict(headers or {})
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        headers.setdefault("Host", f"{self.host}:{self.port}")
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        except (http.client.HTTPException, OSError):
            # The server closed the keep-alive connection: reconnect once.
            self.conn.close()
            self.conn = http.client.HTTPConnection(self.host, self.port, timeout=60)
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
        data = response.read()
        for header in response.msg.get_all("Set-Cookie") or []:
            cookie = SimpleCookie()
            cookie.load(header)
            for key, morsel in cookie.items():
                self.cookies[key] = morsel.value
        return response.status, data

    def get(self, path: str) -> tuple[int, bytes]:
        return self.request("GET", path)

    def post_form(self, path: str, fields: dict, referer_path: str) -> tuple[int, bytes]:
        body = urllib.parse.urlencode(fields).encode()
        return self.request("POST", path, body, {
            "Content-Type": "application/x-www-form-urlencoded",
            "Referer": f"http://{self.host}:{self.port}{referer_path}",
            "X-CSRFToken": self.cookies.get("csrftoken", ""),
        })

    def csrf_from(self, path: str) -> str:
        status, html = self.get(path)
        match = CSRF_INPUT.search(html.decode("utf-8", "replace"))
        if status != 200 or not match:
            raise RuntimeError(f"no CSRF form at {path} (HTTP {status})")
        return match.group(1)

    def login(self, email: str, password: str) -> None:
        token = self.csrf_from("/cuenta/login/")
        status, _ = self.post_form("/cuenta/login/", {
            "csrfmiddlewaretoken": token, "login": email, "password": password,
        }, "/cuenta/login/")
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"login failed for {email} (HTTP {status})")


def login_cookies(base: str, name: str, fx: dict) -> dict[str, str]:
    """One login per scenario, shared by every thread (the login rate limit
    would refuse one per thread)."""
    if name == "floor":
        return {}
    session = Session(base)
    customer = name in {"create_ticket", "history"}
    session.login(fx["customer_email" if customer else "agent_email"], fx["password"])
    return session.cookies


def scenario_setup(name: str, session: Session, fx: dict):
    """Return a function doing one request (returning the HTTP status) and
    the status that counts as success."""
    if name == "floor":
        return (lambda: session.get("/salud/")[0]), 200
    if name == "create_ticket":
        token = session.csrf_from("/cliente/tickets/nuevo/")
        counter = iter(range(10**9))

        def create():
            n = next(counter)
            return session.post_form("/cliente/tickets/nuevo/", {
                "csrfmiddlewaretoken": token, "department": fx["department_id"],
                "category": fx["category_id"], "service": "", "priority": "regular",
                "subject": f"Prueba de carga {n}: el correo no llega",
                "body": "Desde ayer no llegan los correos a contacto@ejemplo.mx; adjunto rebote 550.",
            }, "/cliente/tickets/nuevo/")[0]
        return create, 302
    paths = {
        "queue": f"/consola/?departamento={fx['department_slug']}",
        "ticket_page": f"/consola/tickets/{fx['ticket_number']}/",
        "history": "/cliente/tickets/",
        "search": f"/consola/?q={urllib.parse.quote(fx['search_text'])}",
    }
    path = paths[name]
    return (lambda: session.get(path)[0]), 200


def run(base: str, name: str, fx: dict, *, requests: int, duration: float, concurrency: int,
        warmup: int) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    remaining = [requests]
    deadline = [0.0]
    ready = threading.Barrier(concurrency + 1)
    cookies = login_cookies(base, name, fx)

    def worker():
        try:
            session = Session(base)
            session.cookies.update(cookies)
            one, ok = scenario_setup(name, session, fx)
            for _ in range(warmup):
                one()
        except Exception as exc:  # noqa: BLE001 - reported in the JSON
            with lock:
                errors.append(f"setup: {exc}")
            ready.wait()
            return
        ready.wait()
        while True:
            with lock:
                if remaining[0] <= 0 or time.monotonic() > deadline[0]:
                    return
                remaining[0] -= 1
            started = time.perf_counter()
            try:
                status = one()
            except Exception as exc:  # noqa: BLE001
                status = f"{type(exc).__name__}: {exc}"
            elapsed = time.perf_counter() - started
            with lock:
                if status == ok:
                    latencies.append(elapsed)
                elif len(errors) < 20:
                    errors.append(f"HTTP {status}")

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    deadline[0] = time.monotonic() + duration + 600  # set properly after the barrier
    ready.wait()
    started = time.monotonic()
    deadline[0] = started + duration
    for thread in threads:
        thread.join()
    wall = time.monotonic() - started
    result = {"scenario": name, "requests": len(latencies), "errors": len(errors),
              "error_samples": errors[:5], "seconds": round(wall, 3),
              "concurrency": concurrency}
    if latencies:
        ordered = sorted(latencies)

        def pct(p):
            return round(ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000, 2)

        result.update(rps=round(len(latencies) / wall, 1), p50_ms=pct(50), p95_ms=pct(95),
                      p99_ms=pct(99), mean_ms=round(statistics.fmean(ordered) * 1000, 2))
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--base", required=True)
    parser.add_argument("--scenario", required=True)
    parser.add_argument("--fixtures", required=True, help="JSON from bench/prepare.py")
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument("--concurrency", type=int, default=4)
    parser.add_argument("--warmup", type=int, default=3)
    args = parser.parse_args(argv)
    fixtures = json.loads(args.fixtures)
    result = run(args.base, args.scenario, fixtures, requests=args.requests,
                 duration=args.duration, concurrency=args.concurrency, warmup=args.warmup)
    json.dump(result, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())

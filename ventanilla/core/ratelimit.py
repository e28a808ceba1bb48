"""Fixed-window counters in the default cache, for limits allauth does not
cover (allauth.core.ratelimit reads its rates from ACCOUNT_RATE_LIMITS only).

`consume` counts first and compares after, in one atomic step of the cache
(Redis's INCR, or SqliteCache's `UPDATE ... RETURNING`): of any number of
concurrent requests, exactly as many as the limit allows get through. The
old check-then-work-then-count let 60 concurrent portal creations through a
20-per-hour limit (issue 17, A6). A refused use is taken back at once, so
refusals never count; a caller whose work then fails (an invalid form, a
service error) gives its use back with `Usage.refund()`: what counts is
only what was done.

The cache is shared by every server process: Redis when REDIS_URL is set,
else a SQLite file in the data directory (ventanilla.core.cache.SqliteCache),
so a limit holds across web workers, the job consumer and `mail pipe`.
"""

import re
from dataclasses import dataclass

from django.core.cache import cache

RATE_RE = re.compile(r"^\s*(\d+)\s*/\s*(\d*)\s*([smhd])\s*$")
RATE_UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int] | None:
    """"20/h" or "5/10m" as (amount, seconds); None (no limit) when empty or invalid."""
    match = RATE_RE.match(rate or "")
    if not match:
        return None
    amount, multiplier, unit = match.groups()
    return int(amount), int(multiplier or 1) * RATE_UNITS[unit]


@dataclass
class Usage:
    """One counted use; `refund()` gives it back (once) when the work failed."""

    cache_key: str | None  # None: no limit was set, nothing was counted

    def refund(self) -> None:
        if self.cache_key is None:
            return
        key, self.cache_key = self.cache_key, None
        try:
            cache.decr(key)
        except ValueError:  # the window ended meanwhile: nothing to give back
            pass


def _cache_key(action: str, key: str) -> str:
    return f"ratelimit:{action}:{key}"


def _count(cache_key: str, seconds: int) -> int:
    """Add one use and return the window's count, atomically; the window
    starts at its first use."""
    while True:
        if cache.add(cache_key, 1, timeout=seconds):
            return 1
        try:
            count = cache.incr(cache_key)
        except ValueError:  # the window ended between add and incr: start one
            continue
        if count <= 1:
            # Redis's INCR recreates a key that expired under it, without a
            # timeout: give the new window its end.
            cache.touch(cache_key, seconds)
        return count


def consume(action: str, key: str, rate: str) -> Usage | None:
    """Count one use of `action` by `key` against `rate` ("20/h"): a Usage
    when it fits in the limit, None (and nothing counted) when it does not.
    An empty or invalid rate means no limit."""
    parsed = parse_rate(rate)
    if parsed is None:
        return Usage(None)
    amount, seconds = parsed
    cache_key = _cache_key(action, key)
    if _count(cache_key, seconds) > amount:
        Usage(cache_key).refund()  # refusals do not count
        return None
    return Usage(cache_key)


def exceeded(action: str, key: str, rate: str) -> bool:
    """Whether the limit is already reached, without counting. Only to show
    it in advance: a check followed by work is racy, use `consume`."""
    parsed = parse_rate(rate)
    return parsed is not None and cache.get(_cache_key(action, key), 0) >= parsed[0]


def hit(action: str, key: str, rate: str) -> None:
    """Count one use without asking: for uses that count whatever happens."""
    parsed = parse_rate(rate)
    if parsed is not None:
        _count(_cache_key(action, key), parsed[1])

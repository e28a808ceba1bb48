"""A fixed-window counter in the cache, for limits allauth does not cover
(allauth.core.ratelimit reads its rates from ACCOUNT_RATE_LIMITS only).

The cache is shared through Redis when REDIS_URL is set, so the limit holds
across server processes."""

import re

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


def exceeded(action: str, key: str, rate: str) -> bool:
    parsed = parse_rate(rate)
    return parsed is not None and cache.get(f"ratelimit:{action}:{key}", 0) >= parsed[0]


def hit(action: str, key: str, rate: str) -> None:
    """Count one use; the window starts at the first use."""
    parsed = parse_rate(rate)
    if parsed is None:
        return
    cache_key = f"ratelimit:{action}:{key}"
    if not cache.add(cache_key, 1, timeout=parsed[1]):
        try:
            cache.incr(cache_key)
        except ValueError:  # expired in between
            cache.add(cache_key, 1, timeout=parsed[1])

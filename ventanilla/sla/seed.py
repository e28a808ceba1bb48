"""Default response-time policies, from INTROSERV's contact page (seed 003):
a support ticket gets an initial response in 10 minutes, an email in 15–30
minutes, a chat is picked up at once; Alta is treated first (stricter).

(channel, priority, first response, next response, resolution) in minutes;
None: no target."""

DEFAULT_POLICIES = [
    ("portal", "regular", 10, 60, None),
    ("portal", "alta", 5, 30, 8 * 60),
    ("email", "regular", 30, 120, None),
    ("email", "alta", 15, 60, 8 * 60),
    ("chat", "regular", 1, 5, None),
    ("chat", "alta", 1, 2, 4 * 60),
]


def seed_policies(SlaPolicy) -> None:
    """Create the default policies that are missing (never overwrite an
    admin's changes)."""
    for channel, priority, first, following, resolution in DEFAULT_POLICIES:
        SlaPolicy.objects.get_or_create(
            channel=channel, priority=priority,
            defaults=dict(first_response_minutes=first, next_response_minutes=following,
                          resolution_minutes=resolution),
        )

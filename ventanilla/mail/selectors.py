"""Reads about notifications that did not reach their recipients: the
console's banner and page for supervisors, the ticket page's warning and the
health endpoint (/salud/notificaciones/)."""

from dataclasses import dataclass
from datetime import timedelta

from django.core.cache import cache
from django.db.models import Count, Q
from django.utils import timezone

from .models import NotificationOutbox, OutboundEmail

# A pending email or outbox row older than this is overdue: its first
# attempts failed, or no worker is running.
OVERDUE = timedelta(minutes=15)
PROBLEMS_CACHE_KEY = "mail:delivery-problems"
# The console's banner reads the counts at most this often (every console
# page of a supervisor would count otherwise).
PROBLEMS_CACHE_SECONDS = 30


@dataclass(frozen=True)
class DeliveryProblems:
    failed_emails: int
    overdue_emails: int
    failed_builds: int
    overdue_builds: int

    @property
    def failed(self) -> int:
        return self.failed_emails + self.failed_builds

    @property
    def overdue(self) -> int:
        return self.overdue_emails + self.overdue_builds


def delivery_problems(*, cached: bool = False) -> DeliveryProblems:
    """Counts only, nothing about whom or what."""
    if cached:
        problems = cache.get(PROBLEMS_CACHE_KEY)
        if problems is not None:
            return problems
    late = timezone.now() - OVERDUE
    emails = OutboundEmail.objects.filter(
        Q(status=OutboundEmail.Status.FAILED)
        | Q(status=OutboundEmail.Status.PENDING, created_at__lte=late))
    builds = NotificationOutbox.objects.filter(
        Q(status=NotificationOutbox.Status.FAILED)
        | Q(status=NotificationOutbox.Status.PENDING, created_at__lte=late))
    by_status = {
        "failed": Count("pk", filter=Q(status=OutboundEmail.Status.FAILED)),
        "overdue": Count("pk", filter=Q(status=OutboundEmail.Status.PENDING)),
    }
    email_counts = emails.aggregate(**by_status)
    build_counts = builds.aggregate(**by_status)  # the same two status values
    problems = DeliveryProblems(
        failed_emails=email_counts["failed"], overdue_emails=email_counts["overdue"],
        failed_builds=build_counts["failed"], overdue_builds=build_counts["overdue"],
    )
    cache.set(PROBLEMS_CACHE_KEY, problems, PROBLEMS_CACHE_SECONDS)
    return problems


def forget_delivery_problems() -> None:
    cache.delete(PROBLEMS_CACHE_KEY)


def failed_emails(limit: int = 200) -> list[OutboundEmail]:
    return list(
        OutboundEmail.objects.filter(status=OutboundEmail.Status.FAILED)
        .select_related("ticket").defer("text_body", "html_body")
        .order_by("-created_at", "-pk")[:limit]
    )


def failed_builds(limit: int = 200) -> list[NotificationOutbox]:
    return list(
        NotificationOutbox.objects.filter(status=NotificationOutbox.Status.FAILED)
        .select_related("ticket").order_by("-created_at", "-pk")[:limit]
    )


def ticket_undelivered(ticket) -> list[OutboundEmail]:
    """The ticket's emails that did not arrive: failed for good, or still
    being retried after an error (one query)."""
    return list(
        OutboundEmail.objects.filter(ticket=ticket)
        .filter(Q(status=OutboundEmail.Status.FAILED)
                | (Q(status=OutboundEmail.Status.PENDING) & ~Q(last_error="")))
        .defer("text_body", "html_body").order_by("created_at", "pk")
    )

"""Reads of the notification center."""

from ventanilla.accounts.models import Customer

from .models import Kind, Notification, Preference

PAGE_SIZE = 30


def unread_count_for_user(user) -> int:
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(customer__user=user, read_at__isnull=True).count()


def customer_notifications(customer: Customer):
    return Notification.objects.filter(customer=customer)


def notification_for_customer(customer: Customer, notification_id: int) -> Notification | None:
    return Notification.objects.filter(customer=customer, pk=notification_id).first()


def preferences_for(customer: Customer) -> dict[str, bool]:
    """Email on or off per kind; a kind without a row is on."""
    chosen = dict(Preference.objects.filter(customer=customer).values_list("kind", "email"))
    return {kind: chosen.get(kind, True) for kind in Kind.values}

from django.db import transaction

from .models import Customer, User


@transaction.atomic
def customer_for_new_user(*, user: User) -> Customer:
    """Link a newly signed-up user to the customer account with their email,
    creating it when the billing system has not synced one yet."""
    customer, _created = Customer.objects.get_or_create(
        email=user.email.lower(), defaults={"name": user.full_name or user.email.split("@")[0]}
    )
    if customer.user_id is None:
        customer.user = user
        customer.save(update_fields=["user"])
    return customer

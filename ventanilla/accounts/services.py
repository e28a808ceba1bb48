from django.db import transaction
from django.utils.translation import gettext as _

from .models import Customer, User

# The holder of requests that match no account ("No puedo iniciar sesión"
# with an unknown email or domain): .invalid (RFC 2606) never receives mail.
UNMATCHED_EMAIL = "sin-cuenta@ventanilla.invalid"


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


# --- Guest customers and strangers --------------------------------------------
# The one rule for "who holds what arrives under an email address". A guest
# customer is the record of an address no account uses (an unknown email
# sender, a visitor): no login, no services. Someone who proved nothing and
# typed an account's address or domain is a stranger: what they write goes
# to that account's unverified holder, never to the account.

def customer_by_address(address: str) -> Customer | None:
    """The customer whose registered (or login) address this is."""
    address = address.strip().lower()
    if not address:
        return None
    return (
        Customer.objects.select_related("user").filter(email__lower=address).first()
        or Customer.objects.select_related("user").filter(user__email__lower=address).first()
    )


def guest_customer(address: str, name: str) -> Customer:
    """The guest customer of an address (created the first time it writes)."""
    address = address.strip().lower()
    customer, _created = Customer.objects.get_or_create(
        email=address, defaults={"name": name.strip()[:150] or address.split("@")[0]})
    return customer


def is_guest(customer: Customer) -> bool:
    """A record nobody has proved to own: no login, no services."""
    return (not customer.unverified and customer.user_id is None
            and not customer.services.exists())


def unverified_holder(account: Customer | None) -> Customer:
    """Where a stranger's request in the name of `account` waits for proof
    (one holder per account; one for requests that match no account)."""
    if account is None:
        holder, _created = Customer.objects.get_or_create(
            email=UNMATCHED_EMAIL,
            defaults={"name": _("Solicitudes sin cuenta identificada"), "unverified": True})
    elif account.unverified:
        return account
    else:
        holder, _created = Customer.objects.get_or_create(
            email=f"sin-verificar-{account.pk}@ventanilla.invalid",
            defaults={"name": (_("%(name)s (sin verificar)") % {"name": account.name})[:150],
                      "unverified": True, "unverified_for": account})
    if not holder.unverified:  # created before holders were flagged
        holder.unverified = True
        holder.save(update_fields=["unverified"])
    return holder


def customer_for_stranger(email: str, name: str) -> Customer:
    """Who holds what someone who proved nothing (a public form, a visitor
    chat) wrote under this address: the address's guest customer, or when
    the address is an account's, that account's unverified holder."""
    found = customer_by_address(email)
    if found is None:
        return guest_customer(email, name)
    if is_guest(found):
        return found
    return unverified_holder(found)


"""Tickets written by strangers in the name of an account, and how they
join it.

A public form or a visitor chat that names an account's email or domain
opens its ticket for that account's unverified holder
(accounts.services.customer_for_stranger), never for the account: the
customer's history, dashboard, API and notifications read the account's
tickets, so they cannot see it. The registered address is told that
someone asked in its name, with a link to confirm; the ticket moves to the
account (with a "verificado" event) when the customer confirms by that
link, logs in and claims it, or an agent checks the support PIN."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from ventanilla.accounts.models import Customer

from .models import Message, Ticket, TicketEvent

CONFIRM_SALT = "ventanilla.tickets.confirm-unverified"
CONFIRM_MAX_AGE = timedelta(days=7)

HOW = {
    "enlace": gettext_lazy("confirmado desde el correo registrado"),
    "sesion": gettext_lazy("reclamado por el cliente con su sesión"),
    "pin": gettext_lazy("PIN de soporte verificado por un agente"),
}


class ConfirmLinkExpired(Exception):
    pass


# --- Reads ------------------------------------------------------------------------

def is_unverified(ticket: Ticket) -> bool:
    return ticket.customer.unverified


def pending_for(account: Customer):
    """The tickets strangers opened in this account's name, still waiting
    for proof: what the customer may claim."""
    return (Ticket.objects.filter(customer__unverified=True, customer__unverified_for=account)
            .select_related("department").order_by("-created_at"))


def confirm_token(ticket: Ticket) -> str:
    return signing.dumps({"t": ticket.pk, "a": ticket.customer.unverified_for_id},
                         salt=CONFIRM_SALT, compress=True)


def ticket_for_confirm_token(token: str) -> tuple[Ticket, Customer] | None:
    """The ticket and account a confirm link names, or None when the link
    is forged or the ticket no longer waits for that account. Raises
    ConfirmLinkExpired for a genuine link older than CONFIRM_MAX_AGE."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
    except signing.SignatureExpired as error:
        raise ConfirmLinkExpired from error
    except signing.BadSignature:
        return None
    if not isinstance(data, dict):
        return None
    ticket = (Ticket.objects.select_related("customer__unverified_for", "department")
              .filter(pk=data.get("t")).first())
    if ticket is None:
        return None
    account = Customer.objects.filter(pk=data.get("a")).select_related("user").first()
    if account is None:
        return None
    return ticket, account


def confirm_url(ticket: Ticket) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("portal:unverified_confirm",
                                                   args=[confirm_token(ticket)])


def first_message(ticket: Ticket) -> Message | None:
    return ticket.messages.filter(kind=Message.Kind.CUSTOMER).order_by("created_at", "id").first()


# --- Writes -----------------------------------------------------------------------

def ticket_verify(ticket: Ticket, *, account: Customer, how: str, actor=None) -> Ticket:
    """Move a stranger's ticket into `account`'s history: proof came by the
    confirm link, the customer's own session or the support PIN (`how`)."""
    assert how in HOW, how
    with transaction.atomic():
        ticket = (Ticket.objects.select_for_update(of=("self",))
                  .select_related("customer").get(pk=ticket.pk))
        holder = ticket.customer
        if not holder.unverified or holder.unverified_for_id != account.pk:
            raise ValidationError(_("Esta solicitud no está pendiente de confirmar en tu cuenta."),
                                  code="not_pending")
        ticket.customer = account
        ticket.save(update_fields=["customer"])
        TicketEvent.objects.create(
            ticket=ticket, kind=TicketEvent.Kind.VERIFIED, actor=actor,
            from_value=_("Sin verificar"), to_value=f"{account.email} ({HOW[how]})"[:200],
            created_at=timezone.now())
    return ticket


# --- Notifications (a hook of ventanilla.mail.outbound) -----------------------------

def unverified_recipients_hook(kind, ticket, message, recipients: list[str]) -> list[str]:
    """A stranger's ticket gets no receipt "as if you wrote it": the
    registered address of the possible account is told that someone asked
    in its name (with the confirm link), and later emails (an agent's
    reply) go only there — never to an address typed by the stranger, nor
    to participants. Nothing is sent when no account matched."""
    holder = ticket.customer
    if not holder.unverified:
        return recipients
    account = holder.unverified_for
    if account is None:
        return []
    if kind == "created":
        _request_in_your_name_queue(ticket, account)
        return []
    return [account.email] if recipients else []


def _request_in_your_name_queue(ticket: Ticket, account: Customer) -> None:
    from ventanilla.core.models import SiteSettings
    from ventanilla.mail import outbound

    # The stranger's text stays off the email (we are no relay for what
    # anyone types); the confirm page shows it to whoever holds the link.
    rendered = outbound.render("ticket_unverified", {
        "ticket": ticket, "account": account, "site": SiteSettings.load(),
        "confirm_url": confirm_url(ticket),
        "claim_url": settings.SITE_URL.rstrip("/") + reverse("portal:unverified_list"),
        "days": CONFIRM_MAX_AGE.days,
    }, language=outbound.customer_language(account))
    outbound.email_queue(kind="no_verificado", to=[account.email], rendered=rendered,
                         headers={"Auto-Submitted": "auto-replied",
                                  "X-Auto-Response-Suppress": "OOF, AutoReply",
                                  **outbound.thread_headers(ticket)},
                         ticket=ticket)

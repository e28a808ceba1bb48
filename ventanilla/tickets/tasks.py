from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ventanilla.core.models import SiteSettings

from .models import Message, Ticket

EMAIL_KINDS = {"created", "reply", "resolved", "close_warning", "auto_closed"}


@db_task(retries=3, retry_delay=60)
def send_ticket_email(kind: str, ticket_id: int | None, message_id: int | None = None) -> None:
    assert kind in EMAIL_KINDS
    message = None
    if message_id is not None:
        message = Message.objects.select_related("ticket", "author").get(pk=message_id)
        ticket = message.ticket
    else:
        ticket = Ticket.objects.get(pk=ticket_id)
    ticket = Ticket.objects.select_related("customer__user", "department").get(pk=ticket.pk)
    customer = ticket.customer
    language = customer.user.language if customer.user_id else settings.LANGUAGE_CODE
    site = SiteSettings.load()
    context = {
        "ticket": ticket, "message": message, "customer": customer,
        "site": site, "site_url": settings.SITE_URL, "days": site.auto_close_days,
    }
    with translation.override(language):
        subject = render_to_string(f"emails/ticket_{kind}_subject.txt", context).strip()
        body = render_to_string(f"emails/ticket_{kind}.txt", context)
    EmailMessage(subject=" ".join(subject.split()), body=body, to=[customer.email]).send()


@db_periodic_task(crontab(minute=f"*/{settings.VENTANILLA['AUTO_CLOSE_EVERY_MINUTES']}"))
def auto_close_sweep() -> None:
    from .services import tickets_auto_close

    tickets_auto_close()

"""The consent request email: the action to authorize and a signed link
that opens the answer page without logging in.

Built right after the request's transaction commits, logged as an
OutboundEmail and sent by the mail app's job (retries included)."""

from django.conf import settings
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from ventanilla.core.models import SiteSettings
from ventanilla.mail import outbound

from .models import ConsentRequest

KIND = "consent_request"


def consent_recipients(ticket) -> list[str]:
    return outbound.ticket_recipients(ticket)


def consent_requested(request_id: int) -> None:
    from .services import consent_token

    request = ConsentRequest.objects.select_related(
        "ticket__customer__user", "ticket__department", "requested_by").get(pk=request_id)
    ticket = request.ticket
    to = consent_recipients(ticket)
    if not to:
        return
    site = SiteSettings.load()
    context = {
        "request": request, "ticket": ticket, "customer": ticket.customer, "site": site,
        "site_url": settings.SITE_URL,
        "answer_url": settings.SITE_URL + reverse("fields:consent_link",
                                                  args=[consent_token(request)]),
        "ticket_url": settings.SITE_URL + reverse("portal:ticket_detail", args=[ticket.number]),
    }
    language = outbound.customer_language(ticket.customer)
    with translation.override(language):
        context["language"] = language
        subject = " ".join(render_to_string("fields/emails/consent_request_subject.txt",
                                            context).split())
        rendered = outbound.Rendered(
            subject=subject[:300],
            text=render_to_string("fields/emails/consent_request.txt", context),
            html=render_to_string("fields/emails/consent_request.html",
                                  {**context, "subject": subject}),
        )
    headers = {
        "Reply-To": outbound.department_mailbox_address(ticket) or settings.DEFAULT_FROM_EMAIL,
        **outbound.thread_headers(ticket),
        "X-Auto-Response-Suppress": "OOF, AutoReply",
    }
    outbound.email_queue(kind=KIND, to=to, rendered=rendered, headers=headers, ticket=ticket)

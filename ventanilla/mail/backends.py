"""An email "connection" that hands messages to the outbound log instead of
the SMTP server.

Emails written by code we do not own (allauth's verification, password
reset, "someone tried to sign up with your address"...) are EmailMessage
objects sent with message.send(). Given this connection, send() stores each
message as an OutboundEmail row (pendiente) and queues its job on commit:
the same retries with backoff, sweep and "fallido" in the admin as the
ticket notifications, and the page that caused it answers at once even while
the mail server is down."""

from django.core.mail.backends.base import BaseEmailBackend

from . import outbound

# OutboundEmail.kind of emails whose text gives access to an account (a
# password reset link, a login code): the admin does not show their bodies.
ACCOUNT_KIND_PREFIX = "auth:"


class OutboxBackend(BaseEmailBackend):
    """send_messages() logs and queues; it never talks to a mail server."""

    def __init__(self, *, kind: str, headers: dict[str, str] | None = None, **kwargs):
        super().__init__(**kwargs)
        self.kind = kind[:30]  # OutboundEmail.kind's length
        self.headers = headers or {}

    def send_messages(self, email_messages) -> int:
        for message in email_messages:
            outbound.email_queue(
                kind=self.kind, to=list(message.to), rendered=rendered_of(message),
                headers={**self.headers, **message.extra_headers},
            )
        return len(email_messages)


def rendered_of(message) -> outbound.Rendered:
    """Subject, text and HTML of an EmailMessage (an EmailMultiAlternatives
    with an HTML alternative, or a message whose body is HTML)."""
    if message.content_subtype == "html":
        return outbound.Rendered(subject=message.subject, text="", html=message.body)
    html = next((content for content, mimetype in getattr(message, "alternatives", [])
                 if mimetype == "text/html"), "")
    return outbound.Rendered(subject=message.subject, text=message.body, html=html)

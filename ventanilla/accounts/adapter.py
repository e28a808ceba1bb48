from types import SimpleNamespace
from urllib.parse import urlsplit

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings

from ventanilla.core.models import SiteSettings


def brand_site() -> SimpleNamespace:
    """What allauth's emails call the site: our configured name and public
    address, not the Host header of the request that caused them."""
    return SimpleNamespace(name=SiteSettings.load().site_name,
                           domain=urlsplit(settings.SITE_URL).netloc)


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        """A sign-up creates the customer account that owns tickets and services."""
        user.full_name = form.cleaned_data.get("full_name", "")
        user = super().save_user(request, user, form, commit=commit)
        if commit:
            from .services import customer_for_new_user

            customer_for_new_user(user=user)
        return user

    def render_mail(self, template_prefix, email, context, headers=None):
        """allauth's emails (verification, password reset, login codes...)
        are not sent inside the request: send() logs each one as an
        OutboundEmail and queues it, with the notifications' retries and
        sweep. With the mail server down, signing up and asking for a reset
        still answer, and the email goes out once the server is back."""
        from ventanilla.mail.backends import ACCOUNT_KIND_PREFIX, OutboxBackend

        context = {**context, "current_site": brand_site()}
        message = super().render_mail(template_prefix, email, context, headers=headers)
        message.connection = OutboxBackend(
            kind=ACCOUNT_KIND_PREFIX + template_prefix.rsplit("/", 1)[-1],
            # Written by the system: autoresponders should not answer it.
            headers={"Auto-Submitted": "auto-generated"},
        )
        return message

    def format_email_subject(self, subject):
        return f"[{brand_site().name}] {subject}"

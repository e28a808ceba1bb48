"""The portal's side of masking: ticket messages written in the client
area go through the same filter as chat messages, and the sender is told."""

from django.contrib import messages

from .sensitive import mask_sensitive, masked_notice


def mask_portal_body(request, body: str) -> str:
    masked = mask_sensitive(body)
    if masked.changed:
        messages.warning(request, masked_notice(masked.found))
    return masked.text

"""The one-click satisfaction survey in the Resuelto email: each link
carries a signed token naming the ticket, and the score."""

from django.core import signing

SALT = "ventanilla.sla.survey"
MAX_AGE = 60 * 60 * 24 * 30  # a month to answer


def survey_token(ticket_id: int) -> str:
    return signing.TimestampSigner(salt=SALT).sign_object({"t": ticket_id})


def ticket_id_from_token(token: str) -> int | None:
    try:
        data = signing.TimestampSigner(salt=SALT).unsign_object(token, max_age=MAX_AGE)
    except signing.BadSignature:
        return None
    ticket_id = data.get("t") if isinstance(data, dict) else None
    return ticket_id if isinstance(ticket_id, int) else None

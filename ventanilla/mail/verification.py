"""Is the From address really the sender's? A message counts as verified
when our own receiving server says DMARC passed (its Authentication-Results
header, trusted only from the hosts in VENTANILLA["MAIL_TRUSTED_AUTHSERV"]),
or when a DKIM signature of the From domain verifies here with dkimpy.

Anyone can write an Authentication-Results header into a message; only the
receiving server's own can be believed, so the setting names its authserv-id
and the server must drop forged headers carrying that id (RFC 8601 §5,
done by OpenDMARC, rspamd and Dovecot/Postfix setups that add the header).
We also read only the topmost header from a trusted host: one added by the
sender sits below the one our server prepends."""

import re
from collections.abc import Callable, Iterable

import dkim
from django.conf import settings

from .parsing import ParsedEmail
from .slices import dkim_verifier

DnsFunc = Callable[..., bytes | None]

COMMENT_RE = re.compile(r"\([^()]*\)")


def trusted_authserv_ids() -> set[str]:
    return {h.strip().lower() for h in settings.VENTANILLA.get("MAIL_TRUSTED_AUTHSERV", []) if h.strip()}


def domain_of(address: str) -> str:
    return address.rpartition("@")[2].strip().lower().rstrip(".")


def aligned(signing_domain: str, from_domain: str) -> bool:
    """DMARC's relaxed alignment: the same domain or a parent of it."""
    signing_domain = signing_domain.strip().lower().rstrip(".")
    return bool(signing_domain) and (
        from_domain == signing_domain or from_domain.endswith("." + signing_domain)
    )


def dmarc_passed(headers: Iterable[str], from_domain: str, trusted: set[str]) -> bool:
    """The topmost Authentication-Results from a trusted host says dmarc=pass
    for the From domain."""
    if not trusted or not from_domain:
        return False
    for header in headers:
        text = COMMENT_RE.sub(" ", header)
        authserv, _, results = text.partition(";")
        authserv_id = (authserv.split() or [""])[0].lower()
        if authserv_id not in trusted:
            continue
        for result in results.split(";"):
            match = re.match(r"\s*dmarc\s*=\s*(\w+)", result, re.IGNORECASE)
            if not match:
                continue
            header_from = re.search(r"header\.from\s*=\s*([^\s;]+)", result, re.IGNORECASE)
            if header_from and header_from.group(1).strip().lower().rstrip(".") != from_domain:
                return False
            return match.group(1).lower() == "pass"
        return False  # the trusted server's verdict had no DMARC result
    return False


def dkim_passed(raw: bytes, from_domain: str, *, dnsfunc: DnsFunc | None = None) -> bool:
    """Some DKIM-Signature whose d= aligns with the From domain, signing the
    From header, verifies."""
    if not from_domain or b"dkim-signature" not in raw[:200_000].lower():
        return False
    try:
        verifier = dkim_verifier(raw)
        signatures = [value for name, value in verifier.headers if name.lower() == b"dkim-signature"]
    except Exception:
        return False
    for index, value in enumerate(signatures[:5]):
        try:
            tags = dkim.util.parse_tag_value(value)
            signing_domain = tags.get(b"d", b"").decode("ascii", "replace")
            signed = [h.strip().lower() for h in tags.get(b"h", b"").split(b":")]
            if not aligned(signing_domain, from_domain) or b"from" not in signed:
                continue
            kwargs = {"dnsfunc": dnsfunc} if dnsfunc is not None else {}
            if verifier.verify(idx=index, **kwargs):
                return True
        except Exception:
            continue
    return False


def sender_verified(raw: bytes, parsed: ParsedEmail, *, dnsfunc: DnsFunc | None = None) -> bool:
    """Never raises: anything odd means "not verified". A sender read from
    Sender or Reply-To (no readable From), or from header lines a strict
    parser would have put in the body, is never verified: DKIM and DMARC
    vouch for the From header as the receiving server read it."""
    try:
        if parsed.sender_header != "From" or parsed.headers_repaired:
            return False
        from_domain = domain_of(parsed.from_address)
        if not from_domain:
            return False
        if dmarc_passed(parsed.authentication_results, from_domain, trusted_authserv_ids()):
            return True
        return dkim_passed(raw, from_domain, dnsfunc=dnsfunc)
    except Exception:
        return False


def ticket_has_unverified_sender(ticket) -> bool:
    """The latest email stored in the ticket came from an unverified sender:
    the console warns agents not to disclose account data."""
    from .models import InboundMessage

    latest = (
        InboundMessage.objects.filter(ticket=ticket, status=InboundMessage.Status.STORED)
        .order_by("-received_at", "-id")
        .values_list("sender_verified", flat=True)
        .first()
    )
    return latest is False

"""When are two deliveries the same email? A pure function of the raw bytes.

Not when they share a Message-ID: mailers and forwarding services reuse ids
(a template's fixed id, a re-sent draft, a bug), and a different message
with a reused id is a new message that must be stored. A redelivery is
the same bytes as the first delivery, except what the mail servers on the
way add to every copy: the trace (Received, Return-Path, Delivered-To,
X-Original-To...), the receiving side's verdicts (Authentication-Results,
ARC, spam and virus scores) and a mailbox's bookkeeping (mbox "From " line,
Status, X-UID), and CRLF or LF line ends. The same email delivered to two of
our mailboxes, redelivered by an MTA after a temporary failure, or fetched
again from IMAP has the same fingerprint; any change in what its author
wrote (another header, another body) gives another."""

import hashlib
import re

# Header fields a server on the way adds or rewrites on each copy (lower case).
TRACE_FIELDS = frozenset({
    # Trace and envelope (RFC 5321 §4.4, and the MDAs' own).
    "received", "x-received", "return-path", "delivered-to", "x-delivered-to", "x-original-to",
    "envelope-to", "x-envelope-to", "x-envelope-from", "x-rcpt-to", "x-original-recipient",
    # The receiving side's verdicts, which differ between two receptions.
    "authentication-results", "received-spf", "x-virus-scanned", "x-virus-status",
    # A mailbox's bookkeeping (mbox, Dovecot, IMAP fetches).
    "status", "x-status", "x-keywords", "x-uid", "content-length", "lines",
})
TRACE_PREFIXES = ("arc-", "x-spam", "x-ham-", "x-rspamd", "x-amavis", "x-ms-exchange-organization-",
                  "x-forefront-antispam", "x-microsoft-antispam")

FIELD_NAME_RE = re.compile(rb"^([!-9;-~]+)[ \t]*:")


def _is_trace(name: bytes) -> bool:
    name_text = name.decode("ascii", "replace").lower()
    return name_text in TRACE_FIELDS or name_text.startswith(TRACE_PREFIXES)


def _author_headers(header_block: bytes) -> list[bytes]:
    """The header lines, without the fields added on the way (a field is its
    line and its continuation lines)."""
    kept: list[bytes] = []
    dropping = False
    for line in header_block.split(b"\n"):
        if line[:1] in (b" ", b"\t"):
            if not dropping:
                kept.append(line)
            continue
        match = FIELD_NAME_RE.match(line)
        dropping = bool(match) and _is_trace(match.group(1))
        if not dropping:
            kept.append(line)
    return kept


def redelivery_key(raw: bytes) -> str:
    """"sha256:<hex>" of the message as its author's mailer sent it."""
    data = bytes(raw or b"").replace(b"\r\n", b"\n")
    if data.startswith(b"From ") and not data.startswith(b"From :"):
        data = data.partition(b"\n")[2]  # the mbox separator line an MDA may prepend
    header_block, separator, body = data.partition(b"\n\n")
    if not separator and not FIELD_NAME_RE.match(header_block):
        header_block, body = b"", data  # no header block at all
    normalized = b"\n".join(_author_headers(header_block)) + b"\n\n" + body.rstrip(b"\n")
    return "sha256:" + hashlib.sha256(normalized).hexdigest()

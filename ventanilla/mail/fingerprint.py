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

FIELD_NAME_RE = re.compile(rb"([!-9;-~]+)[ \t]*:")  # used with .match: anchored


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


BLANK_LINE_RE = re.compile(rb"\r?\n\r?\n")
# The body is hashed a slice at a time: a 20 MB message costs no copy of it.
SLICE = 1024 * 1024


def redelivery_key(raw: bytes) -> str:
    """"sha256:<hex>" of the message as its author's mailer sent it."""
    raw = raw if isinstance(raw, bytes) else bytes(raw or b"")
    start = 0
    if raw.startswith(b"From ") and not raw.startswith(b"From :"):
        start = raw.find(b"\n") + 1 or len(raw)  # the mbox line an MDA may prepend
    if raw.startswith((b"\n", b"\r\n"), start):
        header_end = start  # no header block at all
        body_start = raw.index(b"\n", start) + 1
    elif match := BLANK_LINE_RE.search(raw, start):
        header_end, body_start = match.start(), match.end()
    elif FIELD_NAME_RE.match(raw, start):
        header_end = body_start = len(raw)  # headers only
    else:
        header_end = body_start = start  # not an email: all body
    digest = hashlib.sha256()
    header = raw[start:header_end].replace(b"\r\n", b"\n")
    digest.update(b"\n".join(_author_headers(header)) + b"\n\n")
    _update_with_lf(digest, memoryview(raw)[body_start:_end_of_text(raw, body_start)])
    return "sha256:" + digest.hexdigest()


def _end_of_text(raw: bytes, start: int) -> int:
    """Where the body ends without its trailing line ends (LF or CRLF): a
    final newline an MDA adds is not the author's."""
    end = len(raw)
    while end > start:
        if raw[end - 1] == 0x0A:
            end -= 1
        elif raw[end - 1] == 0x0D and end < len(raw) and raw[end] == 0x0A:
            end -= 1  # the CR of a CRLF whose LF went just before
        else:
            break
    return end


def _update_with_lf(digest, body: memoryview) -> None:
    """Hash `body` with CRLF read as LF, a slice at a time (a CRLF cut
    between two slices included)."""
    carry = b""
    for offset in range(0, len(body), SLICE):
        piece = carry + bytes(body[offset:offset + SLICE])
        carry = b"\r" if piece.endswith(b"\r") else b""
        digest.update((piece[:-1] if carry else piece).replace(b"\r\n", b"\n"))
    digest.update(carry)

"""Raw RFC 822 bytes → ParsedEmail: pure functions, no database.

Everything here must survive whatever arrives: unknown charsets, broken
MIME, headers in raw 8-bit, nesting bombs. Nothing raises out of
parse_email() for malformed input; problems are listed in `defects`.

We parse with the compat32 policy and decode headers ourselves: the modern
policy parses headers lazily and, on some malformed address headers, raises
when a header is read, which would turn a bad message into a crash."""

import codecs
import email
import email.parser
import email.utils
import mimetypes
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.header import decode_header
from email.message import Message
from html.parser import HTMLParser
from pathlib import PurePosixPath

import nh3

from .slices import decoded_payload, message_from_bytes

MAX_DEPTH = 8  # nested multiparts / forwarded messages followed at most this deep
MAX_PARTS = 500  # parts walked per message; the rest is reported as a defect


@dataclass(frozen=True)
class Address:
    name: str
    address: str  # lowercased; "" when absent or unparseable


@dataclass(frozen=True)
class ParsedAttachment:
    filename: str
    content: bytes
    content_type: str
    inline: bool = False
    content_id: str = ""


@dataclass(frozen=True)
class ParsedEmail:
    message_id: str
    in_reply_to: str
    references: list[str]
    subject: str
    sender: Address  # the From header
    to: list[Address]
    cc: list[Address]
    date: datetime | None
    text: str  # text/plain preferred; HTML-only mail converted to text
    html: str  # sanitized with nh3; "" when the mail has no HTML part
    new_text: str  # `text` without quoted history and signature
    attachments: list[ParsedAttachment]
    is_auto_reply: bool
    is_bounce: bool
    is_forward: bool
    authentication_results: list[str]
    defects: list[str] = field(default_factory=list)

    @property
    def from_address(self) -> str:
        return self.sender.address

    @property
    def from_name(self) -> str:
        return self.sender.name

    def thread_ids(self) -> list[str]:
        """In-Reply-To first, then References newest first."""
        ids = [self.in_reply_to] if self.in_reply_to else []
        ids += [ref for ref in reversed(self.references) if ref not in ids]
        return ids


# --- Charsets and headers -------------------------------------------------

# Mail labelled Latin-1 or ASCII is very often windows-1252 (Outlook's curly
# quotes, €): cp1252 decodes every Latin-1 text the same way, and more.
CHARSET_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "us-ascii": "cp1252", "ascii": "cp1252", "ansi_x3.4-1968": "cp1252",
    "windows-1252": "cp1252", "x-user-defined": "cp1252", "ks_c_5601-1987": "cp949",
    "gb2312": "gb18030", "gbk": "gb18030",
}


def _codec(charset: str | None) -> str | None:
    charset = (charset or "").strip().strip("\"'").lower()
    if not charset:
        return None
    charset = CHARSET_ALIASES.get(charset, charset)
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return None
    # bytes.decode refuses non-text codecs (base64, zlib...) with LookupError.
    return info.name if getattr(info, "_is_text_encoding", True) else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset; undeclared or unknown ones try UTF-8,
    then windows-1252. Never raises."""
    codec = _codec(charset)
    if codec and codec != "cp1252":
        try:
            return data.decode(codec, errors="replace")
        except (LookupError, UnicodeError, ValueError, TypeError):
            pass
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unescape_8bit(value: str) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogate escapes."""
    if any("\udc80" <= ch <= "\udcff" for ch in value):
        return decode_bytes(value.encode("ascii", "surrogateescape"))
    return value


def decode_header_value(value) -> str:
    """An RFC 2047 header (encoded words in any charset) as text."""
    if value is None:
        return ""
    try:
        value = str(value)
    except Exception:
        return ""
    value = _unescape_8bit(value)
    if "=?" not in value:
        return _clean_header_text(value)
    try:
        chunks = decode_header(value)
    except Exception:
        return _clean_header_text(value)
    out = []
    for chunk, charset in chunks:
        if isinstance(chunk, bytes):
            out.append(decode_bytes(chunk, charset))
        else:
            out.append(chunk)
    return _clean_header_text("".join(out))


def _clean_header_text(value: str) -> str:
    # Folded lines and control characters do not belong in one-line fields.
    value = re.sub(r"[\x00-\x1f\x7f]+", " ", value)
    return re.sub(r"\s{2,}", " ", value).strip()


def _raw_values(msg: Message, name: str) -> list[str]:
    """A header's values as received: compat32 would wrap 8-bit ones in an
    "unknown-8bit" Header whose str() loses the text."""
    name = name.lower()
    try:
        return [str(v) for k, v in msg.raw_items() if str(k).lower() == name]
    except Exception:
        return []


def _header(msg: Message, name: str) -> str:
    values = _raw_values(msg, name)
    return decode_header_value(values[0]) if values else ""


def _raw_headers(msg: Message, name: str) -> list[str]:
    return [_clean_header_text(_unescape_8bit(v)) for v in _raw_values(msg, name)]


ADDRESS_RE = re.compile(r"^[^@\s<>\"(),;:\[\]]+@[^@\s<>\"(),;:\[\]]+\.[^@\s<>\"(),;:\[\]]+$")


def _addresses(msg: Message, name: str) -> list[Address]:
    values = []
    for value in _raw_headers(msg, name):
        values.append(value)
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:
        return []
    result = []
    for display, address in pairs:
        address = (address or "").strip().lower()
        if not ADDRESS_RE.match(address):
            continue
        result.append(Address(name=decode_header_value(display)[:150], address=address[:254]))
    return result


MSGID_RE = re.compile(r"<[^<>\s]{1,298}>")


def _message_ids(value: str) -> list[str]:
    return MSGID_RE.findall(value or "")


def _first_message_id(msg: Message, name: str) -> str:
    value = _header(msg, name)
    ids = _message_ids(value)
    if ids:
        return ids[0]
    # Some software omits the angle brackets: keep the bare token.
    value = value.strip().split()[0] if value.strip() else ""
    return f"<{value[:296]}>" if value else ""


# --- MIME structure ---------------------------------------------------------


@dataclass
class _Collected:
    plain: list[str] = field(default_factory=list)
    html: list[str] = field(default_factory=list)
    attachments: list[ParsedAttachment] = field(default_factory=list)
    defects: list[str] = field(default_factory=list)
    parts: int = 0


def _content_type(part: Message) -> str:
    try:
        return part.get_content_type().lower()
    except Exception:
        return "application/octet-stream"


def _disposition(part: Message) -> str:
    try:
        return (part.get_content_disposition() or "").lower()
    except Exception:
        return ""


def _filename(part: Message) -> str:
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # an RFC 2231 value get_param left encoded
        try:
            name = email.utils.collapse_rfc2231_value(name)
        except Exception:
            name = ""
    return decode_header_value(name)


def _payload(part: Message, collected: _Collected) -> bytes:
    try:
        data = decoded_payload(part)
    except Exception as error:
        collected.defects.append(f"payload: {error!r}")
        return b""
    if data is None:
        return b""
    if isinstance(data, str):
        return data.encode("utf-8", "surrogateescape")
    return data


def safe_filename(name: str, content_type: str, index: int) -> str:
    """A file name without directories or control characters, with an
    extension when the sender gave none."""
    name = name.replace("\\", "/")
    name = PurePosixPath(name).name if name else ""
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".")
    if not name:
        extension = mimetypes.guess_extension(content_type) or ".bin"
        name = f"adjunto-{index}{extension}"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot else name[:200]
    return name


SKIPPED_TYPES = {
    "text/rfc822-headers", "application/pgp-signature", "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}


def _collect(part: Message, collected: _Collected, depth: int) -> None:
    collected.parts += 1
    if collected.parts > MAX_PARTS:
        if collected.parts == MAX_PARTS + 1:
            collected.defects.append(f"more than {MAX_PARTS} MIME parts")
        return
    if depth > MAX_DEPTH:
        collected.defects.append("MIME nesting too deep")
        return
    for defect in getattr(part, "defects", []) or []:
        collected.defects.append(type(defect).__name__)
    content_type = _content_type(part)
    if content_type == "message/rfc822":
        _collect_forwarded(part, collected, depth)
        return
    if content_type.startswith("message/") or content_type in SKIPPED_TYPES:
        return  # delivery reports and signatures: nothing a person wrote
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    _collect(sub, collected, depth + 1)
        return
    disposition = _disposition(part)
    filename = _filename(part)
    is_body = disposition != "attachment" and not filename
    if is_body and content_type == "text/plain":
        collected.plain.append(decode_bytes(_payload(part, collected), _charset(part)))
        return
    if is_body and content_type == "text/html":
        collected.html.append(decode_bytes(_payload(part, collected), _charset(part)))
        return
    data = _payload(part, collected)
    if not data and not filename:
        return
    content_id = _header(part, "Content-ID").strip("<> ")
    collected.attachments.append(ParsedAttachment(
        filename=safe_filename(filename, content_type, len(collected.attachments) + 1),
        content=data,
        content_type=content_type,
        inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        content_id=content_id[:200],
    ))


def _charset(part: Message) -> str | None:
    try:
        charset = part.get_param("charset")
    except Exception:
        return None
    if isinstance(charset, tuple):
        charset = charset[2] if len(charset) == 3 else None
    return charset if isinstance(charset, str) else None


def _collect_forwarded(part: Message, collected: _Collected, depth: int) -> None:
    """A message attached to the message (Outlook's "forward as attachment"):
    its text joins the body under a header block, its files join ours."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    nested = _Collected(parts=collected.parts)
    _collect(inner, nested, depth + 1)
    collected.parts = nested.parts
    collected.defects.extend(nested.defects)
    collected.attachments.extend(nested.attachments)
    text = "\n".join(nested.plain) if nested.plain else html_to_text("\n".join(nested.html))
    sender = ", ".join(f"{a.name} <{a.address}>" if a.name else a.address
                       for a in _addresses(inner, "From"))
    header = [
        "---------- Mensaje reenviado ----------",
        f"De: {sender}",
        f"Fecha: {_header(inner, 'Date')}",
        f"Asunto: {_header(inner, 'Subject')}",
    ]
    collected.plain.append("\n".join(header) + "\n\n" + text.strip())


# --- HTML -------------------------------------------------------------------

# Blocks set off by a blank line, and blocks that only start a new line.
PARAGRAPH_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "table", "ul", "ol", "hr", "dl",
    "section", "article", "header", "footer", "address",
}
LINE_TAGS = {"div", "li", "tr", "dt", "dd"}
SKIPPED_TAGS = {"script", "style", "head", "title", "template", "noscript"}


class _TextExtractor(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.lines: list[str] = []
        self.current: list[str] = []
        self.skip = 0
        self.quote = 0
        self.pre = 0
        self.href: list[str | None] = []

    def flush(self, force: bool = False):
        text = "".join(self.current)
        self.current = []
        if not self.pre:
            text = re.sub(r"[ \t\r\n\f\v]+", " ", text).strip()
        if not text and not force:
            return
        prefix = "> " * self.quote
        for line in text.split("\n"):
            self.lines.append((prefix + line).rstrip())

    def paragraph(self):
        self.flush()
        blank = ("> " * self.quote).rstrip()
        if self.lines and self.lines[-1] != blank:
            self.lines.append(blank)

    def _boundary(self, tag):
        if tag in PARAGRAPH_TAGS:
            self.paragraph()
        elif tag in LINE_TAGS:
            self.flush()

    def handle_starttag(self, tag, attrs):
        if tag in SKIPPED_TAGS:
            self.skip += 1
            return
        if tag == "br":
            self.flush(force=True)
            return
        self._boundary(tag)
        if tag == "blockquote":
            self.quote += 1
        elif tag == "pre":
            self.pre += 1
        elif tag == "li":
            self.current.append("- ")
        elif tag == "a":
            self.href.append(dict(attrs).get("href"))
        elif tag == "img":
            alt = dict(attrs).get("alt")
            if alt:
                self.current.append(f"[{alt}]")

    def handle_endtag(self, tag):
        if tag in SKIPPED_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag == "a" and self.href:
            href = self.href.pop()
            text = "".join(self.current)
            if href and href.startswith(("http://", "https://")) and href not in text:
                self.current.append(f" ({href})")
        self._boundary(tag)
        if tag == "blockquote":
            self.quote = max(0, self.quote - 1)
        elif tag == "pre":
            self.pre = max(0, self.pre - 1)

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag not in {"br", "hr", "img"}:
            self.handle_endtag(tag)

    def handle_data(self, data):
        if not self.skip:
            self.current.append(data)


def html_to_text(html: str) -> str:
    """Readable text from an HTML mail: blocks become lines, blockquotes
    become "> " quotes (so quote stripping works on them), links keep their URL."""
    if not html:
        return ""
    parser = _TextExtractor()
    try:
        parser.feed(html)
        parser.close()
    except Exception:
        return re.sub(r"<[^>]*>", " ", html)
    parser.flush()
    text = "\n".join(parser.lines)
    return re.sub(r"\n{3,}", "\n\n", text).strip()


def sanitize_html(html: str) -> str:
    """HTML safe to show agents: no scripts, styles, event handlers or remote
    images (tracking pixels); links open outside the app."""
    if not html:
        return ""
    try:
        tags = set(nh3.ALLOWED_TAGS) - {"img"}
        return nh3.clean(html, tags=tags, clean_content_tags={"script", "style", "title"},
                         link_rel="noopener noreferrer nofollow",
                         url_schemes={"http", "https", "mailto"})
    except Exception:
        return ""


# --- Quoted history and signatures ------------------------------------------

REPLY_HEADER_PATTERNS = [
    re.compile(r"^\s*El\s.{0,300}\sescribió:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*On\s.{0,300}\swrote:\s*$", re.IGNORECASE | re.DOTALL),
    re.compile(r"^\s*-{2,}\s*(Original Message|Mensaje original)\s*-{2,}\s*$", re.IGNORECASE),
    re.compile(r"^\s*_{10,}\s*$"),  # Outlook's rule above "De: ... Enviado: ..."
]
OUTLOOK_FROM = re.compile(r"^\s*\*?(De|From)\s*:\*?\s*\S", re.IGNORECASE)
OUTLOOK_SENT = re.compile(r"^\s*\*?(Enviado(\s+el)?|Sent)\s*:\*?\s*\S", re.IGNORECASE)
SIGNATURE_RE = re.compile(r"^--\s?$")
MOBILE_SIGNATURE_RE = re.compile(
    r"^\s*(Enviado desde mi|Sent from my|Obtener Outlook para|Get Outlook for)\b", re.IGNORECASE
)


def _is_reply_header(lines: list[str], index: int) -> bool:
    line = lines[index]
    headers = REPLY_HEADER_PATTERNS[:3]
    if len(line) < 400 and any(p.match(line) for p in headers):
        return True
    # Gmail wraps a long "El ... escribió:" over two lines.
    following = lines[index + 1] if index + 1 < len(lines) else ""
    if (following.rstrip().endswith(":") and not any(p.match(following) for p in headers)
            and len(line) + len(following) < 400
            and any(p.match(line + " " + following) for p in headers)):
        return True
    if REPLY_HEADER_PATTERNS[3].match(line):
        following = lines[index + 1:index + 3]
        return any(OUTLOOK_FROM.match(f) for f in following)
    if OUTLOOK_FROM.match(line):
        return any(OUTLOOK_SENT.match(f) for f in lines[index + 1:index + 4])
    return False


def strip_quoted(text: str) -> str:
    """The new part of a reply: everything above the first reply header
    ("El ... escribió:", "On ... wrote:", Outlook's "De: ... Enviado: ...",
    "-----Original Message-----") or signature separator ("-- "), without
    "> " quoted lines and trailing "Enviado desde mi iPhone"."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    kept: list[str] = []
    for index, line in enumerate(lines):
        if SIGNATURE_RE.match(line) or _is_reply_header(lines, index):
            break
        if line.lstrip().startswith(">"):
            continue
        kept.append(line)
    while kept and (not kept[-1].strip() or MOBILE_SIGNATURE_RE.match(kept[-1])):
        kept.pop()
    while kept and not kept[0].strip():
        kept.pop(0)
    return "\n".join(kept)


# --- Loops and noise --------------------------------------------------------

AUTO_SUBJECT_RE = re.compile(
    r"^\s*(respuesta automática|respuesta automatica|automatic reply|auto-?reply|autoreply|"
    r"out of (the )?office|fuera de la oficina|ausente de la oficina|réponse automatique|"
    r"abwesenheitsnotiz)\s*(:|$)",
    re.IGNORECASE,
)
FORWARD_SUBJECT_RE = re.compile(r"^\s*(fwd?|rv|reenviar|reenviado|tr|wg)\s*:", re.IGNORECASE)


def _is_auto_reply(msg: Message, subject: str) -> bool:
    auto_submitted = _header(msg, "Auto-Submitted").split(";")[0].strip().lower()
    if auto_submitted and auto_submitted != "no":
        return True
    if _raw_values(msg, "X-Autoreply") or _raw_values(msg, "X-Autorespond"):
        return True
    if _header(msg, "Precedence").strip().lower() in {"bulk", "junk", "list", "auto_reply"}:
        return True
    if _content_type(msg) == "multipart/report" and _report_type(msg) == "disposition-notification":
        return True  # read receipts
    return bool(AUTO_SUBJECT_RE.match(subject))


def _report_type(msg: Message) -> str:
    try:
        value = msg.get_param("report-type")
    except Exception:
        return ""
    return value.strip().lower() if isinstance(value, str) else ""


def _is_bounce(msg: Message, sender: Address) -> bool:
    if _content_type(msg) == "multipart/report" and _report_type(msg) == "delivery-status":
        return True
    local = sender.address.split("@")[0]
    if local == "mailer-daemon":
        return True
    return "mailer-daemon" in _header(msg, "From").lower()


# --- The entry point ----------------------------------------------------------


def parse_email(raw: bytes) -> ParsedEmail:
    collected = _Collected()
    try:
        msg = message_from_bytes(raw or b"")
        _collect(msg, collected, 0)
    except RecursionError:
        # Thousands of nested multiparts exhaust the standard parser's stack:
        # keep the headers (who sent it, its Message-ID) and no body.
        msg = email.parser.BytesParser().parsebytes(raw, headersonly=True)
        collected = _Collected(defects=["MIME nesting too deep"])
    subject = _header(msg, "Subject")
    senders = _addresses(msg, "From")
    sender = senders[0] if senders else Address(name=_header(msg, "From")[:150], address="")
    if collected.plain:
        text = "\n\n".join(t.strip("\n") for t in collected.plain)
    else:
        text = html_to_text("\n".join(collected.html))
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    html = sanitize_html("\n".join(collected.html))
    is_forward = bool(FORWARD_SUBJECT_RE.match(subject))
    try:
        date = email.utils.parsedate_to_datetime(_header(msg, "Date"))
    except Exception:
        date = None
    references = _message_ids(_header(msg, "References"))
    return ParsedEmail(
        message_id=_first_message_id(msg, "Message-ID"),
        in_reply_to=(_message_ids(_header(msg, "In-Reply-To")) or [""])[0],
        references=references[-50:],
        subject=subject,
        sender=sender,
        to=_addresses(msg, "To"),
        cc=_addresses(msg, "Cc"),
        date=date,
        text=text,
        html=html,
        new_text=text if is_forward else strip_quoted(text),
        attachments=collected.attachments,
        is_auto_reply=_is_auto_reply(msg, subject),
        is_bounce=_is_bounce(msg, sender),
        is_forward=is_forward,
        authentication_results=_raw_headers(msg, "Authentication-Results"),
        defects=collected.defects[:50],
    )


TICKET_TOKEN_RE = re.compile(r"\[#\s*(\d{4,12})\s*\]")
SUBJECT_PREFIX_RE = re.compile(
    r"^\s*((re|rv|fw|fwd|res|aw|sv|tr|wg|reenviar|reenviado|respuesta)\s*(\[\d+\])?\s*:\s*)+",
    re.IGNORECASE,
)


def ticket_number_in(subject: str) -> str | None:
    match = TICKET_TOKEN_RE.search(subject or "")
    return match.group(1) if match else None


def clean_subject(subject: str) -> str:
    """A new ticket's subject: without "[#N]" tokens and RE:/RV:/FW: prefixes."""
    previous = None
    subject = subject or ""
    while previous != subject:
        previous = subject
        subject = TICKET_TOKEN_RE.sub(" ", subject)
        subject = SUBJECT_PREFIX_RE.sub("", subject)
        subject = re.sub(r"\s{2,}", " ", subject).strip()
    return subject

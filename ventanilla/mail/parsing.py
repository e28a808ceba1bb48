"""Raw RFC 822 bytes → ParsedEmail: pure functions, no database.

Everything here must survive whatever arrives: unknown charsets, broken
MIME, headers in raw 8-bit, nesting bombs. Nothing raises out of
parse_email() for malformed input; problems are listed in `defects`.

We parse with the compat32 policy and decode headers ourselves: the modern
policy parses headers lazily and, on some malformed address headers, raises
when a header is read, which would turn a bad message into a crash."""

import binascii
import codecs
import collections
import contextvars
import email
import email.generator
import email.message
import email.parser
import email.policy
import email.utils
import io
import mimetypes
import quopri
import re
from dataclasses import dataclass, field
from datetime import datetime
from email.message import Message
from html.parser import HTMLParser
from pathlib import PurePosixPath

import filetype
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
    # A forwarded message (.eml): its sender, date, subject and text, for a
    # ticket that cannot keep the file (too large).
    summary: str = ""


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
    is_bulk: bool = False  # from a mailing list or a bulk sender: never auto-answered
    # Where `sender` was read: "From", or "Sender"/"Reply-To" when the message
    # has no readable From. Only a From header ever counts as verified.
    sender_header: str = "From"
    headers_repaired: bool = False  # lines a strict parser would have ended the headers at

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
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "cp936": "gb18030",
    "windows-31j": "cp932", "x-sjis": "cp932", "x-euc-jp": "euc_jp", "tis-620": "cp874",
    "iso-8859-11": "cp874", "x-mac-roman": "mac_roman",
}
# Mailers write the vendor supersets (Windows' code pages) under the names of
# the standards: "Shift_JIS" with ① or NEC/IBM kanji is really cp932.
SUPERSETS = {
    "ascii": "cp1252", "latin_1": "cp1252", "iso8859-1": "cp1252", "iso8859-9": "cp1254",
    "iso8859-11": "cp874", "tis_620": "cp874", "shift_jis": "cp932", "shift_jis_2004": "cp932",
    "gb2312": "gb18030", "gbk": "gb18030", "euc_kr": "cp949", "big5": "cp950",
    "iso2022_jp": "iso2022_jp_ms", "iso2022_jp_1": "iso2022_jp_ms", "iso2022_jp_ext": "iso2022_jp_ms",
}
# What raw 8-bit headers in no declared charset are guessed among: the
# detector's guesses on short Latin text are worthless (that stays cp1252).
DETECTED_CHARSETS = ["gb18030", "cp932", "cp949", "cp950", "euc_jp", "cp1251", "koi8_r"]


def _codec(charset: str | None) -> str | None:
    charset = (charset or "").strip().strip("\"'").lower()
    charset = charset.split("*")[0]  # RFC 2231 language: "utf-8*es"
    if not charset:
        return None
    charset = CHARSET_ALIASES.get(charset, charset)
    try:
        info = codecs.lookup(charset)
    except (LookupError, ValueError, TypeError):
        return None
    # bytes.decode refuses non-text codecs (base64, zlib...) with LookupError.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return SUPERSETS.get(info.name, info.name)


def _strict(data: bytes, codec: str) -> str | None:
    try:
        if codec == "iso2022_jp_ms":
            return _decode_iso2022_jp(data)
        return data.decode(codec)
    except (LookupError, UnicodeError, ValueError, TypeError):
        return None


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


def _mostly_utf8(data: bytes) -> str | None:
    """UTF-8 with a few damaged sequences (a name cut mid-character by a
    length limit): many good multibyte characters for each bad byte."""
    text = data.decode("utf-8", errors="replace")
    bad = text.count("\ufffd")
    good = sum(1 for ch in text if ch > "\x7f") - bad
    return text if good >= 3 and bad * 4 <= good else None


def decode_bytes(data: bytes, charset: str | None = None) -> str:
    """Decode with the declared charset (as its vendor superset); bytes that
    are valid UTF-8 are UTF-8 whatever the label says (mislabelling is
    common, a chance match is not); undeclared or unknown charsets try UTF-8,
    then windows-1252. Never raises."""
    codec = _codec(charset)
    if not data.isascii() and not (codec or "").startswith(("utf_16", "utf_32", "utf-16", "utf-32")):
        text = _utf8(data)
        if text is not None:
            return text
    if codec and codec not in {"utf-8", "cp1252"}:
        text = _strict(data, codec)
        if text is not None:
            return text
        if codec != "iso2022_jp_ms":
            try:
                return data.decode(codec, errors="replace")
            except (LookupError, UnicodeError, ValueError, TypeError):
                pass
    if data.isascii():
        return data.decode("ascii")
    if codec == "utf-8" and _looks_multibyte(data):
        return data.decode("utf-8", errors="replace")  # UTF-8 with a damaged byte
    text = _mostly_utf8(data)
    if text is not None:
        return text
    return data.decode("cp1252", errors="replace")  # lone 8-bit bytes: Latin text


# ISO-2022-JP as Windows writes it (CP50220/50221): JIS X 0208 escapes that
# hold NEC's row 13 (①, ㈱, №) and IBM extensions, which Python's codecs
# refuse. Each two-byte JIS code becomes its Shift_JIS code, read as cp932.
ISO2022_JP_ESCAPE = re.compile(rb"\x1b(\$@|\$B|\$\(D|\(B|\(J|\(I|\$\(Q|\$\(O|\$\(P)")


def _decode_iso2022_jp(data: bytes) -> str:
    try:
        return data.decode("iso2022_jp_ext")
    except UnicodeDecodeError:
        pass
    out, mode, position = bytearray(), b"(B", 0
    for match in [*ISO2022_JP_ESCAPE.finditer(data), None]:
        chunk = data[position:match.start() if match else len(data)]
        if mode in {b"$@", b"$B", b"$(Q", b"$(O"}:
            chunk = chunk.replace(b"\n", b"").replace(b"\r", b"")
            for index in range(0, len(chunk) - 1, 2):
                out += _jis_to_sjis(chunk[index], chunk[index + 1])
        elif mode == b"(I":
            out += bytes(b + 0x80 if 0x21 <= b <= 0x5f else b for b in chunk)
        elif mode == b"$(D":
            out += b"?" * (len(chunk) // 2)  # JIS X 0212 has no cp932 form
        else:
            out += chunk.replace(b"\x0e", b"").replace(b"\x0f", b"")
        if match:
            mode, position = match.group(1), match.end()
    return bytes(out).decode("cp932", errors="replace")


def _jis_to_sjis(first: int, second: int) -> bytes:
    if not (0x21 <= first <= 0x7e and 0x21 <= second <= 0x7e):
        return b"?"
    lead = ((first - 0x21) >> 1) + 0x81
    if lead > 0x9f:
        lead += 0x40
    if first & 1:
        trail = second + 0x1f + (1 if second >= 0x60 else 0)
    else:
        trail = second + 0x7e
    return bytes((lead, trail))


class _HeaderCharsets:
    """How raw 8-bit header bytes of one message are read: UTF-8, else the
    charsets its parts declare, else a detector's guess over all its 8-bit
    header bytes together (more text, better guesses), else windows-1252.
    With a message, both are read from it only when an 8-bit header needs them."""

    def __init__(self, declared=(), sample: bytes = b"", message: Message | None = None):
        self._given, self._sample, self._message = list(declared), sample, message
        self._declared: list[str] | None = None
        self._detected: str | None | bool = False

    @property
    def declared(self) -> list[str]:
        if self._declared is None:
            charsets = self._given + (_part_charsets(self._message) if self._message is not None else [])
            self._declared = [c for c in dict.fromkeys(filter(None, map(_codec, charsets)))
                              if c not in {"utf-8", "cp1252"}]
        return self._declared

    def detected(self) -> str | None:
        if self._detected is False:
            sample = self._sample
            if self._message is not None:
                sample += _header_sample(self._message)
            self._detected = _detect(sample[:20_000])
        return self._detected

    def decode(self, data: bytes) -> str:
        if data.isascii():
            return data.decode("ascii")
        text = _utf8(data) or _mostly_utf8(data)
        if text is not None:
            return text
        for codec in self.declared:
            text = _strict(data, codec)
            if text is not None:
                return text
        if _looks_multibyte(data):
            codec = self.detected() or _detect(data)
            text = _strict(data, codec) if codec else None
            if text is not None:
                return text
        return data.decode("cp1252", errors="replace")


def _looks_multibyte(data: bytes) -> bool:
    """Most non-ASCII bytes come in runs, as in CJK or Cyrillic text; Latin
    text has lone accented letters (año, José)."""
    runs = re.findall(rb"[\x80-\xff]+", data)
    total = sum(len(run) for run in runs)
    return total > 0 and sum(len(run) for run in runs if len(run) > 1) * 2 > total


def _detect(data: bytes) -> str | None:
    if not data or not _looks_multibyte(data):
        return None
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(data[:20_000], cp_isolation=DETECTED_CHARSETS).best()
    except Exception:
        return None
    return _codec(best.encoding) if best is not None else None


SURROGATE_RE = re.compile("[\udc80-\udcff]")
_HEADER_CHARSETS: contextvars.ContextVar[_HeaderCharsets | None] = contextvars.ContextVar(
    "ventanilla_header_charsets", default=None)


def _unescape_8bit(value: str, charsets: _HeaderCharsets | None = None) -> str:
    """compat32 keeps raw 8-bit header bytes as surrogate escapes; raw
    ISO-2022-JP (escape sequences, no encoded word) is 7-bit."""
    if not value.isascii() and SURROGATE_RE.search(value):
        charsets = charsets or _HEADER_CHARSETS.get() or _HeaderCharsets()
        return charsets.decode(value.encode("ascii", "surrogateescape"))
    if "\x1b" in value and value.isascii() and ISO2022_JP_ESCAPE.search(value.encode("ascii")):
        return _decode_iso2022_jp(value.encode("ascii"))
    return value


# An RFC 2047 encoded word, leniently: any case, a language suffix, spaces
# left inside by folding, no spaces around it, inside quotes.
ENCODED_WORD_RE = re.compile(r"=\?([^?\s]{1,75})\?([bBqQ])\?(?:([^?]*)\?=|([^?\s\"]*))")
ENCODED_GAP_RE = re.compile(r"\?=[ \t\r\n]+(?==\?[^?\s]{1,75}\?[bBqQ]\?)")
# An encoded word that a broken folder split anywhere, even inside "=?".
_FOLD = r"(?:\r?\n[ \t]+)?"
FOLD_RE = re.compile(r"\r?\n[ \t]+")
FOLDED_WORD_RE = re.compile(
    rf"={_FOLD}\?{_FOLD}[^?\s]+(?:{_FOLD}[^?\s]+)*{_FOLD}\?{_FOLD}[bBqQ]{_FOLD}\?"
    rf"[^?\s]*(?:{_FOLD}[^?\s]+)*(?:{_FOLD}\?{_FOLD}=)?"
)


def decode_header_value(value, charsets: _HeaderCharsets | None = None, *,
                        keep_spaces: bool = False) -> str:
    """A header (or a parameter such as a file name) as text: RFC 2047
    encoded words in any charset, even malformed, and raw 8-bit bytes in the
    message's declared charsets or a detected one. `keep_spaces` keeps runs
    of spaces (a file name as written). Never raises."""
    if value is None:
        return ""
    try:
        value = str(value)
    except Exception:
        return ""
    value = _unescape_8bit(value, charsets)
    if "\n" in value and "=" in value:
        value = FOLDED_WORD_RE.sub(lambda match: FOLD_RE.sub("", match.group(0)), value)
    if "=?" in value:
        value = _decode_encoded_words(value)
    return _clean_header_text(value, keep_spaces=keep_spaces)


def _decode_encoded_words(value: str) -> str:
    # Whitespace between adjacent encoded words is not part of the text.
    value = ENCODED_GAP_RE.sub("?=", value)
    out: list[str] = []
    pending: list[bytes] = []  # adjacent words in one charset: a character may span two
    pending_charset = ""
    position = 0

    def flush():
        nonlocal pending
        if pending:
            out.append(decode_bytes(b"".join(pending), pending_charset))
            pending = []

    for match in ENCODED_WORD_RE.finditer(value):
        charset, encoding = match.group(1), match.group(2).lower()
        text = match.group(3) if match.group(3) is not None else match.group(4)
        if match.start() > position:
            flush()
            out.append(value[position:match.start()])
        if charset.lower() != pending_charset.lower():
            flush()
            pending_charset = charset
        pending.append(_decode_word(encoding, text))
        position = match.end()
    flush()
    out.append(value[position:])
    return "".join(out)


def _decode_word(encoding: str, text: str) -> bytes:
    text = re.sub(r"\s+", "", text)  # left there by folding; never part of a word
    try:
        if encoding == "b":
            data = re.sub(r"[^A-Za-z0-9+/]", "", text)
            data = data[:-1] if len(data) % 4 == 1 else data + "=" * (-len(data) % 4)
            return binascii.a2b_base64(data.encode("ascii"))
        raw = text.replace("_", " ").encode("utf-8", "surrogateescape")
        return re.sub(rb"=([0-9A-Fa-f]{2})", lambda m: bytes([int(m.group(1), 16)]), raw)
    except Exception:
        return text.encode("utf-8", "surrogateescape")


def _clean_header_text(value: str, *, keep_spaces: bool = False) -> str:
    # Folded lines and control characters do not belong in one-line fields.
    if keep_spaces:  # unfolded as RFC 5322 says: the line break goes, the space stays
        value = re.sub(r"\r?\n(?=[ \t])", "", value)
        return re.sub(r"[\x00-\x1f\x7f\udc80-\udcff]+", " ", value).strip()
    value = re.sub(r"[\x00-\x1f\x7f\udc80-\udcff]+", " ", value)
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


def raw_param(part: Message, header: str, param: str) -> str:
    """A parameter of a header (a file name in Content-Disposition or
    Content-Type) decoded like a header: compat32's get_param() turns raw
    8-bit bytes into U+FFFD before we can read them. RFC 2231 values
    (name*=, name*0*=) are joined and decoded too. "" when absent."""
    values = _raw_values(part, header)
    if not values:
        return ""
    try:
        params = email.message._parseparam(values[0])
    except Exception:
        return ""
    pairs = []
    for item in params[1:]:
        key, sep, val = item.partition("=")
        if sep:
            pairs.append((key.strip().lower(), email.utils.unquote(val.strip())))
    try:
        decoded = email.utils.decode_params([("", "")] + pairs)
    except Exception:
        decoded = pairs
    param = param.lower()
    for key, val in decoded:
        if key != param:
            continue
        if isinstance(val, tuple):  # RFC 2231: (charset, language, %-decoded as Latin-1)
            charset, _, text = val
            data = email.utils.unquote(text).encode("latin-1", "surrogateescape")
            return decode_header_value(decode_bytes(data, charset or "utf-8"))
        return decode_header_value(email.utils.unquote(val))
    return ""


ADDRESS_RE = re.compile(r"^[^@\s<>\"(),;:\[\]]+@[^@\s<>\"(),;:\[\]]+\.[^@\s<>\"(),;:\[\]]+$")
LOOSE_ADDRESS_RE = re.compile(r"<?([^@\s<>\"(),;:\[\]]+@[^@\s<>\"(),;:\[\]]+\.[^@\s<>\"(),;:\[\]]+)>?")


def _addresses(msg: Message, name: str) -> list[Address]:
    values = _raw_headers(msg, name)
    try:
        pairs = email.utils.getaddresses(values)
    except Exception:
        pairs = []
    result = []
    for display, address in pairs:
        address = (address or "").strip().lower()
        if not ADDRESS_RE.match(address):
            continue
        result.append(Address(name=decode_header_value(display)[:150], address=address[:254]))
    if not result:
        result = _loose_addresses(values)
    return result


def _loose_addresses(values: list[str]) -> list[Address]:
    """What a person reads in a header the address parser gives up on
    ("Test test@example.com", an unquoted comma in the name): each address
    with the words before it as its name."""
    result = []
    for value in values:
        position = 0
        for match in LOOSE_ADDRESS_RE.finditer(value):
            name = value[position:match.start()].strip(" \t,;:<>\"'[]()")
            position = match.end()
            result.append(Address(name=decode_header_value(name)[:150],
                                  address=match.group(1).lower()[:254]))
    return result[:200]


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
    # Forwarded messages' text under a header block: the body of a forward
    # that says nothing of its own (the messages themselves are .eml files).
    forwarded: list[str] = field(default_factory=list)
    # Named text/plain parts shown inline: the body when there is no other text.
    inline_texts: list[tuple[ParsedAttachment, str | None]] = field(default_factory=list)
    text_only: bool = False  # reading a forwarded message's text: leave its files alone


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
    """The sender's file name as written: spaces kept, decoded (RFC 2231,
    RFC 2047 or raw 8-bit)."""
    part = _params_decoded(part)
    try:
        name = part.get_filename() or part.get_param("name") or ""
    except Exception:
        name = ""
    if isinstance(name, tuple):  # an RFC 2231 value get_param left encoded
        try:
            name = email.utils.collapse_rfc2231_value(name)
        except Exception:
            name = ""
    return decode_header_value(name, keep_spaces=True)


PARAMETER_HEADERS = ("Content-Disposition", "Content-Type")


def _params_decoded(part: Message) -> Message:
    """The part, or a copy of its parameter headers decoded when they hold
    raw 8-bit bytes: compat32 reads the parameters of such a header as
    replacement characters ("a\ufffd\ufffdo.pdf")."""
    values = {header: (_raw_values(part, header) or [""])[0] for header in PARAMETER_HEADERS}
    if not any("\udc80" <= ch <= "\udcff" for value in values.values() for ch in value):
        return part
    copy = Message()
    for header, value in values.items():
        if value:
            copy[header] = decode_header_value(value, keep_spaces=True)
    return copy


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


def sniffed_type(data: bytes) -> str:
    """The MIME type the content says it is ("" when it has no signature):
    mailers label files application/octet-stream, or even application/others."""
    try:
        kind = filetype.guess(data[:8192])
    except Exception:
        return ""
    return kind.mime if kind is not None else ""


def _extension(content_type: str) -> str:
    if content_type == "image/jpeg":
        return ".jpg"
    return mimetypes.guess_extension(content_type) or ".bin"


def _name_prefix(content_type: str) -> str:
    if content_type.startswith("image/"):
        return "imagen"
    if content_type == "application/pdf":
        return "documento"
    return "adjunto"


def safe_filename(name: str, content_type: str, index: int) -> str:
    """The sender's file name without directories or control characters (and
    otherwise as written); a nameless file is named by its type ("imagen-1.jpg")."""
    name = name.replace("\\", "/")
    name = PurePosixPath(name).name if name else ""
    name = re.sub(r"[\x00-\x1f\x7f]", "", name).strip().strip(".")
    if not name:
        name = f"{_name_prefix(content_type)}-{index}{_extension(content_type)}"
    if len(name) > 200:
        stem, dot, extension = name.rpartition(".")
        name = (stem[:190] + dot + extension[:9]) if dot else name[:200]
    return name


SKIPPED_TYPES = {
    "text/rfc822-headers", "application/pgp-signature", "application/pkcs7-signature",
    "application/x-pkcs7-signature",
}


def _collect(part: Message, collected: _Collected, depth: int) -> None:
    _walk(part, collected, depth)
    if depth == 0:
        _finish(collected)


def _walk(part: Message, collected: _Collected, depth: int) -> None:
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
    if content_type.startswith("multipart/") and not part.is_multipart():
        _collect_unsplit_multipart(part, collected, depth)
        return
    if part.is_multipart():
        payload = part.get_payload()
        if isinstance(payload, list):
            for sub in payload:
                if isinstance(sub, Message):
                    _walk(sub, collected, depth + 1)
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
    if collected.text_only and not (content_type == "text/plain" and disposition != "attachment"):
        return
    _attach(part, collected, content_type, disposition, filename)


def _attach(part: Message, collected: _Collected, content_type: str, disposition: str,
            filename: str) -> None:
    data = _payload(part, collected)
    if not data and not filename:
        return
    content_type = sniffed_type(data) or content_type  # the content decides, not the label
    content_id = _header(part, "Content-ID").strip("<> ")
    attachment = ParsedAttachment(
        filename=safe_filename(filename, content_type, len(collected.attachments) + 1),
        content=data,
        content_type=content_type,
        inline=disposition == "inline" or (bool(content_id) and disposition != "attachment"),
        content_id=content_id[:200],
    )
    collected.attachments.append(attachment)
    if content_type == "text/plain" and disposition != "attachment":
        collected.inline_texts.append((attachment, _charset(part)))


def _has_text(collected: _Collected) -> bool:
    return (any(text.strip() for text in collected.plain)
            or any(html_to_text(html).strip() for html in collected.html))


def _finish(collected: _Collected) -> None:
    """What needs the whole message: a named text part shown inline that is
    its only text is the body (some mailers name the body "mensaje.txt");
    a forward that says nothing itself shows the forwarded text."""
    if not (collected.inline_texts or collected.forwarded) or _has_text(collected):
        return
    if len(collected.inline_texts) == 1:
        attachment, charset = collected.inline_texts[0]
        collected.attachments = [a for a in collected.attachments if a is not attachment]
        collected.plain.append(decode_bytes(attachment.content, charset))
    elif collected.forwarded:
        collected.plain.extend(collected.forwarded)


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
    kept whole as an .eml file named after its subject, never trimmed like
    quoted history. Its text is read too, for a forward with no text of its own."""
    payload = part.get_payload()
    inner = payload[0] if isinstance(payload, list) and payload else None
    if not isinstance(inner, Message):
        return
    data = _message_bytes(inner, collected)
    encoding = str(part.get("Content-Transfer-Encoding", "")).strip().lower()
    if data and encoding in ("base64", "quoted-printable"):
        # RFC 2046 forbids it, some mailers do it: the parser read the
        # encoded text as a message; decode it and read it again.
        data = _decoded(data, encoding)
        inner = message_from_bytes(data)
    nested = _Collected(parts=collected.parts, text_only=True)
    _walk(inner, nested, depth + 1)
    _finish(nested)
    collected.parts = nested.parts
    collected.defects.extend(nested.defects)
    text = "\n".join(nested.plain) if nested.plain else html_to_text("\n".join(nested.html))
    sender = ", ".join(f"{a.name} <{a.address}>" if a.name else a.address
                       for a in _addresses(inner, "From"))
    subject = _header(inner, "Subject")
    header = [
        "---------- Mensaje reenviado ----------",
        f"De: {sender}",
        f"Fecha: {_header(inner, 'Date')}",
        f"Asunto: {subject}",
    ]
    summary = "\n".join(header) + "\n\n" + text.strip()
    if not data:
        collected.plain.append(summary)  # could not be kept whole: keep it readable
        return
    collected.forwarded.append(summary)
    index = len(collected.attachments) + 1
    collected.attachments.append(ParsedAttachment(
        filename=_message_filename(subject, _filename(part), index),
        content=data,
        content_type="message/rfc822",
        summary=summary,
    ))


def _decoded(data: bytes, encoding: str) -> bytes:
    try:
        if encoding == "base64":
            return binascii.a2b_base64(data)
        return quopri.decodestring(data)
    except (binascii.Error, ValueError):
        return data


def _message_filename(subject: str, declared: str, index: int) -> str:
    """Named after its subject (or the name the mailer gave it): "Re: factura
    123" -> "Re_ factura 123.eml"; characters no file system takes become "_"."""
    name = subject.strip() or declared.strip()
    if name.lower().endswith(".eml"):
        name = name[:-4]
    name = re.sub(r'[\\/:*?"<>|]', "_", name).strip()[:150]
    name = safe_filename(name, "", index) if name else ""
    return (name or f"mensaje-reenviado-{index}") + ".eml"


def _message_bytes(inner: Message, collected: _Collected) -> bytes:
    """The forwarded message as an RFC 5322 file: headers and bodies as
    received (compat32 writes raw 8-bit back as it came, no line refolded),
    with the line ending it arrived with."""
    linesep = "\r\n" if "\r\n" in _first_text_payload(inner) else "\n"
    buffer = io.BytesIO()
    try:
        policy = email.policy.compat32.clone(linesep=linesep, max_line_length=None)
        email.generator.BytesGenerator(buffer, mangle_from_=False, policy=policy).flatten(inner)
    except Exception as error:
        collected.defects.append(f"forwarded message: {error!r}")
        return b""
    return buffer.getvalue()


def _first_text_payload(part: Message) -> str:
    for _hop in range(MAX_DEPTH):
        payload = part.get_payload()
        if isinstance(payload, str):
            return payload[:4096]
        if not isinstance(payload, list) or not payload or not isinstance(payload[0], Message):
            return ""
        part = payload[0]
    return ""


# A line that opens a MIME part: "--" and a boundary, then a Content-* header
# (not a rule of dashes above "De: ..." in a quoted reply).
BOUNDARY_LINE_RE = re.compile(r"^--([!-~]{1,200}?)(?:--)?[ \t]*\r?\n(?=content-[!-9;-~]*:)",
                              re.MULTILINE | re.IGNORECASE)


def _collect_unsplit_multipart(part: Message, collected: _Collected, depth: int) -> None:
    """A multipart the parser could not split (no boundary parameter, or one
    the body never uses): split it again on the boundary its body really
    has; when it has none, its text is the message's text, never a refused
    "adjunto.bin"."""
    # The bytes as sent (get_payload() would turn 8-bit bytes into U+FFFD),
    # base64 or quoted-printable undone: forbidden on a multipart (RFC 2045),
    # written by some mailers all the same.
    try:
        data = part.get_payload(decode=True)
    except Exception:
        data = None
    if not isinstance(data, bytes):
        return
    payload = data.decode("ascii", "surrogateescape")
    boundaries = collections.Counter(BOUNDARY_LINE_RE.findall(payload[:1_000_000]))
    if boundaries:
        boundary = boundaries.most_common(1)[0][0]
        head = f'Content-Type: {_content_type(part)}; boundary="{boundary}"\n\n'.encode()
        try:
            inner = message_from_bytes(head + data)
        except Exception:
            inner = None
        if inner is not None and inner.is_multipart():
            collected.defects.append("multipart split again on its real boundary")
            _collect(inner, collected, depth + 1)
            return
    if data.strip():
        collected.plain.append(decode_bytes(data, _charset(part)))


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


# Where a mailer starts a message forwarded inline (Gmail, Thunderbird, Yahoo,
# Apple Mail, and our own header for a forward attached as a message).
FORWARD_MARKER_RE = re.compile(
    r"^\s*(-{3,}\s*(forwarded message|mensaje reenviado|message transf[ée]r[ée]|"
    r"weitergeleitete nachricht)\s*-{3,}|(begin forwarded message|inicio del mensaje reenviado|"
    r"comienzo del mensaje reenviado)\s*:)\s*$",
    re.IGNORECASE,
)


def _forward_start(lines: list[str]) -> int | None:
    """The line where a forwarded message starts, unless it is inside the
    quoted history of a reply (below a reply header)."""
    for index, line in enumerate(lines):
        if FORWARD_MARKER_RE.match(line):
            return index
        if _is_reply_header(lines, index):
            return None
    return None


def strip_quoted(text: str) -> str:
    """The new part of a reply: everything above the first reply header
    ("El ... escribió:", "On ... wrote:", Outlook's "De: ... Enviado: ...",
    "-----Original Message-----") or signature separator ("-- "), without
    "> " quoted lines and trailing "Enviado desde mi iPhone".

    A message forwarded inline ("---------- Forwarded message ---------") is
    what the customer is showing us: it is kept whole, after their own text
    (which loses its signature as usual)."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    forward = _forward_start(lines)
    if forward is not None:
        above = strip_quoted("\n".join(lines[:forward]))
        forwarded = "\n".join(lines[forward:]).strip()
        return f"{above}\n\n{forwarded}" if above else forwarded
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
    # "bulk", "list" and "junk" say how it was sent, not that a program wrote
    # it: a reply on a mailing list is a person's (see _is_bulk).
    if _header(msg, "Precedence").strip().lower() == "auto_reply":
        return True
    if _content_type(msg) == "multipart/report" and _report_type(msg) == "disposition-notification":
        return True  # read receipts
    return bool(AUTO_SUBJECT_RE.match(subject))


BULK_PRECEDENCE = {"bulk", "list", "junk"}
LIST_HEADERS = ("List-Id", "List-Unsubscribe", "List-Post")


def _is_bulk(msg: Message) -> bool:
    """Sent to many: through a mailing list (RFC 2369/2919 List-* headers) or
    as a bulk mailing (the Precedence convention). A person may have written
    it (a reply on a list, a customer answering a newsletter), so it is
    stored; but nothing answers it automatically (RFC 3834 §2)."""
    if _header(msg, "Precedence").strip().lower() in BULK_PRECEDENCE:
        return True
    return any(_raw_values(msg, name) for name in LIST_HEADERS)


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


# --- Header block and sender --------------------------------------------------

HEADER_FIELD_RE = re.compile(rb"[!-9;-~]+:")
SPACED_FIELD_RE = re.compile(rb"([!-9;-~]+)[ \t]+:")  # "Subject : hola"
BLANK_LINE_RE = re.compile(rb"\r?\n\r?\n")
MAX_HEADER_BLOCK = 1024 * 1024


def _repair_header_block(raw: bytes) -> tuple[bytes, bool]:
    """The message with its header block as a person reads it, and whether
    it needed repair. A strict parser ends the headers at the first line that
    is neither "Name: value" nor indented (a header folded without its
    indent, such as a broken X-Brightmail-Tracker's base64 lines), and From
    and Subject below it are lost in the body. Such a line becomes a
    continuation when header fields follow it before the first empty line
    (after the last field it is the body, as a strict parser reads it: a
    base64 body written without the empty line); "Name : value" loses its
    space."""
    end = BLANK_LINE_RE.search(raw, 0, MAX_HEADER_BLOCK)
    if end is None:
        return raw, False
    lines = raw[:end.start()].split(b"\n")
    first = lines[0]
    if not (HEADER_FIELD_RE.match(first) or first.startswith(b"From ")):
        return raw, False  # not a header block at all: a strict parser's reading stands
    last_field = max(index for index, line in enumerate(lines)
                     if HEADER_FIELD_RE.match(line) or SPACED_FIELD_RE.match(line))
    changed = False
    for index in range(1, len(lines)):
        line = lines[index]
        if HEADER_FIELD_RE.match(line) or line[:1] in {b" ", b"\t"}:
            continue
        spaced = SPACED_FIELD_RE.match(line)
        if spaced:
            lines[index] = spaced.group(1) + b":" + line[spaced.end():]
        elif index < last_field:
            lines[index] = b" " + line
        else:
            break  # the body starts here, without the empty line
        changed = True
    if not changed:
        return raw, False
    return b"".join([b"\n".join(lines), memoryview(raw)[end.start():]]), True


def _sender(msg: Message) -> tuple[Address, str]:
    """The sender and the header it was read from: From, else (a message a
    person can still answer) Sender, else Reply-To."""
    for name in ("From", "Sender", "Reply-To"):
        found = _addresses(msg, name)
        if len(found) == 1:
            # One mailbox: a comma in an unquoted name ("Pérez, Ana <ana@…>")
            # or an encoded word split the name; the loose reading keeps it whole.
            loose = _loose_addresses(_raw_headers(msg, name))
            if (len(loose) == 1 and loose[0].address == found[0].address
                    and len(loose[0].name) > len(found[0].name)):
                found = loose
        if found:
            return found[0], name
    return Address(name=_header(msg, "From")[:150], address=""), "From"


def _message_charsets(msg: Message) -> _HeaderCharsets:
    """How the message's raw 8-bit headers are read (see _HeaderCharsets)."""
    return _HeaderCharsets(message=msg)


def _part_charsets(msg: Message) -> list[str | None]:
    """The charsets the message's parts declare, in order."""
    declared = []
    try:
        for index, part in enumerate(msg.walk()):
            if index >= MAX_PARTS:
                break
            declared.append(_charset(part))
    except Exception:
        pass
    return declared


def _header_sample(msg: Message) -> bytes:
    """The message's raw 8-bit header values together: a detector guesses
    better from all of them than from one short name."""
    return b" ".join(value.encode("utf-8", "surrogateescape") for _, value in _safe_raw_items(msg)
                     if not value.isascii())[:20_000]


def _safe_raw_items(msg: Message) -> list[tuple[str, str]]:
    try:
        return [(str(k), str(v)) for k, v in msg.raw_items()]
    except Exception:
        return []


# Plain parts that only point elsewhere: the content is in the HTML.
PLAIN_STUB_RE = re.compile(
    r"navegador|versi[oó]n (web|en l[ií]nea|html)|\bbrowser\b|\bonline\b|\bweb version\b|"
    r"\bhtml\b|no (puede|pueda|soporta) (ver|mostrar)",
    re.IGNORECASE,
)


def _best_text(collected: _Collected) -> str:
    """text/plain, unless it is empty or only a "view it in your browser"
    stub while the HTML holds the message: then the HTML as text."""
    plain = "\n\n".join(t.strip("\n") for t in collected.plain)
    if not collected.html:
        return plain
    if plain.strip() and (len(plain.strip()) > 300 or not PLAIN_STUB_RE.search(plain)):
        return plain
    html_text = html_to_text("\n".join(collected.html))
    if not plain.strip() or len(html_text.strip()) > 2 * len(plain.strip()) + 40:
        return html_text or plain
    return plain


# --- The entry point ----------------------------------------------------------


def parse_email(raw: bytes) -> ParsedEmail:
    collected = _Collected()
    source, repaired = _repair_header_block(raw or b"")
    charsets = _HEADER_CHARSETS.set(None)
    try:
        msg = message_from_bytes(source)
        _HEADER_CHARSETS.set(_message_charsets(msg))
        _collect(msg, collected, 0)
    except RecursionError:
        # Thousands of nested multiparts exhaust the standard parser's stack:
        # keep the headers (who sent it, its Message-ID) and no body.
        msg = email.parser.BytesParser().parsebytes(source, headersonly=True)
        collected = _Collected(defects=["MIME nesting too deep"])
    if repaired:
        collected.defects.append("header block repaired")
    subject = _header(msg, "Subject")
    sender, sender_header = _sender(msg)
    if sender_header != "From":
        collected.defects.append(f"no readable From: sender read from {sender_header}")
    text = _best_text(collected)
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\x00", "")
    html = sanitize_html("\n".join(collected.html))
    is_forward = bool(FORWARD_SUBJECT_RE.match(subject))
    try:
        date = email.utils.parsedate_to_datetime(_header(msg, "Date"))
    except Exception:
        date = None
    references = _message_ids(_header(msg, "References"))
    parsed = ParsedEmail(
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
        is_bulk=_is_bulk(msg),
        is_forward=is_forward,
        authentication_results=_raw_headers(msg, "Authentication-Results"),
        defects=collected.defects[:50],
        sender_header=sender_header,
        headers_repaired=repaired,
    )
    _HEADER_CHARSETS.reset(charsets)
    return parsed


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

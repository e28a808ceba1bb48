"""Parse a message and decode its base64 parts a slice at a time, so that a
large message is not held in memory several times over (issue 21, item 12).

`email.message_from_bytes` decodes the whole message into one str and reads
it back through a StringIO, which stores four bytes per character once read:
for a 20 MB message with a 15 MB attachment the parse alone peaked at 158 MB
(tracemalloc). `Message.get_payload(decode=True)` then encodes the 20 MB
base64 text to bytes, splits it into lines, joins them and decodes: another
77 MB on top of the result. Both are replaced here by the same standard
parser fed 64 KiB at a time, long runs of base64 lines fed as one line
(message_from_bytes), and a base64 decoder that works through the text in
1 MiB slices; the Message tree and the bytes are the same as before.

dkimpy likewise splits the whole message into lines, joins the body again
and canonicalizes it with three regular-expression passes (75 MB more for
that message): a large message's DKIM body hash is computed here, a slice
at a time, and dkimpy verifies the rest (the header signature)."""

import base64
import binascii
import email.feedparser
import email.policy
import io
import re
import uuid
from email.message import Message

import dkim
from dkim.canonicalization import CanonicalizationPolicy

FEED_BYTES = 64 * 1024
# Smaller bodies take the standard library's path, byte for byte as before.
LARGE_BODY_CHARS = 1024 * 1024
SLICE_CHARS = 1024 * 1024
BASE64_ALPHABET = re.compile(r"[A-Za-z0-9+/]*")
BASE64_END = re.compile(r"[A-Za-z0-9+/]*={0,2}")


# A run of base64 lines at least this long is not fed to the parser line by
# line (see message_from_bytes); runs are found by windows of WINDOW bytes.
LONG_RUN = 1024 * 1024
WINDOW = 64 * 1024
RUN_BYTES = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\r\n"
NOT_RUN = re.compile(rb"[^A-Za-z0-9+/=\r\n]")
LINE_START = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/")


def message_from_bytes(raw: bytes) -> Message:
    """What `email.message_from_bytes(raw)` returns (compat32 policy), fed to
    the parser in slices instead of decoded and copied whole.

    The parser keeps a body as a list of its lines until the part ends
    (Python strings of 76 characters: 1.8 times the text), then joins them.
    So each long run of base64 lines (a large attachment) is fed as one line
    of a placeholder made of the same kind of characters, which the parser
    treats alike, and the part's text is put back from the raw bytes
    afterwards. Should a placeholder land anywhere but in a part's body,
    the message is parsed again without them."""
    runs = _long_runs(raw) if len(raw) > LONG_RUN else []
    if runs:
        marker = f"VentanillaRun{uuid.uuid4().hex}N"
        msg = _feed(raw, runs, marker)
        if _restore(msg, raw, runs, marker):
            return msg
    return _feed(raw, [], "")


def _long_runs(raw: bytes) -> list[tuple[int, int]]:
    """(start, end) of each run of lines of base64 characters longer than
    LONG_RUN: from the start of a line to the end of the last line but its
    line break (which may be part of the boundary that follows)."""
    pure = [not raw[i:i + WINDOW].translate(None, RUN_BYTES) for i in range(0, len(raw), WINDOW)]
    runs, first = [], 0
    while first < len(pure):
        if not pure[first]:
            first += 1
            continue
        last = first
        while last < len(pure) and pure[last]:
            last += 1
        left, right = first * WINDOW, min(last * WINDOW, len(raw))
        if first:  # just after the last other character of the window before
            left = [m.end() for m in NOT_RUN.finditer(raw, (first - 1) * WINDOW, left)][-1]
        if last < len(pure):
            right = NOT_RUN.search(raw, right).start()
        run = _whole_lines(raw, left, right)
        if run is not None and run[1] - run[0] >= LONG_RUN:
            runs.append(run)
        first = last
    return runs


def _whole_lines(raw: bytes, left: int, right: int) -> tuple[int, int] | None:
    """The lines within raw[left:right] that start after a line feed with a
    base64 character, without the last line break."""
    start = left
    while True:
        newline = raw.find(b"\n", start, right)
        if newline < 0:
            return None
        start = newline + 1
        if start < right and raw[start] in LINE_START:
            break
    end = raw.rfind(b"\n", start, right)
    if end < 0:
        return None
    return start, end - 1 if raw[end - 1:end] == b"\r" else end


def _feed(raw: bytes, runs: list[tuple[int, int]], marker: str) -> Message:
    parser = email.feedparser.BytesFeedParser(policy=email.policy.compat32)
    view = memoryview(raw)
    position = 0
    for index, (start, end) in enumerate([*runs, (len(raw), len(raw))]):
        for chunk in range(position, start, FEED_BYTES):
            parser.feed(bytes(view[chunk:min(chunk + FEED_BYTES, start)]))
        if end > start:
            parser.feed(f"{marker}{index}".encode())
        position = end
    return parser.close()


def _restore(msg: Message, raw: bytes, runs: list[tuple[int, int]], marker: str) -> bool:
    """Put each run's text back in place of its placeholder; False when a
    placeholder is anywhere but in a part's body."""
    found = 0
    for part in msg.walk():
        payload = part._payload
        if not isinstance(payload, str) or marker not in payload:
            continue
        restored = []
        # Text, index, text, index, ..., text: the runs in order.
        for position, piece in enumerate(re.split(re.escape(marker) + r"(\d+)", payload)):
            if position % 2:
                start, end = runs[int(piece)]
                restored.append(str(memoryview(raw)[start:end], "ascii"))
                found += 1
            elif piece:
                restored.append(piece)
        # Usually the body is the run alone: no second copy of it.
        part.set_payload(restored[0] if len(restored) == 1 else "".join(restored))
    return found == len(runs) and not any(
        marker in text for part in msg.walk()
        for text in [part.preamble or "", part.epilogue or "", *map(str, part.values())])


def decoded_payload(part: Message):
    """`part.get_payload(decode=True)`; a large, well-formed base64 body is
    decoded a slice at a time (the standard library takes anything else,
    with its leniency and its defects)."""
    # The attribute, not get_payload(): that encodes the whole text once
    # more just to look for undecodable bytes (which decode_base64 refuses).
    payload = part._payload if not part.is_multipart() else None
    if (isinstance(payload, str) and len(payload) > LARGE_BODY_CHARS
            and str(part.get("content-transfer-encoding", "")).lower() == "base64"):
        data = decode_base64(payload)
        if data is not None:
            return data
    return part.get_payload(decode=True)


def decode_base64(text: str) -> bytes | None:
    """The bytes of a base64 text whose only other characters are white
    space, decoded in slices; None when it has anything else (padding inside,
    foreign characters, a length that is not a multiple of four)."""
    out = io.BytesIO()
    carry = ""
    for start in range(0, len(text), SLICE_CHARS):
        chunk = carry + "".join(text[start:start + SLICE_CHARS].split())
        last = start + SLICE_CHARS >= len(text)
        if not (BASE64_END if last else BASE64_ALPHABET).fullmatch(chunk):
            return None
        usable = len(chunk) if last else len(chunk) - len(chunk) % 4
        if last and usable % 4:
            return None
        try:
            out.write(binascii.a2b_base64(chunk[:usable]))
        except (binascii.Error, ValueError):
            return None
        carry = chunk[usable:]
    return out.getvalue()


# --- DKIM --------------------------------------------------------------------

HEADER_END = re.compile(rb"(?:\A|\n)(\r?\n)")
LINE_END = re.compile(rb"\r?\n")
TRAILING_SPACE = re.compile(rb"[\t ]+\r\n")
SPACES = re.compile(rb"[\t ]+")
BODY_SLICE = 1024 * 1024


def dkim_verifier(raw: bytes) -> dkim.DKIM:
    """A dkimpy verifier for `raw`; a large message's body is hashed by
    BodySlicedDKIM instead of held and copied by dkimpy."""
    if len(raw) > LARGE_BODY_CHARS:
        end = HEADER_END.search(raw)
        if end is not None:
            return BodySlicedDKIM(raw, end.start(1), end.end(1))
    return dkim.DKIM(raw)


class BodySlicedDKIM(dkim.DKIM):
    """dkimpy given only the header block, with each signature's body hash
    (bh=) checked here over the body in slices before dkimpy checks the
    header signature. The body is what dkimpy's own parser takes for it:
    everything after the first empty line, line ends made CRLF."""

    def __init__(self, raw: bytes, blank_start: int, body_start: int):
        # The header lines as received, then an empty line and no body.
        super().__init__(raw[:blank_start] + b"\r\n")
        self.raw, self.body_start = raw, body_start

    def verify_headerprep(self, idx=0):
        prep = super().verify_headerprep(idx)
        if not prep:
            return prep
        sig = prep[0]
        if b"l" in sig:
            raise dkim.ValidationError("l= is not verified on large messages")
        policy = CanonicalizationPolicy.from_c_value(sig.get(b"c", b"simple/simple"))
        hasher = dkim.HASH_ALGORITHMS[sig[b"a"]]()
        relaxed = policy.body_algorithm.name == b"relaxed"
        for piece in canonical_body(self.raw, self.body_start, relaxed=relaxed):
            hasher.update(piece)
        expected = base64.b64decode(re.sub(rb"\s+", b"", sig[b"bh"]))
        if hasher.digest() != expected:
            raise dkim.ValidationError("body hash mismatch")
        del sig[b"bh"]  # checked: dkimpy goes on to the header signature
        return prep


def canonical_body(raw: bytes, start: int, *, relaxed: bool):
    """The pieces of the DKIM canonical body (RFC 6376 3.4.3, 3.4.4) of
    raw[start:], whose line ends dkimpy reads as CRLF or LF, without holding
    it whole: slices end after a line feed, and CRLFs at the end of a slice
    are held back until something other than empty lines follows them."""
    pending = 0  # CRLFs not yet hashed: empty lines, so far, at the end
    written = False
    while start < len(raw):
        newline = raw.find(b"\n", min(start + BODY_SLICE, len(raw)) - 1)
        stop = len(raw) if newline < 0 else newline + 1
        piece = LINE_END.sub(b"\r\n", raw[start:stop])
        start = stop
        if relaxed:
            piece = SPACES.sub(b" ", TRAILING_SPACE.sub(b"\r\n", piece))
        end = len(piece)
        while piece.endswith(b"\r\n", 0, end):
            end -= 2
        if end:
            if pending:
                yield b"\r\n" * pending
            yield piece[:end]
            written = True
            pending = (len(piece) - end) // 2
        else:
            pending += len(piece) // 2
    if written or not relaxed:
        yield b"\r\n"

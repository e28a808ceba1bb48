"""Whatever bytes arrive, ingest_raw returns: the message ends stored in a
ticket, ignored, quarantined or recognised as a duplicate, and is kept raw."""

import re
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ventanilla.mail.fingerprint import redelivery_key
from ventanilla.mail.ingest import ingest_raw
from ventanilla.mail.models import InboundMessage, Mailbox
from ventanilla.mail.parsing import parse_email

CORPUS = sorted((Path(__file__).parent / "mail_corpus").glob("*.eml"))
OUTCOMES = set(InboundMessage.Status.values)
PROPERTY = settings(max_examples=200, deadline=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


@pytest.fixture
def mailbox():
    return Mailbox.objects.select_related("department").get(name="soporte")


def assert_kept(raw: bytes, result) -> None:
    if result.duplicate:
        assert InboundMessage.objects.filter(dedup_key=redelivery_key(raw)).exists()
        return
    inbound = result.inbound
    assert inbound.pk is not None and inbound.status in OUTCOMES
    with inbound.raw.open("rb") as file:
        assert file.read() == raw


@PROPERTY
@given(raw=st.binary(max_size=4096))
def test_ingest_never_raises_on_arbitrary_bytes(mailbox, raw):
    assert_kept(raw, ingest_raw(raw, mailbox=mailbox))


FRAGMENTS = [
    b"\n", b"\r\n\r\n", b"--", b"=?utf-8?B?", b"?=", b"=C3", b"\xff\xfe", b"\x00",
    b"Content-Type: multipart/mixed; boundary=x\n", b"charset=\"x-mac-roman\"",
    b"Content-Transfer-Encoding: base64\n", b"<", b">", b"\"", b";", b"*=",
]


# Mutations of real messages reach far deeper into the parser than noise.
@st.composite
def mangled_messages(draw):
    raw = bytearray(draw(st.sampled_from(CORPUS)).read_bytes())
    for _ in range(draw(st.integers(0, 6))):
        position = draw(st.integers(0, len(raw)))
        action = draw(st.sampled_from(["insert", "delete", "truncate"]))
        if action == "insert":
            raw[position:position] = draw(st.sampled_from(FRAGMENTS)) + draw(st.binary(max_size=16))
        elif action == "delete":
            del raw[position:position + draw(st.integers(1, 40))]
        else:
            del raw[position:]
    return bytes(raw)


@settings(PROPERTY, max_examples=100)
@given(raw=mangled_messages())
def test_ingest_never_raises_on_mangled_corpus_messages(mailbox, raw):
    assert_kept(raw, ingest_raw(raw, mailbox=mailbox))


# Generated messages (issue 21): random charsets, transfer encodings,
# boundaries (some broken), headers in raw 8-bit and broken encoded words.
CHARSETS = ["utf-8", "iso-8859-1", "windows-1252", "shift_jis", "iso-2022-jp", "gb2312", "gbk",
            "euc-kr", "big5", "koi8-r", "tis-620", "utf-16", "x-desconocido", "base64", ""]
TEXTS = ["Hola, ¿me ayudan?", "Contraseña olvidada", "サーバー移行の件①", "服务器迁移", "서버 문의",
         "Здравствуйте", "ทดสอบ", "plain ascii", "“€” – ñ", ""]
ENCODINGS = ["7bit", "8bit", "base64", "quoted-printable", "x-uuencode", "binary", ""]


def _encode_text(text: str, charset: str) -> bytes:
    try:
        return text.encode(charset or "utf-8")
    except (LookupError, UnicodeError):
        return text.encode("utf-8")


def _transfer(data: bytes, encoding: str) -> bytes:
    import base64
    import quopri

    if encoding == "base64":
        return base64.encodebytes(data)
    if encoding == "quoted-printable":
        return quopri.encodestring(data)
    return data


@st.composite
def header_values(draw):
    text, charset = draw(st.sampled_from(TEXTS)), draw(st.sampled_from(CHARSETS))
    data = _encode_text(text, charset)
    import base64

    kind = draw(st.sampled_from(["raw", "b", "q", "broken", "broken", "broken", "ascii"]))
    if kind == "raw":
        return data
    if kind == "b":
        return b"=?" + charset.encode() + b"?B?" + base64.b64encode(data) + b"?="
    if kind == "q":
        return b"=?" + charset.encode() + b"?q?" + b"".join(b"=%02X" % c for c in data) + b"?="
    if kind == "broken":
        word = b"=?" + charset.encode() + b"?B?" + base64.b64encode(data)
        cut = draw(st.integers(0, len(word)))
        return word[:cut] + draw(st.sampled_from([b"", b"", b"?=", b"\n ", b"=?", b"\""])) + word[cut:]
    return text.encode("ascii", "replace")


@st.composite
def generated_parts(draw, boundary: bytes):
    parts = []
    for _ in range(draw(st.integers(0, 3))):
        charset = draw(st.sampled_from(CHARSETS))
        encoding = draw(st.sampled_from(ENCODINGS))
        kind = draw(st.sampled_from(["text/plain", "text/html", "application/pdf", "image/png",
                                     "message/rfc822", "multipart/alternative"]))
        body = _transfer(_encode_text(draw(st.sampled_from(TEXTS)), charset), encoding)
        head = b"Content-Type: " + kind.encode() + b"; charset=\"" + charset.encode() + b"\"\n"
        if encoding:
            head += b"Content-Transfer-Encoding: " + encoding.encode() + b"\n"
        if draw(st.booleans()):
            head += b"Content-Disposition: attachment; filename=\"" + draw(header_values()) + b"\"\n"
        parts.append(b"--" + boundary + b"\n" + head + b"\n" + body + b"\n")
    closing = draw(st.sampled_from([b"--" + boundary + b"--\n", b"", b"--" + boundary + b"\n"]))
    return b"".join(parts) + closing


@st.composite
def generated_messages(draw):
    boundary = draw(st.sampled_from([b"b1", b"=_Part_0_123.456", b"--weird--", b"a b", b""]))
    declared = draw(st.sampled_from([boundary, b"otro", b""]))  # broken or missing boundaries
    headers = []
    sender = draw(st.sampled_from([b"From", b"Reply-To", b"Sender", b"X-Nada"]))
    headers.append(sender + b": " + draw(header_values()) + b" <ana@example.com>")
    headers.append(b"Subject: " + draw(header_values()))
    headers.append(b"Message-ID: <" + str(draw(st.integers(0, 10 ** 9))).encode() + b"@gen.example>")
    if draw(st.booleans()):  # a header folded without its indent
        headers.insert(draw(st.integers(0, len(headers))), b"X-Tracker: H4sIAAAA\nQUJDREVGR0hJSktM")
    multipart = draw(st.booleans())
    if multipart:
        headers.append(b"Content-Type: multipart/mixed" + (b"; boundary=\"" + declared + b"\"" if declared else b""))
        body = draw(generated_parts(boundary or b"x"))
    else:
        charset = draw(st.sampled_from(CHARSETS))
        encoding = draw(st.sampled_from(ENCODINGS))
        headers.append(b"Content-Type: text/plain; charset=" + charset.encode())
        headers.append(b"Content-Transfer-Encoding: " + encoding.encode())
        body = _transfer(_encode_text(draw(st.sampled_from(TEXTS)), charset), encoding)
    newline = draw(st.sampled_from([b"\n", b"\r\n"]))
    return newline.join(headers).replace(b"\n", newline) + newline + newline + body


@settings(PROPERTY, max_examples=120)
@given(raw=generated_messages())
def test_ingest_stores_or_quarantines_every_generated_message(mailbox, raw):
    result = ingest_raw(raw, mailbox=mailbox)
    if result.duplicate:  # an example hypothesis replays: the first copy is recorded
        assert InboundMessage.objects.filter(dedup_key=redelivery_key(raw)).exists()
    else:
        inbound = result.inbound
        assert inbound.pk is not None and inbound.status in OUTCOMES
        with inbound.raw.open("rb") as file:
            assert file.read() == raw
        if inbound.status == InboundMessage.Status.QUARANTINED:
            assert inbound.reason  # quarantined always says why
    # An encoded word, however broken, is never shown raw.
    assert not re.search(r"=\?[^?\s]+\?[bBqQ]\?", parse_email(raw).subject)

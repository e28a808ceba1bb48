"""Whatever bytes arrive, ingest_raw returns: the message ends stored in a
ticket, ignored, quarantined or recognised as a duplicate, and is kept raw."""

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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
        assert InboundMessage.objects.filter(
            dedup_key=InboundMessage.dedup_key_for(parse_email(raw).message_id, raw)).exists()
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

"""The masking table: what must be hidden and what must be left alone."""

import pytest

from ventanilla.chat.sensitive import (
    CARD,
    CVV,
    PASSWORD,
    PLACEHOLDER,
    PRIVATE_KEY,
    luhn_valid,
    mask_sensitive,
)

KEY = """-----BEGIN RSA PRIVATE KEY-----
MIIEowIBAAKCAQEA1x2
abcDEF==
-----END RSA PRIVATE KEY-----"""

MASKED = [
    ("mi contraseña: Perro123!", f"mi contraseña: {PLACEHOLDER}", (PASSWORD,)),
    ("Contraseña:Perro123", f"Contraseña:{PLACEHOLDER}", (PASSWORD,)),
    ("contrasena = hola", f"contrasena = {PLACEHOLDER}", (PASSWORD,)),
    ("usuario: ana pass: s3cr3t gracias", f"usuario: ana pass: {PLACEHOLDER} gracias", (PASSWORD,)),
    ("password=hunter2", f"password={PLACEHOLDER}", (PASSWORD,)),
    ('PASSWORD = "con espacios"', f"PASSWORD = {PLACEHOLDER}", (PASSWORD,)),
    ("pwd: x", f"pwd: {PLACEHOLDER}", (PASSWORD,)),
    ("tarjeta 4111 1111 1111 1111 por favor", f"tarjeta {PLACEHOLDER} por favor", (CARD,)),
    ("4111-1111-1111-1111", PLACEHOLDER, (CARD,)),
    ("5500005555555559", PLACEHOLDER, (CARD,)),
    ("amex 378282246310005.", f"amex {PLACEHOLDER}.", (CARD,)),
    ("4111111111111111 cvv 123", f"{PLACEHOLDER} cvv {PLACEHOLDER}", (CARD, CVV)),
    ("4111111111111111 12/27 123", f"{PLACEHOLDER} 12/27 {PLACEHOLDER}", (CARD, CVV)),
    ("CVV: 9876, la tarjeta es 4111111111111111",
     f"CVV: {PLACEHOLDER}, la tarjeta es {PLACEHOLDER}", (CARD, CVV)),
    (f"aquí va:\n{KEY}\nfin", f"aquí va:\n{PLACEHOLDER}\nfin", (PRIVATE_KEY,)),
    ("-----BEGIN PRIVATE KEY-----\nMIIEv sin final", PLACEHOLDER, (PRIVATE_KEY,)),
    ("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Bl\n-----END OPENSSH PRIVATE KEY-----",
     PLACEHOLDER, (PRIVATE_KEY,)),
    ("pass: abc y 4111111111111111",
     f"pass: {PLACEHOLDER} y {PLACEHOLDER}", (PASSWORD, CARD)),
]

UNTOUCHED = [
    "Olvidé mi contraseña del panel, ¿cómo la cambio?",
    "Quiero cambiar la contraseña de la cuenta de correo",
    "¿Dónde se cambia el password?",
    "El bypass: no funciona",
    "Mi pedido es el #123456 y el ticket 12345678",
    "Llámame al 5512345678 o al +52 55 1234 5678",
    "La IP del servidor es 192.0.2.10",
    "4111 1111 1111 1112 no es una tarjeta válida",  # fails Luhn
    "0000 0000 0000 0000",  # Luhn-valid but not a card
    "El cvv 123 sin tarjeta no se toca",
    "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----",
    "-----BEGIN PUBLIC KEY-----\nMIIB\n-----END PUBLIC KEY-----",
    "",
]


@pytest.mark.parametrize(("text", "expected", "found"), MASKED)
def test_it_masks(text, expected, found):
    result = mask_sensitive(text)
    assert result.text == expected
    assert result.found == found
    assert result.changed


@pytest.mark.parametrize("text", UNTOUCHED)
def test_it_leaves_alone(text):
    result = mask_sensitive(text)
    assert result.text == text
    assert result.found == ()
    assert not result.changed


def test_masking_twice_changes_nothing_more():
    once = mask_sensitive("contraseña: abc 4111111111111111 cvv 123").text
    assert mask_sensitive(once).text == once
    assert mask_sensitive(once).found == ()


@pytest.mark.parametrize(("digits", "valid"), [
    ("4111111111111111", True), ("4111111111111112", False), ("79927398713", True),
])
def test_luhn(digits, valid):
    assert luhn_valid(digits) is valid

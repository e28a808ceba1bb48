"""Masking of credentials and payment data in what people write.

A pure function: text in, masked text and the kinds of data found out. The
chat runs every message through it before storing or showing it, and so does
the portal for ticket messages; the original is never kept anywhere.

What counts as sensitive, and what deliberately does not:
- a password given as a value: "contraseña: x", "pass: x", "password=x"
  (but not "olvidé mi contraseña" or "cambia la contraseña del correo");
- a payment card number: 13 to 19 digits, spaced or dashed, that passes the
  Luhn check (order, ticket and phone numbers fail it or are too short);
- a CVV written next to such a card ("cvv 123", or three or four digits
  right after the card or its expiry date);
- a private key block (PEM "-----BEGIN ... PRIVATE KEY-----").
"""

import re
from dataclasses import dataclass

from django.utils.translation import gettext as _

PLACEHOLDER = "[dato sensible oculto]"

PASSWORD = "contraseña"
CARD = "tarjeta"
CVV = "cvv"
PRIVATE_KEY = "clave_privada"

_PRIVATE_KEY = re.compile(
    r"-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----.*?(?:-----END [A-Z0-9 ]*PRIVATE KEY-----|\Z)",
    re.DOTALL,
)
# The label, then ":" or "=", then the value: quoted (up to the closing
# quote) or one run of non-space characters.
_PASSWORD = re.compile(
    r"""(?P<label>\b(?:contraseña|contrasena|contraseñas|password|passwd|pass|pwd)\b\s*[:=]\s*)
        (?P<value>\[dato\ sensible\ oculto\]|"[^"\n]+"|'[^'\n]+'|[^\s"']+)""",
    re.IGNORECASE | re.VERBOSE,
)
# 13-19 digits in a row, or the printed layouts (4-4-4-4, Amex's 4-6-5)
# spaced or dashed, not glued to other digits.
_CARD = re.compile(
    r"(?<![\d-])(?:\d{13,19}|\d{4}(?:[ -]\d{4}){3}|\d{4}[ -]\d{6}[ -]\d{5})(?![\d])"
)
_CVV_LABEL = re.compile(
    r"(?P<label>\b(?:cvv2?|cvc2?|cv2|código de seguridad|codigo de seguridad)\b\s*[:=]?\s*)"
    r"(?P<value>\d{3,4})\b",
    re.IGNORECASE,
)
# After a card: an optional expiry (12/27, 12/2027) and then the CVV.
_CVV_AFTER_CARD = re.compile(r"^(?P<gap>[\s,;]+(?:\d{2}/\d{2,4}[\s,;]+)?)(?P<value>\d{3,4})\b")


@dataclass(frozen=True)
class Masked:
    text: str
    found: tuple[str, ...]  # the kinds found, in a stable order; empty when nothing was

    @property
    def changed(self) -> bool:
        return bool(self.found)


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def _is_card(candidate: str) -> bool:
    digits = re.sub(r"\D", "", candidate)
    return 13 <= len(digits) <= 19 and len(set(digits)) > 1 and luhn_valid(digits)


def mask_sensitive(text: str) -> Masked:
    found: set[str] = set()

    def private_key(_match):
        found.add(PRIVATE_KEY)
        return PLACEHOLDER

    text = _PRIVATE_KEY.sub(private_key, text)

    def password(match):
        if match.group("value") == PLACEHOLDER:
            return match.group(0)
        found.add(PASSWORD)
        return match.group("label") + PLACEHOLDER

    text = _PASSWORD.sub(password, text)

    pieces, position, had_card = [], 0, False
    for match in _CARD.finditer(text):
        if not _is_card(match.group(0)):
            continue
        had_card = True
        found.add(CARD)
        pieces.append(text[position:match.start()])
        pieces.append(PLACEHOLDER)
        position = match.end()
        cvv = _CVV_AFTER_CARD.match(text[position:])
        if cvv:
            found.add(CVV)
            pieces.append(cvv.group("gap") + PLACEHOLDER)
            position += cvv.end()
    pieces.append(text[position:])
    text = "".join(pieces)

    if had_card:
        def cvv_label(match):
            found.add(CVV)
            return match.group("label") + PLACEHOLDER

        text = _CVV_LABEL.sub(cvv_label, text)

    order = (PASSWORD, CARD, CVV, PRIVATE_KEY)
    return Masked(text=text, found=tuple(kind for kind in order if kind in found))


def masked_notice(found: tuple[str, ...]) -> str:
    """What the sender is told when part of their message was hidden."""
    names = {
        PASSWORD: _("una contraseña"),
        CARD: _("un número de tarjeta"),
        CVV: _("un código de seguridad (CVV)"),
        PRIVATE_KEY: _("una clave privada"),
    }
    return _(
        "Ocultamos %(what)s de tu mensaje: por seguridad, nunca compartas credenciales ni "
        "datos de pago por este medio. Nosotros tampoco te los pediremos."
    ) % {"what": ", ".join(names[kind] for kind in found)}

"""Masking of credentials and payment data in what people write.

A pure function: text in, masked text and the kinds of data found out. The
services every channel ends in run the customer's words through it before
storing them: the chat (chat.services), and the ticket services
(tickets.services.ticket_create and ticket_customer_reply) that the portal,
email, the API and the chat's tickets call. The original is never kept.

What counts as sensitive, and what deliberately does not:
- a password given as a value: "contraseña: x", "pass: x", "password=x",
  and in natural phrasing, in Spanish and English: "mi contraseña es x",
  "la contraseña de cPanel es x", "mi clave es x", "my password is x",
  "the password for the FTP is x", "usuario ana clave x", "user ana
  password x" (but not "olvidé mi contraseña", "cambia la contraseña del
  correo", "mi contraseña es incorrecta", "the password is not working":
  a value that is an ordinary word of such sentences is left alone);
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
_VALUE = r"""(?P<value>\[dato\ sensible\ oculto\]|"[^"\n]+"|'[^'\n]+'|[^\s"']+)"""
_LABEL = r"(?:contraseña|contrasena|contraseñas|password|passwd|pass|pwd)"
_PASSWORD = re.compile(
    r"(?P<label>\b" + _LABEL + r"""\b\s*[:=]\s*)""" + _VALUE,
    re.IGNORECASE | re.VERBOSE,
)
# "clave: x" (not "palabra clave: x", a keyword).
_CLAVE = re.compile(r"(?P<label>(?<!palabra\ )\bclave\b\s*[:=]\s*)" + _VALUE,
                    re.IGNORECASE | re.VERBOSE)
# Natural phrasing: the label, what it is for ("de cPanel", "del correo
# info@x.mx", "for the FTP", "nueva"), then "es" / "is" and the value.
# "clave" alone is also "the key (point)": only "mi/tu/su clave" counts.
_OF_ONE = r"""(?:\s+(?:de|del|para|en|for|of|on|to)(?:\s+(?:la|el|los|las|mi|tu|su|my|your|the|our))?
                 \s+[^\s:=,;¿?¡!]*[^\s:=,;¿?¡!.]
                 (?:\s+(?!(?:y|o|e|and|or|que|pero|but|es|is)\b)[^\s:=,;¿?¡!]*[^\s:=,;¿?¡!.])?)"""
_OF = _OF_ONE + "{0,2}"
_ADJECTIVE = r"""(?:\s+(?:nueva|nuevo|actual|temporal|provisional|new|current|temporary|old|
                  vieja|antigua|root|admin|ftp|ssh|sftp|wifi|cpanel|plesk|del\ panel))?"""
_VERB = r"""\s+(?:es|era|sería|será|quedó|queda|is|was|will\ be)\s*:?\s*"""
_PHRASE = re.compile(
    r"(?P<label>(?:\b" + _LABEL + r"|\b(?:mi|tu|su|my|your)\s+clave|\bclave(?=" + _OF_ONE
    + r"))\b" + _ADJECTIVE + _OF + _ADJECTIVE + _VERB + r")" + _VALUE,
    re.IGNORECASE | re.VERBOSE,
)
# "usuario ana clave x", "user: ana, password x", "login ana pass x".
_PAIR = re.compile(
    r"(?P<label>\b(?:usuario|user|username|login)\b\s*[:=]?\s*[^\s,;]*[^\s,;.!?][\s,;]+"
    r"(?:y\s+|and\s+)?"
    r"(?:la\s+|el\s+|the\s+)?(?:" + _LABEL[3:-1] + r"|clave)\b\s*[:=]?\s*)" + _VALUE,
    re.IGNORECASE | re.VERBOSE,
)
# Words that follow "mi contraseña es" / "the password is" in ordinary
# support messages: the value is then not a password.
ORDINARY_VALUES = frozenset("""
    incorrecta incorrecto correcta correcto válida valida válido valido inválida invalida
    inválido invalido errónea erronea equivocada mala buena segura insegura débil debil fuerte
    larga corta nueva vieja antigua igual misma mismo diferente distinta otra otro esa esta
    temporal provisional obligatoria requerida necesaria caducada expirada vencida bloqueada
    rechazada cambiada demasiado muy más mas menos la el lo una un de del para que y o no si sí
    ya aún aun todavía siempre nunca tan super súper mía mia tuya suya cual cuál la_misma
    incorrect correct wrong right valid invalid expired locked blocked rejected required
    needed weak strong long short same different new old the a an too very not still now
    no yes ok okay fine good bad being case-sensitive sensitive mine yours what which that
    this my your it also just already always never changed reset set is es was era are
    mi tu su nuestra our its
""".split())
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


def _is_ordinary(value: str) -> bool:
    """A word of an ordinary sentence rather than a password: "incorrecta",
    "not", "la"..., with the sentence's punctuation around it."""
    word = value.strip(".,;:!?¡¿\"'()").lower()
    return not word or word in ORDINARY_VALUES


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

    def phrased_password(match):
        if _is_ordinary(match.group("value")):
            return match.group(0)
        return password(match)

    text = _PASSWORD.sub(password, text)
    text = _CLAVE.sub(password, text)
    text = _PAIR.sub(phrased_password, text)
    text = _PHRASE.sub(phrased_password, text)

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

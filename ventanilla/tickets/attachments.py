"""Attachment validation: by size, by extension and by the file's content.

An extension alone proves nothing: a file is accepted only when its content
is of a type we allow and the extension names that same type."""

import re
from dataclasses import dataclass
from pathlib import PurePath

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

# Sniffed MIME type -> extensions a file of that content may carry.
BINARY_TYPES = {
    "image/png": {".png"},
    "image/jpeg": {".jpg", ".jpeg"},
    "image/gif": {".gif"},
    "image/webp": {".webp"},
    "application/pdf": {".pdf"},
    "application/zip": {".zip"},
    "application/gzip": {".gz", ".tgz"},
}
# Plain-text files have no signature: accepted when the bytes are text.
TEXT_EXTENSIONS = {".txt", ".log", ".csv", ".conf", ".ini", ".json", ".xml", ".yml", ".yaml", ".har"}
# A message (a forwarded email kept whole): text that starts with a header block.
MESSAGE_EXTENSIONS = {".eml"}
ALLOWED_EXTENSIONS = sorted(
    {e for exts in BINARY_TYPES.values() for e in exts} | TEXT_EXTENSIONS | MESSAGE_EXTENSIONS
)


@dataclass(frozen=True)
class CheckedFile:
    name: str
    content_type: str
    size: int


def _looks_like_text(head: bytes) -> bool:
    if b"\x00" in head:
        return False
    try:
        head.decode("utf-8")
    except UnicodeDecodeError as error:
        # A multi-byte character cut at the end of the sample is still text.
        if error.start < len(head) - 4:
            try:
                head.decode("latin-1")
            except UnicodeDecodeError:
                return False
    return True


HEADER_LINE_RE = re.compile(rb"^[!-9;-~]{1,76}:")
MESSAGE_HEADERS = {b"from", b"to", b"subject", b"date", b"message-id", b"received", b"sender"}


def _looks_like_message(head: bytes) -> bool:
    """An RFC 5322 message: it starts with header fields (continuation lines
    aside) up to a blank line, and they include one a message has (From,
    Subject, Date...). A header block longer than the sample only needs to be
    well formed so far."""
    if b"\x00" in head:
        return False
    lines = head.replace(b"\r\n", b"\n").split(b"\n")
    complete = lines[:-1] if len(head) >= 8192 else lines  # the sample may cut the last line
    names = []
    for index, line in enumerate(complete):
        if not line.strip():
            return index > 0 and bool(MESSAGE_HEADERS.intersection(names))
        if line[:1] in (b" ", b"\t") and index > 0:
            continue
        if not HEADER_LINE_RE.match(line):
            return False
        names.append(line.split(b":", 1)[0].strip().lower())
    if len(head) >= 8192:
        return len(names) >= 3  # a header block longer than the sample
    return bool(MESSAGE_HEADERS.intersection(names))  # headers only, no body


def check_upload(name: str, head: bytes, size: int) -> CheckedFile:
    """Validate one file from its name, its first bytes and its size."""
    max_bytes = settings.VENTANILLA["MAX_FILE_BYTES"]
    if size > max_bytes:
        raise ValidationError(
            _("«%(name)s» pesa %(size)s; el máximo por archivo es %(max)s.")
            % {"name": name, "size": filesizeformat(size), "max": filesizeformat(max_bytes)},
            code="file_too_large",
        )
    if size == 0:
        raise ValidationError(_("«%(name)s» está vacío.") % {"name": name}, code="empty")
    extension = PurePath(name).suffix.lower()
    if extension not in ALLOWED_EXTENSIONS:
        raise ValidationError(
            _("No se admiten archivos «%(ext)s». Tipos permitidos: %(allowed)s.")
            % {"ext": extension or name, "allowed": ", ".join(ALLOWED_EXTENSIONS)},
            code="type_not_allowed",
        )
    kind = filetype.guess(head)
    if kind is not None and kind.mime in BINARY_TYPES:
        if extension in BINARY_TYPES[kind.mime]:
            return CheckedFile(name=name, content_type=kind.mime, size=size)
    elif kind is None and extension in TEXT_EXTENSIONS and _looks_like_text(head):
        return CheckedFile(name=name, content_type="text/plain", size=size)
    elif kind is None and extension in MESSAGE_EXTENSIONS and _looks_like_message(head):
        return CheckedFile(name=name, content_type="message/rfc822", size=size)
    raise ValidationError(
        _("El contenido de «%(name)s» no corresponde a su extensión o no es un tipo permitido.")
        % {"name": name},
        code="content_mismatch",
    )


def check_uploads(files) -> list[CheckedFile]:
    """Validate Django UploadedFiles of one message: each file and their total."""
    errors, checked, total = [], [], 0
    for upload in files:
        head = upload.read(8192)
        upload.seek(0)
        try:
            checked.append(check_upload(upload.name, head, upload.size))
        except ValidationError as error:
            errors.append(error)
        total += upload.size
    max_total = settings.VENTANILLA["MAX_MESSAGE_BYTES"]
    if total > max_total:
        errors.append(ValidationError(
            _("Los adjuntos suman %(size)s; el máximo por mensaje es %(max)s.")
            % {"size": filesizeformat(total), "max": filesizeformat(max_total)},
            code="message_too_large",
        ))
    if errors:
        raise ValidationError(errors)
    return checked

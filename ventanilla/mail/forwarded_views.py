"""A forwarded message kept as an .eml attachment, shown to whoever may see
its ticket: its headers, its text, its HTML sanitized (no scripts, no remote
images) and its own files, downloadable one by one. Nothing of it runs in
the browser, and the files pass the same checks as any attachment."""

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header

from ventanilla.tickets.access import attachment_for_user, is_console_user
from ventanilla.tickets.attachments import check_upload

from .parsing import ParsedAttachment, ParsedEmail, parse_email


@dataclass(frozen=True)
class ForwardedFile:
    number: int  # its position in the message, from 1: the download URL's key
    attachment: ParsedAttachment
    content_type: str  # what the content checks found; "" for a file we do not hand out
    too_large: bool = False

    @property
    def allowed(self) -> bool:
        return bool(self.content_type)


def _forwarded_message(user, attachment_id: int):
    """The ticket attachment (through the ticket's access check: 404 for
    anyone who may not see it) and its message parsed."""
    attachment = attachment_for_user(user, attachment_id)
    if attachment.content_type != "message/rfc822":
        raise Http404
    try:
        with attachment.file.open("rb") as handle:
            raw = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    return attachment, parse_email(raw)


def _files(message: ParsedEmail) -> list[ForwardedFile]:
    files = []
    for number, attachment in enumerate(message.attachments, start=1):
        try:
            checked = check_upload(attachment.filename, attachment.content[:8192],
                                   len(attachment.content))
        except ValidationError as error:
            files.append(ForwardedFile(number=number, attachment=attachment, content_type="",
                                       too_large=error.code == "file_too_large"))
        else:
            files.append(ForwardedFile(number=number, attachment=attachment,
                                       content_type=checked.content_type))
    return files


@login_required
def forwarded_message(request, attachment_id: int):
    attachment, message = _forwarded_message(request.user, attachment_id)
    ticket = attachment.message.ticket
    console = is_console_user(request.user)
    response = render(request, "mail/forwarded_message.html", {
        "base_template": "console/base_console.html" if console else "portal/base_portal.html",
        "ticket_url_name": "console:ticket_detail" if console else "portal:ticket_detail",
        "ticket": ticket,
        "attachment": attachment,
        "message": message,
        "files": _files(message),
    })
    response["Referrer-Policy"] = "no-referrer"  # links in the message learn nothing of us
    return response


@login_required
def forwarded_file(request, attachment_id: int, number: int):
    """One file of the forwarded message, as a download (never rendered)."""
    _attachment, message = _forwarded_message(request.user, attachment_id)
    files = _files(message)
    if not 1 <= number <= len(files) or not files[number - 1].allowed:
        raise Http404
    file = files[number - 1]
    response = HttpResponse(file.attachment.content, content_type=file.content_type)
    response["Content-Disposition"] = content_disposition_header(True, file.attachment.filename)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

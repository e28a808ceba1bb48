from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.utils.http import content_disposition_header

from .access import attachment_for_user


@login_required
def attachment_download(request, attachment_id: int):
    """Attachments are small (VENTANILLA_MAX_FILE_MB, 10 MB by default), so
    they are read whole: under ASGI Django would buffer a streamed file
    anyway, with a warning on every download."""
    attachment = attachment_for_user(request.user, attachment_id)
    try:
        with attachment.file.open("rb") as handle:
            content = handle.read()
    except FileNotFoundError as error:
        raise Http404 from error
    response = HttpResponse(content, content_type=attachment.content_type)
    response["Content-Disposition"] = content_disposition_header(True, attachment.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404

from .access import attachment_for_user


@login_required
def attachment_download(request, attachment_id: int):
    attachment = attachment_for_user(request.user, attachment_id)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as error:
        raise Http404 from error
    response = FileResponse(handle, as_attachment=True, filename=attachment.original_name,
                            content_type=attachment.content_type)
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response

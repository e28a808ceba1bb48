"""Portal submissions made once (issue 17, B5).

Every "Abrir ticket" and reply form carries a one-time token drawn when the
form is shown (its hidden field `envio`). The ticket or reply is stored
together with a PortalSubmission row for (user, token), in one transaction,
under a unique constraint: the same submission sent again (the browser
retrying after the server died, a double click, a second tab) finds what
the first one made and answers with it, even when both arrive at once (the
second one's insert fails and rolls its ticket back). A form without a
token (an old page) is handled as before.

Killed requests also leave Django's partial upload files behind: uploads
larger than FILE_UPLOAD_MAX_MEMORY_SIZE are written to FILE_UPLOAD_TEMP_DIR,
in the data directory, and `sweep` deletes the ones older than a few hours
(no upload takes that long), with tokens older than a month.
"""

import os
import re
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from .models import Message, PortalSubmission, Ticket

TOKEN_RE = re.compile(r"^[0-9a-f]{32}$")
UPLOAD_MAX_AGE_SECONDS = 6 * 3600
TOKEN_MAX_AGE = timedelta(days=30)


def new_token() -> str:
    return uuid.uuid4().hex


def clean_token(value) -> str:
    """The posted token, or "" when there is none or it is not one of ours."""
    value = str(value or "")
    return value if TOKEN_RE.match(value) else ""


def submission_find(user, token: str) -> PortalSubmission | None:
    if not token:
        return None
    return (PortalSubmission.objects.select_related("ticket")
            .filter(user=user, token=token).first())


def submission_record(*, user, token: str, ticket: Ticket, message: Message | None = None) -> None:
    """Inside the transaction that made `ticket` (or `message`): a second
    submission with the same token raises IntegrityError and rolls back."""
    if token:
        PortalSubmission.objects.create(user=user, token=token, ticket=ticket, message=message)


def sweep(*, now: float | None = None) -> tuple[int, int]:
    """Deletes partial uploads left by killed requests and old tokens:
    (files, tokens) deleted."""
    now = time.time() if now is None else now
    files = 0
    directory = settings.FILE_UPLOAD_TEMP_DIR
    if directory and os.path.isdir(directory):
        for entry in os.scandir(directory):
            try:
                if entry.is_file() and entry.stat().st_mtime < now - UPLOAD_MAX_AGE_SECONDS:
                    os.unlink(entry.path)
                    files += 1
            except FileNotFoundError:  # finished (and removed) meanwhile
                continue
    tokens, _ = PortalSubmission.objects.filter(
        created_at__lt=timezone.now() - TOKEN_MAX_AGE).delete()
    return files, tokens

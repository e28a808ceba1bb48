"""Logging helpers configured in settings.LOGGING."""

import logging


class ClientErrorsInOneLine(logging.Filter):
    """A refused request (4xx: 403 PermissionDenied, 400 SuspiciousOperation,
    a bad upload…) is the visitor's mistake, not ours: Django logs it with
    the exception attached, which prints a full traceback per refusal. Keep
    the one line Django writes (method, path, reason) and drop the traceback;
    5xx records keep theirs."""

    def filter(self, record: logging.LogRecord) -> bool:
        status = getattr(record, "status_code", None)
        if status is not None and 400 <= status < 500 and record.exc_info:
            exc = record.exc_info[1] if isinstance(record.exc_info, tuple) else record.exc_info
            if isinstance(exc, BaseException) and str(exc) and str(exc) not in record.getMessage():
                record.msg = f"{record.getMessage()} ({type(exc).__name__}: {exc})"
                record.args = ()
            record.exc_info = None
            record.exc_text = None
        return True

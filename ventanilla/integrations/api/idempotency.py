"""`Idempotency-Key` on POST creates: the first call's answer is stored with
the key; a retry with the same key and body gets that answer again instead of
creating a second object. The record is written in the same transaction as
the object, so either both exist or neither does."""

import hashlib
import json
from collections.abc import Callable

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from ..models import IdempotentRequest
from .errors import ApiError

HEADER = "Idempotency-Key"


def _fingerprint(request, payload) -> str:
    raw = json.dumps([request.method, request.path, payload], sort_keys=True, default=str)
    return hashlib.sha256(raw.encode()).hexdigest()


def _replay(record: IdempotentRequest, fingerprint: str):
    if record.fingerprint != fingerprint:
        raise ApiError(422, "idempotency_key_reused",
                       _("Esa Idempotency-Key ya se usó con otra petición."))
    return record.status, record.body


def idempotent(request, payload, create: Callable[[], tuple[int, dict]]):
    """Run `create` (which returns (status, json-able body)) at most once per
    Idempotency-Key; without the header, just run it."""
    key = request.headers.get(HEADER, "").strip()
    if not key:
        return create()
    if len(key) > 200:
        raise ApiError(422, "invalid_idempotency_key",
                       _("La Idempotency-Key admite hasta 200 caracteres."),
                       [{"field": HEADER, "code": "too_long", "message": _("Demasiado larga.")}])
    api_key = request.auth
    fingerprint = _fingerprint(request, payload)
    record = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
    if record is not None:
        return _replay(record, fingerprint)
    try:
        with transaction.atomic():
            status, body = create()
            IdempotentRequest.objects.create(api_key=api_key, key=key, fingerprint=fingerprint,
                                             status=status, body=body)
    except IntegrityError:
        # A concurrent call with the same key won: ours rolled back whole.
        record = IdempotentRequest.objects.filter(api_key=api_key, key=key).first()
        if record is None:
            raise
        return _replay(record, fingerprint)
    return status, body

"""Field types shared by the API's input schemas."""
from datetime import UTC, datetime
from typing import Annotated

from django.utils import timezone
from pydantic import AfterValidator
from pydantic_core import PydanticCustomError


def _to_utc(moment: datetime) -> datetime:
    # A naive time is in the site's time zone. Everything goes to the database
    # in UTC: PostgreSQL refuses offsets beyond ±15:59 that ISO 8601 (and
    # pydantic) accept, and a time near year 1 or 9999 may not exist in UTC.
    try:
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment)
        return moment.astimezone(UTC)
    except (OverflowError, ValueError):
        raise PydanticCustomError(
            "datetime_range", "date out of the supported range") from None


# Any date and time the API accepts as input.
Instant = Annotated[datetime, AfterValidator(_to_utc)]

"""The masker lives in ventanilla.core.sensitive, a shared utility that the
ticket services call too; these names stay importable from the chat."""

from ventanilla.core.sensitive import (  # noqa: F401
    CARD,
    CVV,
    PASSWORD,
    PLACEHOLDER,
    PRIVATE_KEY,
    Masked,
    luhn_valid,
    mask_sensitive,
    masked_notice,
)

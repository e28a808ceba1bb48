"""Ids typed into URLs and forms."""


def parse_id(value) -> int | None:
    """A positive database id from user input, or None. `str.isdigit()`
    accepts "²" and other characters `int()` refuses (a 500 where it was
    used), and an id past 64 bits fits no column."""
    text = str(value if value is not None else "").strip()
    return int(text) if text.isdecimal() and len(text) < 19 else None

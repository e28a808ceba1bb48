"""The text analysis moved to ventanilla/core/text.py (shared with the
console's ticket search); kept importable under its old name."""

from ventanilla.core.text import *  # noqa: F403
from ventanilla.core.text import (  # noqa: F401
    MAX_QUERY_WORDS,
    STOPWORDS,
    WORD_RE,
    Query,
    Term,
    accent_variants,
    analyze,
    is_stopword,
    parse_query,
    snippet,
    spelling_key,
    stem,
    unaccent,
    word_stems,
    words,
)

"""Typo tolerance, one behaviour for every search: "sertificado" finds
"certificado", "outlok" finds "Outlook". A query word that the index does not
contain is replaced by the closest word of a vocabulary (the help centre's:
its articles' titles, tags and summaries; the console's: the subjects of the
tickets the agent may see and the category names), compared by Spanish
sound-alike keys and edit distance (rapidfuzz).

Callers bring the vocabulary and an index lookup; this module knows no app."""

from collections.abc import Callable, Iterable

from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import text

# spelling key -> (the most frequent word with that key, its frequency)
Vocabulary = dict[str, tuple[str, int]]


def build_vocabulary(texts: Iterable[str], language: str) -> Vocabulary:
    """The content words of texts (4+ letters, no numbers, no stopwords),
    one per spelling key: the most frequent."""
    counts: dict[str, int] = {}
    for value in texts:
        for word in text.words(value or ""):
            if len(word) >= 4 and not word.isdigit() and not text.is_stopword(word, language):
                counts[word] = counts.get(word, 0) + 1
    vocabulary: Vocabulary = {}
    for word, count in counts.items():
        key = text.spelling_key(word)
        if key not in vocabulary or vocabulary[key][1] < count:
            vocabulary[key] = (word, count)
    return vocabulary


def closest(word: str, vocabulary: Vocabulary) -> str | None:
    """The vocabulary word nearest to `word`, or None if none is close."""
    if len(word) < 4 or word.isdigit() or not vocabulary:
        return None
    key = text.spelling_key(word)
    if key in vocabulary:
        return vocabulary[key][0]
    allowed = 1 if len(key) <= 5 else 2
    matches = process.extract(key, list(vocabulary), scorer=Levenshtein.distance,
                              score_cutoff=allowed, limit=5)
    if not matches:
        return None
    best = min(matches, key=lambda m: (m[1], -vocabulary[m[0]][1]))
    return vocabulary[best[0]][0]


def corrections(query: text.Query, *, has_word: Callable[[str], bool],
                vocabulary: Vocabulary | Callable[[], Vocabulary]) -> dict[str, str]:
    """{typed word: correction} for the query's words the index lacks.
    `vocabulary` may be a callable, built only when a word is unknown."""
    fixes: dict[str, str] = {}
    for term in query.terms:
        if term.prefix or has_word(term.word):
            continue
        if callable(vocabulary):
            vocabulary = vocabulary()
        fix = closest(term.word, vocabulary)
        if fix and text.unaccent(fix) != text.unaccent(term.word):
            fixes[term.word] = fix
    return fixes


def corrected_text(query: text.Query, fixes: dict[str, str]) -> str:
    """The question as typed, each misspelled word replaced ("¿Quisiste decir…?")."""
    return text.WORD_RE.sub(lambda m: fixes.get(m.group().lower(), m.group()), query.text)


def correct(query: text.Query, *, has_word: Callable[[str], bool],
            vocabulary: Vocabulary | Callable[[], Vocabulary]) -> tuple[text.Query, str] | None:
    """The query with its unknown words' corrections added (any word may
    match: the help centre ranks), and the corrected question to show; None
    when every word is known."""
    fixes = corrections(query, has_word=has_word, vocabulary=vocabulary)
    if not fixes:
        return None
    terms = list(query.terms) + [text.Term(fix) for fix in fixes.values()]
    corrected = text.Query(text=query.text, language=query.language, terms=terms)
    return corrected, corrected_text(query, fixes)

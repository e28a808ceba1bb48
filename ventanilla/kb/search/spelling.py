"""Typo tolerance: "sertificado" finds "certificado", "wordpres" finds
"WordPress". A query word that no article contains is replaced by the
closest word of the articles' titles, tags and summaries (their "key
vocabulary"), compared by Spanish sound-alike keys and edit distance."""

import threading
import uuid

from django.core.cache import cache
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from . import text

VERSION_KEY = "kb:vocabulary-version"
_local = threading.local()


def bump_vocabulary() -> None:
    """Called whenever an article changes: vocabularies are rebuilt lazily,
    in every process (the version lives in the shared cache)."""
    cache.set(VERSION_KEY, uuid.uuid4().hex, timeout=None)


def _version() -> str:
    version = cache.get(VERSION_KEY)
    if version is None:  # a cleared or fresh cache: nobody knows what changed
        version = uuid.uuid4().hex
        cache.add(VERSION_KEY, version, timeout=None)
        version = cache.get(VERSION_KEY, version)
    return version


def _build(language: str) -> dict[str, tuple[str, int]]:
    """spelling key -> (the most frequent word with that key, its frequency)."""
    from ventanilla.kb.models import Article, ArticleStatus, Visibility

    counts: dict[str, int] = {}
    rows = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC, language=language,
    ).values_list("title", "summary", "tags")
    for title, summary, tags in rows.iterator():
        for word in text.words(" ".join([title, summary, *tags])):
            if len(word) >= 4 and not word.isdigit() and not text.is_stopword(word, language):
                counts[word] = counts.get(word, 0) + 1
    vocabulary: dict[str, tuple[str, int]] = {}
    for word, count in counts.items():
        key = text.spelling_key(word)
        if key not in vocabulary or vocabulary[key][1] < count:
            vocabulary[key] = (word, count)
    return vocabulary


def vocabulary(language: str) -> dict[str, tuple[str, int]]:
    version = _version()
    cached = getattr(_local, "vocabularies", {})
    entry = cached.get(language)
    if entry is None or entry[0] != version:
        entry = (version, _build(language))
        cached[language] = entry
        _local.vocabularies = cached
    return entry[1]


def closest(word: str, language: str) -> str | None:
    """The key-vocabulary word nearest to `word`, or None if none is close."""
    if len(word) < 4 or word.isdigit():
        return None
    words = vocabulary(language)
    if not words:
        return None
    key = text.spelling_key(word)
    if key in words:
        return words[key][0]
    allowed = 1 if len(key) <= 5 else 2
    matches = process.extract(key, list(words), scorer=Levenshtein.distance,
                              score_cutoff=allowed, limit=5)
    if not matches:
        return None
    best = min(matches, key=lambda m: (m[1], -words[m[0]][1]))
    return words[best[0]][0]


def correct(query: text.Query, *, has_word) -> tuple[text.Query, str] | None:
    """The query with its unknown words' corrections added, and the corrected
    question to show; None when every word is known. `has_word(word)` asks
    the index whether any article contains the word."""
    replacements: dict[str, str] = {}
    for term in query.terms:
        if term.prefix or has_word(term.word):
            continue
        fix = closest(term.word, query.language)
        if fix and text.unaccent(fix) != text.unaccent(term.word):
            replacements[term.word] = fix
    if not replacements:
        return None
    terms = list(query.terms) + [text.Term(fix) for fix in replacements.values()]
    corrected = text.Query(text=query.text, language=query.language, terms=terms)
    shown = text.WORD_RE.sub(lambda m: replacements.get(m.group().lower(), m.group()), query.text)
    return corrected, shown

"""The help centre's vocabulary for the shared typo tolerance
(ventanilla/core/spelling.py): the words of the published public articles'
titles, tags and summaries ("sertificado" finds "certificado")."""

import threading
import uuid

from django.core.cache import cache

from ventanilla.core import spelling, text

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


def _build(language: str) -> spelling.Vocabulary:
    from ventanilla.kb.models import Article, ArticleStatus, Visibility

    rows = Article.objects.filter(
        status=ArticleStatus.PUBLISHED, visibility=Visibility.PUBLIC, language=language,
    ).values_list("title", "summary", "tags")
    return spelling.build_vocabulary(
        (" ".join([title, summary, *tags]) for title, summary, tags in rows.iterator()), language)


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
    return spelling.closest(word, vocabulary(language))


def correct(query: text.Query, *, has_word) -> tuple[text.Query, str] | None:
    """The query with its unknown words' corrections added, and the corrected
    question to show; None when every word is known. `has_word(word)` asks
    the index whether any article contains the word."""
    return spelling.correct(query, has_word=has_word,
                            vocabulary=lambda: vocabulary(query.language))

"""Pure text functions behind every search (the help centre's and the
console's): words, accents, stems, the parsed query, highlighted snippets
and spelling keys. No database here.

Accents: customers type "configuracion", "pagina" or "contrasena"; articles
say "configuración", "página", "contraseña". Every accented word is indexed
twice, as written and without accents, and every query word is looked up
both ways, so either spelling finds the other even when the stemmer treats
them differently (Snowball strips "-ación" but not always "-acion")."""

import html
import re
import unicodedata
from dataclasses import dataclass, field
from functools import lru_cache

import snowballstemmer

WORD_RE = re.compile(r"[^\W_]+")
MAX_QUERY_WORDS = 12

# Snowball's stop lists (the ones PostgreSQL's "spanish"/"english" use), in short.
STOPWORDS = {
    "es": set("""
de la que el en y a los del se las por un para con no una su al lo como mas más pero sus le
ya o este si sí porque esta está entre cuando muy sin sobre tambien también me hasta hay donde
dónde quien quién desde todo nos durante todos uno les ni contra otros ese eso ante ellos e esto
mi mí antes algunos que qué unos yo otro otras otra el él tanto esa estos mucho quienes nada
muchos cual cuál poco ella estar estas algunas algo nosotros mis tu tú te ti tus ellas nosotras
vosotros vosotras os mio mío mia mía mios míos mias mías tuyo tuya tuyos tuyas suyo suya suyos
suyas nuestro nuestra nuestros nuestras vuestro vuestra vuestros vuestras esos esas estoy estas
estamos estan están este esté estes estés estemos esten estén estaba estaban fue fueron ser es
son era eran he has ha hemos han habia había habian habían tengo tiene tienen tenia tenía
soy eres somos sea sean sido siendo hace haces hago hacer puedo puede pueden quiero quiere
necesito necesita favor hola buenas buenos dias días tardes noches gracias saber alguien ayuda
ayudar ayudenme ayúdenme urgente porfa xfa q k pq xq cómo cuánto cuanto
""".split()),
    "en": set("""
a an and are as at be but by for if in into is it no not of on or such that the their then
there these they this to was will with i me my we our you your he she him her its what which
who whom how do does did doing have has had can could would should please help hi hello
thanks
""".split()),
}

STEMMER_NAMES = {"es": "spanish", "en": "english"}


def unaccent(text: str) -> str:
    """"Configuración" -> "Configuracion", "contraseña" -> "contrasena"."""
    decomposed = unicodedata.normalize("NFD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def words(text: str) -> list[str]:
    return WORD_RE.findall(text.lower())


@lru_cache(maxsize=4)
def _stemmer(language: str):
    return snowballstemmer.stemmer(STEMMER_NAMES.get(language, "spanish"))


@lru_cache(maxsize=200_000)
def stem(word: str, language: str) -> str:
    """The unaccented Snowball stem of one lower-case word."""
    return unaccent(_stemmer(language).stemWord(word))


@lru_cache(maxsize=200_000)
def is_stopword(word: str, language: str) -> bool:
    stops = STOPWORDS.get(language, STOPWORDS["es"])
    return word in stops or unaccent(word) in stops


@lru_cache(maxsize=200_000)
def word_stems(word: str, language: str) -> frozenset[str]:
    """The stems a word is indexed and looked up under (two when accented)."""
    plain = unaccent(word)
    return frozenset({stem(word, language), stem(plain, language)})


def analyze(text: str, language: str) -> str:
    """The text as the SQLite index stores it: stems, space-separated,
    stopwords out, accented words also under their unaccented stem."""
    out = []
    for word in words(text):
        if is_stopword(word, language):
            continue
        out.extend(sorted(word_stems(word, language)))
    return " ".join(out)


def accent_variants(text: str) -> str:
    """Only the accented words of text, without their accents: what the
    PostgreSQL index adds next to the text as written."""
    return " ".join(unaccent(w) for w in words(text) if unaccent(w) != w)


@dataclass(frozen=True)
class Term:
    word: str  # as typed, lower case
    prefix: bool = False  # the word being typed: also match words starting with it

    @property
    def spellings(self) -> tuple[str, ...]:
        plain = unaccent(self.word)
        return (self.word,) if plain == self.word else (self.word, plain)


@dataclass
class Query:
    text: str
    language: str
    terms: list[Term] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.terms

    def stems(self) -> set[str]:
        found = set()
        for term in self.terms:
            found |= word_stems(term.word, self.language)
        return found


def parse_query(text: str, language: str, *, typing: bool = False) -> Query:
    """The content words of a customer's question. With typing=True (the
    widget, as keys are pressed) an unfinished last word also matches as a
    prefix."""
    text = (text or "")[:300]
    found = words(text)
    unfinished = found[-1] if typing and found and not text[-1:].isspace() else None
    terms, seen = [], set()
    for i, word in enumerate(found):
        is_last = i == len(found) - 1
        if is_stopword(word, language) or word in seen:
            continue
        if len(word) == 1 and not word.isdigit():
            continue
        seen.add(word)
        prefix = is_last and word == unfinished and len(word) >= 3
        terms.append(Term(word, prefix=prefix))
    return Query(text=text, language=language, terms=terms[:MAX_QUERY_WORDS])


def snippet(text: str, query_stems: set[str], language: str, *, length: int = 200) -> str:
    """An HTML-safe excerpt of text around the densest group of query
    matches, each match wrapped in <mark>. Pure: both backends use it."""
    text = re.sub(r"\s+", " ", text).strip()
    tokens = list(re.finditer(r"[^\W_]+", text))
    hits = [
        m for m in tokens
        if not is_stopword(m.group().lower(), language)
        and word_stems(m.group().lower(), language) & query_stems
    ]
    if not hits:
        start = 0
    else:
        # The window of `length` characters holding the most hits.
        best, best_count = hits[0].start(), 0
        for i, hit in enumerate(hits):
            count = sum(1 for h in hits[i:] if h.end() <= hit.start() + length)
            if count > best_count:
                best, best_count = hit.start(), count
        start = max(0, best - 40)
        # Start on a word boundary.
        while start > 0 and not text[start - 1].isspace():
            start -= 1
    end = min(len(text), start + length)
    while end < len(text) and not text[end].isspace():
        end += 1
    marked = {(m.start(), m.end()) for m in hits if m.start() >= start and m.end() <= end}
    parts, cursor = [], start
    for begin, finish in sorted(marked):
        parts.append(html.escape(text[cursor:begin]))
        parts.append(f"<mark>{html.escape(text[begin:finish])}</mark>")
        cursor = finish
    parts.append(html.escape(text[cursor:end]))
    out = "".join(parts).strip()
    return ("… " if start > 0 else "") + out + (" …" if end < len(text) else "")


def spelling_key(word: str) -> str:
    """A Spanish sound-alike key, so a misspelling that sounds right is
    close: c before e/i and z sound like s, v like b, ll like y, h is silent,
    qu and k like c. "sertificado" and "certificado" share a key."""
    w = unaccent(word.lower())
    w = re.sub(r"c(?=[ei])", "s", w)
    w = w.replace("z", "s").replace("v", "b").replace("ll", "y").replace("qu", "k")
    w = w.replace("h", "").replace("k", "c").replace("w", "u")
    return re.sub(r"(.)\1+", r"\1", w)  # "wordpress" ~ "wordpres"

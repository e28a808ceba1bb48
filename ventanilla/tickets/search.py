"""Full-text search of tickets for the agent console, on the knowledge
base's machinery (ventanilla.kb.search: FullTextIndex, Snowball stems,
accents folded; SQLite FTS5 or PostgreSQL tsvector 'spanish' + GIN).

One index row per ticket (its id): the subject, and the bodies of its
messages (customer messages, agent replies and internal notes: only agents
search; system messages are left out). The ticket services rewrite a
ticket's row inside the transaction that adds a message, so the index
commits (or rolls back) with it; `ventanilla tickets reindex` rebuilds it
and `ventanilla seed-scale` fills it in bulk.

A search matches every content word (AND, each word under its stems and
with or without accents), within the candidates queryset (the agent's
access rule). To keep its cost bounded at any history size it ranks only
the newest WINDOW matches (by id: creation order), by relevance, and
returns at most `limit` of them."""

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models.expressions import RawSQL

from ventanilla.core import text
from ventanilla.kb.search.backends import FullTextIndex, PostgresBackend, SqliteBackend

LANGUAGE = "es"
TICKET_INDEX = FullTextIndex(
    table="tickets_ticket_fts",
    source_table="tickets_ticket",
    columns=("subject", "body"),
    bm25_weights=(5.0, 1.0),
    pg_weights=("A", "D"),
)
# The newest matches ranked per search: a word found in a quarter of a
# million tickets costs the same as one found in two thousand.
WINDOW = 2000
SYSTEM_KIND = "sistema"  # Message.Kind.SYSTEM (no model import: migrations use this module)


def _backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()


def ticket_document(ticket_id: int) -> dict | None:
    """The text indexed for one ticket, read from the database."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject FROM tickets_ticket WHERE id = %s", [ticket_id])
        row = cursor.fetchone()
        if row is None:
            return None
        cursor.execute("SELECT body FROM tickets_message WHERE ticket_id = %s AND kind <> %s "
                       "ORDER BY id", [ticket_id, SYSTEM_KIND])
        bodies = [body for (body,) in cursor.fetchall()]
    return {"subject": row[0], "body": "\n".join(bodies)}


def prepared(document: dict) -> dict:
    """A new ticket's document as its FTS5 row stores it (analyzed), computed
    before the creating transaction so that the stemming happens outside
    SQLite's write lock; PostgreSQL analyzes in the statement itself."""
    if connection.vendor == "postgresql":
        return document
    return {"subject": analyzed(document["subject"]),
            "body": text.analyze(document["body"], LANGUAGE), "analyzed": True}


def index_ticket(ticket_id: int, document: dict | None = None, *, new: bool = False) -> None:
    """Write the ticket's row (call inside the transaction that changed it).
    `document` spares the read when the caller has the whole text at hand
    (for a `new` ticket, possibly `prepared()`); `new` (a ticket just
    created) spares the delete of an old row."""
    document = document if document is not None else ticket_document(ticket_id)
    backend = _backend()
    if document is None:
        backend.delete(TICKET_INDEX, ticket_id)
        return
    if new and connection.vendor != "postgresql":
        row = document if document.get("analyzed") else prepared(document)
        with connection.cursor() as cursor:
            cursor.execute(f"INSERT INTO {TICKET_INDEX.table} (rowid, subject, body) "
                           f"VALUES (%s, %s, %s)", [ticket_id, row["subject"], row["body"]])
        return
    if document.get("analyzed"):
        raise ValueError("prepared() documents are for new tickets only")
    if connection.vendor == "postgresql":
        # Words as text.words splits them (what queries are made of):
        # PostgreSQL's parser would keep "wp-login.php" as one token.
        document = {key: " ".join(text.words(value)) for key, value in document.items()}
    backend.upsert(TICKET_INDEX, ticket_id, LANGUAGE, document)


def unindex_ticket(ticket_id: int) -> None:
    _backend().delete(TICKET_INDEX, ticket_id)


def has_word(word: str) -> bool:
    """Whether any ticket's text contains the word (under any of its stems):
    the spelling correction leaves known words alone."""
    return _backend().has_word(TICKET_INDEX, word, LANGUAGE)


def match_expression(query: text.Query) -> str:
    """FTS5: every word, each as any of its stems."""
    parts = []
    for term in query.terms:
        stems = sorted(text.word_stems(term.word, query.language))
        parts.append("(" + " OR ".join(f'"{s}"' for s in stems) + ")")
    return " AND ".join(parts)


def tsquery(query: text.Query) -> str:
    """PostgreSQL: every word, as written or without accents (words are
    letters and digits only, so nothing here is tsquery syntax)."""
    return " & ".join("(" + " | ".join(term.spellings) + ")" for term in query.terms)


def ranked_ticket_ids(q: str, *, candidates, limit: int) -> list[int]:
    """Ids of the tickets in `candidates` whose text matches `q`: the best
    `limit` of the newest WINDOW matches, by relevance, then newest first."""
    query = text.parse_query(q, LANGUAGE)
    if query.is_empty:
        return []
    table = TICKET_INDEX.table
    if connection.vendor == "postgresql":
        correlated = "f.id"
    else:
        correlated = f"{table}.rowid"
    try:
        sub_sql, sub_params = (candidates.order_by().filter(pk=RawSQL(correlated, ()))
                               .values("pk").query.sql_with_params())
    except EmptyResultSet:  # candidates is .none(): someone who sees no ticket
        return []
    if connection.vendor == "postgresql":
        # Normalization 1 (divide by 1 + log(length)): long threads do not
        # win by size alone. ORDER BY id DESC LIMIT lets the planner walk the
        # primary key backwards when a word is common, the GIN index when rare.
        sql = (f"SELECT f.id, ts_rank('{{0.1, 0.2, 0.4, 1.0}}', f.document, q, 1) "
               f"FROM {table} f, to_tsquery('spanish'::regconfig, %s) q "
               f"WHERE f.document @@ q AND EXISTS ({sub_sql}) ORDER BY f.id DESC LIMIT %s")
        params = [tsquery(query), *sub_params, WINDOW]
    else:
        weights = ", ".join(str(w) for w in TICKET_INDEX.bm25_weights)
        # FTS5 walks its matches in rowid order and stops at the LIMIT:
        # bm25() is computed for the window only.
        sql = (f"SELECT rowid, -bm25({table}, {weights}) FROM {table} "
               f"WHERE {table} MATCH %s AND EXISTS ({sub_sql}) ORDER BY rowid DESC LIMIT %s")
        params = [match_expression(query), *sub_params, WINDOW]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    rows.sort(key=lambda row: (-round(float(row[1]), 6), -row[0]))
    return [pk for pk, _score in rows[:limit]]


def rebuild(*, batch: int = 5000, progress=None) -> int:
    """Empty the index and fill it from every ticket (set-based, in batches)."""
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TICKET_INDEX.table}")
        cursor.execute("SELECT MAX(id) FROM tickets_ticket")
        last = cursor.fetchone()[0] or 0
    done, start = 0, 0
    while start < last:
        done += bulk_index_range(start + 1, start + batch)
        start += batch
        if progress:
            progress(min(start, last), last)
    return done


def bulk_index_range(first_id: int, last_id: int) -> int:
    """Index the tickets with first_id <= id <= last_id (no rows of theirs
    may be in the index yet)."""
    table = TICKET_INDEX.table
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # All in SQL: to_tsvector of the subject (A) and of the joined
            # bodies (D), plus the same text without accents (what
            # text.accent_variants adds when a single ticket is indexed).
            # Words split as text.words does (see index_ticket).
            def fold(expr):
                return f"translate({expr}, 'áéíóúüñàèìòù', 'aeiouunaeiou')"

            def split(expr):
                return f"regexp_replace(lower({expr}), '[^[:alnum:]]+', ' ', 'g')"

            subject, body = split("t.subject"), split("coalesce(m.body, '')")
            cursor.execute(
                f"INSERT INTO {table} (id, document) "
                f"SELECT t.id, setweight(to_tsvector('spanish', {subject}) || "
                f"to_tsvector('spanish', {fold(subject)}), 'A') || "
                f"setweight(to_tsvector('spanish', {body}) || "
                f"to_tsvector('spanish', {fold(body)}), 'D') "
                f"FROM tickets_ticket t LEFT JOIN (SELECT ticket_id, string_agg(body, E'\\n' "
                f"ORDER BY id) AS body FROM tickets_message WHERE ticket_id BETWEEN %s AND %s "
                f"AND kind <> %s GROUP BY ticket_id) m ON m.ticket_id = t.id "
                f"WHERE t.id BETWEEN %s AND %s "
                f"ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document",
                [first_id, last_id, SYSTEM_KIND, first_id, last_id])
            return cursor.rowcount
        cursor.execute("SELECT id, subject FROM tickets_ticket WHERE id BETWEEN %s AND %s",
                       [first_id, last_id])
        subjects = dict(cursor.fetchall())
        cursor.execute("SELECT ticket_id, body FROM tickets_message WHERE ticket_id BETWEEN %s "
                       "AND %s AND kind <> %s ORDER BY ticket_id, id",
                       [first_id, last_id, SYSTEM_KIND])
        bodies: dict[int, list[str]] = {}
        for ticket_id, body in cursor.fetchall():
            bodies.setdefault(ticket_id, []).append(body)
        rows = [(pk, analyzed(subject), " ".join(analyzed(b) for b in bodies.get(pk, ())))
                for pk, subject in subjects.items()]
        cursor.executemany(f"DELETE FROM {table} WHERE rowid = %s", [(pk,) for pk, *_ in rows])
        cursor.executemany(f"INSERT INTO {table} (rowid, subject, body) VALUES (%s, %s, %s)", rows)
        return len(rows)


_analyzed_cache: dict[str, str] = {}


def analyzed(value: str) -> str:
    """text.analyze with a bounded memo: generated and real histories repeat
    the same sentences (greetings, canned answers) over and over."""
    found = _analyzed_cache.get(value)
    if found is None:
        found = text.analyze(value, LANGUAGE)
        if len(_analyzed_cache) > 100_000:
            _analyzed_cache.clear()
        _analyzed_cache[value] = found
    return found

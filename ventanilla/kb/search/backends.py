"""Two full-text backends behind one interface, chosen by the database:
SQLite FTS5 (the embedded default) and PostgreSQL's own full-text search.

An index is described by a FullTextIndex (its table, the table it indexes,
its weighted columns) so that another model can reuse the same machinery:
the console's ticket search would declare
FullTextIndex("tickets_ticket_fts", "tickets_ticket", columns=("subject",
"messages")), create it in a tickets migration with `create_sql`, upsert a
ticket's text after each message (on commit) and replace `_text_condition`
with `pk__in=[pk for pk, _ in backend.search(index, query, candidates=qs)]`,
where `qs` is tickets_for_agent(user): the access rule stays the queryset's.

- SQLite: an FTS5 table whose rowid is the indexed row's id, holding the
  Snowball stems of each column (analyzed in Python: FTS5 has no Spanish
  stemmer), ranked with bm25() and per-column weights.
- PostgreSQL: a table of tsvectors built by the "spanish" (or "english")
  text search configuration, each column with its weight (A, B, D), a GIN
  index, ranked with ts_rank()."""

from dataclasses import dataclass

from django.db import connection

from ventanilla.core import text

PG_CONFIGS = {"es": "spanish", "en": "english"}


@dataclass(frozen=True)
class FullTextIndex:
    table: str
    source_table: str
    columns: tuple[str, ...]
    # bm25() weights (SQLite) and setweight() letters (PostgreSQL), per column.
    bm25_weights: tuple[float, ...]
    pg_weights: tuple[str, ...]

    def create_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [
                # No foreign key: Django's flush truncates the source table
                # without CASCADE. Rows whose source is gone are never found
                # (searches are restricted to existing candidates).
                f"CREATE TABLE IF NOT EXISTS {self.table} ("
                f" id bigint PRIMARY KEY, document tsvector NOT NULL)",
                f"CREATE INDEX IF NOT EXISTS {self.table}_gin ON {self.table} USING gin(document)",
            ]
        cols = ", ".join(self.columns)
        return [
            f"CREATE VIRTUAL TABLE IF NOT EXISTS {self.table} USING fts5({cols}, "
            f"tokenize='unicode61 remove_diacritics 2')",
        ]

    def drop_sql(self, vendor: str) -> list[str]:
        if vendor == "postgresql":
            return [f"DROP TABLE IF EXISTS {self.table}"]
        return [f"DROP TABLE IF EXISTS {self.table}"]


def _subquery(candidates) -> tuple[str, tuple]:
    sql, params = candidates.order_by().values("pk").query.sql_with_params()
    return sql, tuple(params)


class SqliteBackend:
    name = "sqlite-fts5"

    def upsert(self, index: FullTextIndex, pk: int, language: str, values: dict) -> None:
        analyzed = [text.analyze(values.get(col, ""), language) for col in index.columns]
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {index.table} WHERE rowid = %s", [pk])
            marks = ", ".join(["%s"] * (len(index.columns) + 1))
            cursor.execute(
                f"INSERT INTO {index.table} (rowid, {', '.join(index.columns)}) VALUES ({marks})",
                [pk, *analyzed])

    def delete(self, index: FullTextIndex, pk: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {index.table} WHERE rowid = %s", [pk])

    def match_expression(self, query: text.Query) -> str:
        alternatives = []
        for term in query.terms:
            options = {f'"{s}"' for s in text.word_stems(term.word, query.language)}
            if term.prefix:
                options |= {f'"{text.unaccent(term.word)}" *'}
            alternatives.append(" OR ".join(sorted(options)))
        return " OR ".join(f"({a})" for a in alternatives)

    def search(self, index, query, *, candidates, limit) -> list[tuple[int, float]]:
        if query.is_empty:
            return []
        sub_sql, sub_params = _subquery(candidates)
        weights = ", ".join(str(w) for w in index.bm25_weights)
        # MATERIALIZED: run the full-text match once. Given "rowid IN (...)"
        # directly, SQLite hands FTS5 one rowid at a time and re-runs the
        # match for each candidate (1 s per query at 2,000 articles).
        sql = (f"WITH matches AS MATERIALIZED (SELECT rowid AS id, "
               f"bm25({index.table}, {weights}) AS rank FROM {index.table} "
               f"WHERE {index.table} MATCH %s) "
               f"SELECT id, rank FROM matches WHERE id IN ({sub_sql}) ORDER BY rank LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [self.match_expression(query), *sub_params, limit])
            return [(pk, round(-rank, 4)) for pk, rank in cursor.fetchall()]

    def has_word(self, index, word: str, language: str) -> bool:
        expression = " OR ".join(f'"{s}"' for s in sorted(text.word_stems(word, language)))
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {index.table} WHERE {index.table} MATCH %s LIMIT 1",
                           [expression])
            return cursor.fetchone() is not None


class PostgresBackend:
    name = "postgresql"

    def upsert(self, index: FullTextIndex, pk: int, language: str, values: dict) -> None:
        config = PG_CONFIGS.get(language, "spanish")
        parts, params = [], []
        for col, weight in zip(index.columns, index.pg_weights, strict=True):
            value = values.get(col, "")
            parts.append("setweight(to_tsvector(%s::regconfig, %s) || "
                         "to_tsvector(%s::regconfig, %s), %s)")
            params += [config, value, config, text.accent_variants(value), weight]
        with connection.cursor() as cursor:
            cursor.execute(
                f"INSERT INTO {index.table} (id, document) VALUES (%s, {' || '.join(parts)}) "
                f"ON CONFLICT (id) DO UPDATE SET document = EXCLUDED.document", [pk, *params])

    def delete(self, index: FullTextIndex, pk: int) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DELETE FROM {index.table} WHERE id = %s", [pk])

    def tsquery(self, query: text.Query) -> str:
        """The argument of to_tsquery(): words are letters and digits only
        (text.words), so nothing here can be tsquery syntax."""
        alternatives = []
        for term in query.terms:
            options = list(term.spellings)
            if term.prefix:
                options += [f"{text.unaccent(term.word)}:*"]
            alternatives.append(" | ".join(options))
        return " | ".join(f"({a})" for a in alternatives)

    def search(self, index, query, *, candidates, limit) -> list[tuple[int, float]]:
        if query.is_empty:
            return []
        config = PG_CONFIGS.get(query.language, "spanish")
        sub_sql, sub_params = _subquery(candidates)
        # ts_rank weights are {D, C, B, A}; normalization 1 divides by
        # 1 + log(length) so long articles do not win by size alone.
        sql = (f"SELECT f.id, ts_rank('{{0.1, 0.2, 0.4, 1.0}}', f.document, q, 1) AS score "
               f"FROM {index.table} f, to_tsquery(%s::regconfig, %s) q "
               f"WHERE f.document @@ q AND f.id IN ({sub_sql}) ORDER BY score DESC, f.id LIMIT %s")
        with connection.cursor() as cursor:
            cursor.execute(sql, [config, self.tsquery(query), *sub_params, limit])
            return [(pk, round(float(score), 4)) for pk, score in cursor.fetchall()]

    def has_word(self, index, word: str, language: str) -> bool:
        config = PG_CONFIGS.get(language, "spanish")
        spellings = " | ".join(text.Term(word).spellings)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT 1 FROM {index.table} WHERE document @@ "
                           f"to_tsquery(%s::regconfig, %s) LIMIT 1", [config, spellings])
            return cursor.fetchone() is not None


def get_backend():
    return PostgresBackend() if connection.vendor == "postgresql" else SqliteBackend()

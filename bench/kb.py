"""Knowledge-base search latency for `make bench`: grows the knowledge base
to N generated articles (sentences of the demo articles recombined, so the
vocabulary and lengths are realistic), then times search_articles() — the
function behind /api/v1/kb/search and the widget — for the questions of
tests/kb/relevance.yaml, as whole questions and as typed (prefix) queries,
and for misspelled ones. Prints one JSON object with p50/p95/p99 in ms.

Runs as its own process with the backend's environment (bench/run.py sets
DATABASE_URL / VENTANILLA_DATA_DIR)."""

import argparse
import json
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

import django

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
django.setup()

import yaml  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from ventanilla.kb.access import public_articles  # noqa: E402
from ventanilla.kb.demo import DEMO_ARTICLES  # noqa: E402
from ventanilla.kb.models import Article, ArticleRevision  # noqa: E402
from ventanilla.kb.rendering import render_markdown  # noqa: E402
from ventanilla.kb.search import index_article, search_articles  # noqa: E402
from ventanilla.kb.search.spelling import bump_vocabulary  # noqa: E402
from ventanilla.kb.services import category_for_name  # noqa: E402
from ventanilla.kb.transfer import article_files, parse_article_file  # noqa: E402

PREFIX = "bench-kb-"
TYPOS = ["sertificado ssl", "wordpres no carga", "filezila no conecta", "propagasion dns",
         "no me yegan los correos", "contrasena del coreo", "respaldo de la vase de datos"]


def templates() -> list:
    return [parse_article_file(p.read_text(encoding="utf-8")) for p in article_files(DEMO_ARTICLES)
            if "status: draft" not in p.read_text(encoding="utf-8")]


def grow(total: int, seed: int = 7) -> int:
    """Add generated articles until there are `total` of them (idempotent)."""
    have = Article.objects.filter(slug__startswith=PREFIX).count()
    if have >= total:
        return 0
    rng = random.Random(seed + have)
    sources = [t for t in templates() if t.language == "es" and t.visibility == "public"]
    sentences = [s.strip() for t in sources for s in re.split(r"(?<=[.:])\s+", t.body)
                 if len(s.strip()) > 30]
    categories = {t.category: category_for_name(t.category) for t in sources}
    now = timezone.now()
    batch = 500
    for start in range(have, total, batch):
        with transaction.atomic():
            rows = []
            for i in range(start, min(start + batch, total)):
                base = rng.choice(sources)
                body = "\n\n".join(rng.sample(sentences, rng.randint(8, 30)))
                rows.append(Article(
                    slug=f"{PREFIX}{i}", title=f"{base.title} ({i})", summary=base.summary,
                    body=body, body_html=render_markdown(body), category=categories[base.category],
                    language="es", status="published", visibility="public", tags=base.tags,
                    created_at=now, updated_at=now, published_at=now))
            created = Article.objects.bulk_create(rows)  # ids returned (RETURNING)
            ArticleRevision.objects.bulk_create([
                ArticleRevision(article=a, number=1, title=a.title, body=a.body, status=a.status,
                                visibility=a.visibility, created_at=now) for a in created])
            for article in Article.objects.select_related("category").filter(
                    pk__in=[a.pk for a in created]):
                index_article(article)
        print(f"kb: {min(start + batch, total):,}/{total:,} articles", file=sys.stderr)
    bump_vocabulary()
    return total - have


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)

    def pick(p):
        return round(ordered[min(len(ordered) - 1, int(p * len(ordered)))], 2)

    return {"n": len(ordered), "p50_ms": pick(0.50), "p95_ms": pick(0.95), "p99_ms": pick(0.99),
            "mean_ms": round(statistics.fmean(ordered), 2)}


def timed(queries: list[str], **kwargs) -> dict:
    samples = []
    for q in queries:
        start = time.perf_counter()
        search_articles(q, language="es", candidates=public_articles(), limit=5, **kwargs)
        samples.append((time.perf_counter() - start) * 1000)
    return percentiles(samples)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--articles", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=400, help="searches per kind")
    args = parser.parse_args()
    started = time.perf_counter()
    added = grow(args.articles)
    grow_seconds = round(time.perf_counter() - started, 1)
    relevance = yaml.safe_load((ROOT / "tests/kb/relevance.yaml").read_text(encoding="utf-8"))
    questions = [case["q"] for case in relevance]
    rng = random.Random(1)
    whole = [rng.choice(questions) for _ in range(args.queries)]
    # What the widget sends while typing: the question cut mid-word.
    typing = [q[: rng.randint(min(4, len(q)), len(q))] for q in whole]
    typos = [rng.choice(TYPOS) for _ in range(args.queries)]
    timed(questions[:10])  # warm caches (stems, vocabulary), as a running server has them
    result = {
        "backend": connection.vendor, "articles": Article.objects.count(),
        "added": added, "grow_seconds": grow_seconds,
        "question": timed(whole), "typing": timed(typing, typing=True), "typo": timed(typos),
    }
    json.dump(result, sys.stdout)


if __name__ == "__main__":
    main()

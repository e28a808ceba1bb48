"""`ventanilla kb import/export`: Markdown files with YAML front matter."""

from io import StringIO

import pytest
from django.core.management import call_command

from ventanilla.kb.models import Article, ArticleRevision, KbCategory
from ventanilla.kb.transfer import ArticleFileError, parse_article_file

pytestmark = pytest.mark.django_db

GOOD = """---
slug: ftp-filezilla
title: Conectarte por FTP con FileZilla
category: FTP
language: es
tags: [ftp, filezilla]
related: [bases-de-datos]
summary: Sube archivos a tu hosting.
---
# Conectarte por FTP con FileZilla

Abre FileZilla y escribe el servidor.
"""

RELATED = """---
slug: bases-de-datos
title: Bases de datos y phpMyAdmin
category: Bases de datos
tags: mysql, phpmyadmin
---
Entra a phpMyAdmin desde el panel.
"""


def run(*args) -> str:
    out = StringIO()
    call_command("kb", *args, stdout=out, stderr=out)
    return out.getvalue()


def test_import_creates_articles_categories_and_related_then_is_idempotent(tmp_path):
    (tmp_path / "a.md").write_text(GOOD)
    (tmp_path / "b.md").write_text(RELATED)
    out = run("import", str(tmp_path))
    assert "2 nuevos, 0 actualizados, 0 sin cambios, 0 con errores" in out
    assert "[" in out and "2/2" in out  # the progress bar
    article = Article.objects.get(slug="ftp-filezilla")
    assert article.category.name == "FTP" and article.status == "published"
    assert list(article.related.values_list("slug", flat=True)) == ["bases-de-datos"]
    assert KbCategory.objects.count() == 2
    out = run("import", str(tmp_path))
    assert "0 nuevos, 0 actualizados, 2 sin cambios" in out
    assert ArticleRevision.objects.count() == 2
    (tmp_path / "a.md").write_text(GOOD.replace("escribe el servidor", "escribe el host"))
    assert "1 actualizados" in run("import", str(tmp_path))
    assert ArticleRevision.objects.filter(article=article).count() == 2


def test_bad_files_are_reported_by_name_and_line_and_skipped(tmp_path):
    (tmp_path / "bueno.md").write_text(GOOD)
    (tmp_path / "sin-cabecera.md").write_text("Hola\n")
    (tmp_path / "yaml-roto.md").write_text("---\nslug: x\ntitle: [sin cerrar\ncategory: A\n---\nx\n")
    (tmp_path / "idioma.md").write_text("---\nslug: x\ntitle: X\ncategory: A\nlanguage: fr\n---\nx\n")
    (tmp_path / "slug.md").write_text("---\nslug: Con Espacios\ntitle: X\ncategory: A\n---\nx\n")
    out = run("import", str(tmp_path))
    assert "ERROR sin-cabecera.md:1:" in out
    assert "ERROR yaml-roto.md:4:" in out or "ERROR yaml-roto.md:3:" in out
    assert "ERROR idioma.md:5: Idioma desconocido" in out
    assert "ERROR slug.md:2: Slug no válido" in out
    assert "1 nuevos, 0 actualizados, 0 sin cambios, 4 con errores" in out
    assert list(Article.objects.values_list("slug", flat=True)) == ["ftp-filezilla"]


def test_a_file_is_never_half_imported(tmp_path):
    with pytest.raises(ArticleFileError) as error:
        parse_article_file("---\nslug: x\ntitle: X\ncategory: A\ntags: {a: 1}\n---\nx\n")
    assert error.value.line == 5
    assert Article.objects.count() == 0 and KbCategory.objects.count() == 0


def test_export_writes_what_import_reads(tmp_path, articles):
    out = run("export", str(tmp_path / "out"))
    assert f"Exportados {len(articles)} artículos" in out
    before = {a.slug: (a.title, a.body, a.status, a.visibility, a.language, a.tags, a.summary)
              for a in Article.objects.all()}
    Article.objects.all().delete()
    assert f"{len(articles)} nuevos" in run("import", str(tmp_path / "out"))
    after = {a.slug: (a.title, a.body, a.status, a.visibility, a.language, a.tags, a.summary)
             for a in Article.objects.all()}
    assert after == before


def test_demo_seeding_tolerates_a_missing_directory(monkeypatch, tmp_path):
    from ventanilla.kb import demo

    monkeypatch.setattr(demo, "DEMO_ARTICLES", tmp_path / "absent")
    out = StringIO()
    demo.seed_demo(out)
    assert "no hay artículos" in out.getvalue()

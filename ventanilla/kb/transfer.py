"""Articles as files: Markdown with YAML front matter, one per article.

    ---
    slug: configurar-correo-outlook
    title: Configurar tu correo en Outlook
    category: Correo
    language: es
    tags: [correo, outlook]
    related: [puertos-correo-imap-pop-smtp]
    summary: Una frase.
    visibility: public      # or internal
    status: published       # or draft
    ---
    # Markdown body...

parse_article_file is pure: it returns the data or raises ArticleFileError
with the line the problem is on."""

import re
from pathlib import Path

import yaml
from django.utils.text import slugify
from django.utils.translation import gettext as _

from .models import Article, ArticleStatus, Language, Visibility
from .services import ArticleData

REQUIRED = ("slug", "title", "category")
KNOWN = {*REQUIRED, "language", "tags", "related", "summary", "visibility", "status"}


class ArticleFileError(ValueError):
    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message, self.line = message, line


def _as_list(value, name: str, line: int) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.split(",") if part.strip()]
    if isinstance(value, list) and all(isinstance(v, str | int | float) for v in value):
        return [str(v).strip() for v in value if str(v).strip()]
    raise ArticleFileError(_("«%(name)s» debe ser una lista.") % {"name": name}, line)


def parse_article_file(content: str) -> ArticleData:
    lines = content.lstrip("\ufeff").splitlines()
    if not lines or lines[0].strip() != "---":
        raise ArticleFileError(_("Falta la cabecera YAML: la primera línea debe ser «---»."), 1)
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() in ("---", "..."))
    except StopIteration:
        raise ArticleFileError(_("La cabecera YAML no se cierra con «---»."), 1) from None
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(error, "problem", None) or str(error)
        raise ArticleFileError(_("YAML no válido: %(problem)s") % {"problem": problem},
                               line) from None
    if not isinstance(meta, dict):
        raise ArticleFileError(_("La cabecera YAML debe ser un diccionario de campos."), 2)

    def line_of(key: str) -> int:
        for i in range(1, end):
            if re.match(rf"\s*{re.escape(key)}\s*:", lines[i]):
                return i + 1
        return 1

    for key in REQUIRED:
        if not str(meta.get(key) or "").strip():
            raise ArticleFileError(_("Falta el campo obligatorio «%(key)s».") % {"key": key}, 1)
    slug = str(meta["slug"]).strip()
    if slugify(slug) != slug:
        raise ArticleFileError(_("Slug no válido: «%(slug)s» (solo minúsculas sin acentos, "
                                 "números y guiones).") % {"slug": slug}, line_of("slug"))
    language = str(meta.get("language") or Language.SPANISH).strip()
    if language not in Language.values:
        raise ArticleFileError(_("Idioma desconocido: «%(value)s» (es o en).")
                               % {"value": language}, line_of("language"))
    status = str(meta.get("status") or ArticleStatus.PUBLISHED).strip()
    if status not in ArticleStatus.values:
        raise ArticleFileError(_("Estado desconocido: «%(value)s» (published o draft).")
                               % {"value": status}, line_of("status"))
    visibility = str(meta.get("visibility") or Visibility.PUBLIC).strip()
    if visibility not in Visibility.values:
        raise ArticleFileError(_("Visibilidad desconocida: «%(value)s» (public o internal).")
                               % {"value": visibility}, line_of("visibility"))
    title = str(meta["title"]).strip()
    if len(title) > 200:
        raise ArticleFileError(_("El título pasa de 200 caracteres."), line_of("title"))
    body = "\n".join(lines[end + 1:]).strip("\n") + "\n"
    if not body.strip():
        raise ArticleFileError(_("El artículo no tiene contenido."), end + 2)
    return ArticleData(
        slug=slug, title=title, body=body, category=str(meta["category"]).strip()[:100],
        summary=str(meta.get("summary") or "").strip()[:300], language=language,
        status=status, visibility=visibility,
        tags=_as_list(meta.get("tags"), "tags", line_of("tags")),
        related=_as_list(meta.get("related"), "related", line_of("related")),
    )


def article_file_content(article: Article) -> str:
    meta = {
        "slug": article.slug, "title": article.title, "category": article.category.name,
        "language": article.language, "tags": list(article.tags),
        "related": sorted(article.related.values_list("slug", flat=True)),
        "summary": article.summary, "visibility": article.visibility, "status": article.status,
    }
    header = yaml.safe_dump(meta, allow_unicode=True, sort_keys=False, width=1000)
    return f"---\n{header}---\n\n{article.body.strip()}\n"


def article_files(directory: Path) -> list[Path]:
    return sorted(p for p in directory.glob("*.md") if p.is_file())

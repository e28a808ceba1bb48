"""`ventanilla kb import DIR`, `ventanilla kb export DIR`, `ventanilla kb reindex`."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from ventanilla.kb import services
from ventanilla.kb.models import Article
from ventanilla.kb.transfer import (
    ArticleFileError,
    article_file_content,
    article_files,
    parse_article_file,
)


class Progress:
    """A one-line progress bar on stderr (redrawn in place on a terminal)."""

    def __init__(self, stream, total: int, width: int = 30):
        self.stream, self.total, self.width = stream, total, width
        raw = getattr(stream, "_out", stream)  # Django's OutputWrapper
        self.raw = raw
        self.tty = hasattr(raw, "isatty") and raw.isatty()

    def show(self, done: int, label: str = "") -> None:
        filled = self.width * done // max(self.total, 1)
        line = f"[{'#' * filled}{'.' * (self.width - filled)}] {done}/{self.total} {label}"
        if self.tty:
            self.raw.write("\r" + line[:100].ljust(100))
            self.raw.flush()
        elif done == self.total:
            self.raw.write(line + "\n")

    def close(self) -> None:
        if self.tty:
            self.raw.write("\n")


class Command(BaseCommand):
    help = _("Importa o exporta artículos de ayuda (Markdown con cabecera YAML).")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        importer = sub.add_parser("import", help=_("Carga los .md de un directorio (por slug)."))
        importer.add_argument("directory")
        exporter = sub.add_parser("export", help=_("Escribe cada artículo en DIR/<slug>.md."))
        exporter.add_argument("directory")
        sub.add_parser("reindex", help=_("Reconstruye el índice de búsqueda."))

    def handle(self, *args, action, **options):
        if action == "import":
            counts = import_directory(Path(options["directory"]), self.stdout, self.stderr)
            if counts["errors"] and not (counts["created"] or counts["updated"]
                                         or counts["unchanged"]):
                raise CommandError(_("Ningún archivo se pudo importar."))
        elif action == "export":
            export_directory(Path(options["directory"]), self.stdout)
        else:
            with transaction.atomic():
                count = services.article_reindex_all()
            self.stdout.write(_("Reindexados %(n)s artículos.") % {"n": count})


def import_directory(directory: Path, stdout, stderr=None) -> dict:
    """Import every .md of directory. Each file is all or nothing; bad files
    are reported (name and line) and skipped. Returns the counts."""
    if not directory.is_dir():
        raise CommandError(_("No existe el directorio %(dir)s") % {"dir": directory})
    files = article_files(directory)
    counts = {"created": 0, "updated": 0, "unchanged": 0, "errors": 0}
    problems = []
    parsed = []
    progress = Progress(stderr or stdout, len(files))
    for i, path in enumerate(files, 1):
        try:
            data = parse_article_file(path.read_text(encoding="utf-8"))
        except UnicodeDecodeError:
            problems.append((path.name, None, _("no está en UTF-8")))
        except ArticleFileError as error:
            problems.append((path.name, error.line, error.message))
        else:
            existed = Article.objects.filter(slug=data.slug).exists()
            try:
                _article, changed = services.article_save(data, note=_("Importado de %(file)s")
                                                          % {"file": path.name})
            except Exception as error:  # a database constraint: report, keep going
                problems.append((path.name, None, str(error)))
            else:
                parsed.append(data)
                counts["unchanged" if not changed else "updated" if existed else "created"] += 1
        progress.show(i, path.name)
    progress.close()
    # Related articles named before they were imported.
    for data in parsed:
        if data.related:
            article = Article.objects.get(slug=data.slug)
            if sorted(article.related.values_list("slug", flat=True)) != sorted(data.related):
                services.article_set_related(article, data.related)
    counts["errors"] = len(problems)
    for name, line, message in problems:
        where = f"{name}:{line}" if line else name
        stdout.write(_("ERROR %(where)s: %(message)s (omitido)") % {"where": where,
                                                                     "message": message})
    stdout.write(_("Importación terminada: %(created)s nuevos, %(updated)s actualizados, "
                   "%(unchanged)s sin cambios, %(errors)s con errores.") % counts)
    return counts


def export_directory(directory: Path, stdout) -> int:
    directory.mkdir(parents=True, exist_ok=True)
    articles = list(Article.objects.select_related("category").prefetch_related("related")
                    .order_by("slug"))
    progress = Progress(stdout, len(articles))
    for i, article in enumerate(articles, 1):
        (directory / f"{article.slug}.md").write_text(article_file_content(article),
                                                      encoding="utf-8")
        progress.show(i, article.slug)
    progress.close()
    stdout.write(_("Exportados %(n)s artículos a %(dir)s.") % {"n": len(articles),
                                                               "dir": directory})
    return len(articles)

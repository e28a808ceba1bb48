"""`ventanilla import customers|services|tickets FILE [--dry-run]`."""

import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from ventanilla.integrations.imports import importer_for, read_records, run_import
from ventanilla.integrations.models import Integration


class Command(BaseCommand):
    help = "Importa clientes, servicios o tickets (CSV o JSON Lines; ver docs/import.md)."

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["customers", "services", "tickets"])
        parser.add_argument("file")
        parser.add_argument("--integration", default="",
                            help="Identificador de la integración dueña de los ids externos "
                                 "(por defecto, la única que haya; si no hay, «importacion»).")
        parser.add_argument("--format", choices=["csv", "jsonl"], default="",
                            help="Por defecto, según la extensión (.csv o cualquier otra: JSON Lines).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Comprueba todo el archivo sin guardar nada.")

    def handle(self, *args, kind, file, integration, format, dry_run, **options):
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("No existe el archivo %(path)s.") % {"path": file})
        if kind == "tickets" and format == "csv":
            raise CommandError(_("Los tickets se importan solo en JSON Lines."))
        owner = self._integration(integration)
        total = sum(1 for line in path.open(encoding="utf-8-sig") if line.strip())
        if format == "csv" or (not format and path.suffix.lower() == ".csv"):
            total -= 1  # the header
        report = run_import(
            read_records(path, format), importer_for(kind, owner, path.parent.resolve(), dry_run=dry_run),
            dry_run=dry_run, progress=lambda n: self._progress(n, total),
        )
        self.stderr.write("")
        summary = _("%(created)s creados, %(updated)s actualizados, %(skipped)s ya importados, "
                    "%(errors)s con errores.") % {
            "created": report.created, "updated": report.updated, "skipped": report.skipped,
            "errors": len(report.errors)}
        if dry_run:
            summary = _("Simulación (no se guardó nada): %(summary)s") % {"summary": summary}
        self.stdout.write(summary)
        for number, message in report.errors:
            self.stdout.write(_("línea %(n)s: %(error)s") % {"n": number, "error": message})
        if report.errors:
            sys.exit(1)

    def _integration(self, slug: str) -> Integration:
        if slug:
            found = Integration.objects.filter(slug=slug).first()
            if found is None:
                raise CommandError(_("No hay ninguna integración «%(slug)s».") % {"slug": slug})
            return found
        existing = list(Integration.objects.all()[:2])
        if len(existing) == 1:
            return existing[0]
        if len(existing) > 1:
            raise CommandError(_("Hay varias integraciones: elige una con --integration."))
        return Integration.objects.create(name=_("Importación"), slug="importacion")

    def _progress(self, done: int, total: int) -> None:
        """A progress bar on stderr: redrawn in place on a terminal, every
        1,000 records otherwise (logs stay readable)."""
        total = max(total, done, 1)
        interactive = self.stderr.isatty()
        if not interactive and done % 1000 and done != total:
            return
        width = 30
        filled = width * done // total
        bar = f"[{'#' * filled}{'.' * (width - filled)}] {done}/{total}"
        self.stderr.write(f"\r{bar}" if interactive else bar, ending="")
        if not interactive:
            self.stderr.write("")

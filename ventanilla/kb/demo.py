"""Demo content: the articles in kb/demo_articles/ (Markdown with YAML
front matter), imported like `ventanilla kb import` does; idempotent."""

from pathlib import Path

from django.utils.translation import gettext as _

DEMO_ARTICLES = Path(__file__).resolve().parent / "demo_articles"


def seed_demo(stdout) -> None:
    from .management.commands.kb import import_directory

    if not DEMO_ARTICLES.is_dir():
        stdout.write(_("Centro de ayuda: no hay artículos de demostración."))
        return
    import_directory(DEMO_ARTICLES, stdout)

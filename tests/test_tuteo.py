"""Ventanilla speaks to people as «tú», never «usted»: no imperative or
pronoun of usted in the Spanish source (templates, Python strings, emails,
help articles). allauth's own pages (templates/account, templates/mfa) are
checked by tests/test_accounts.py."""

import re
from pathlib import Path

import ventanilla

ROOT = Path(ventanilla.__file__).parent
USTED = re.compile(
    r"\b(usted|elija|ingrese|seleccione|escriba|introduzca|verifique|inicie sesión|"
    r"haga clic|pulse|contacte|póngase|le pediremos|le enviaremos|no puede usar|abra un|incluya la|"
    r"asegúrese|vuelva a intentarlo|intente de nuevo)\b",
    re.IGNORECASE,
)
SKIP_PARTS = {"locale", "migrations", "__pycache__"}
SKIP_DIRS = (ROOT / "templates" / "account", ROOT / "templates" / "mfa")


def sources():
    for path in sorted(ROOT.rglob("*")):
        if path.suffix not in {".html", ".txt", ".py", ".md"} or not path.is_file():
            continue
        if SKIP_PARTS & set(path.relative_to(ROOT).parts):
            continue
        if any(path.is_relative_to(skip) for skip in SKIP_DIRS):
            continue
        yield path


def test_the_scan_sees_the_contact_page():
    assert ROOT / "sla" / "templates" / "sla" / "contact.html" in set(sources())


def test_no_usted_in_the_spanish_source():
    found = [
        f"{path.relative_to(ROOT)}:{number}: {line.strip()}"
        for path in sources()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1)
        if USTED.search(line)
    ]
    assert not found, "\n".join(found)


def test_the_contact_page_speaks_tu(client):
    page = client.get("/contacto/").content.decode()
    assert "Elige el departamento" in page and "Elija" not in page
    assert "¿No puedes usar el Área de cliente?" in page
    assert "Nunca te pediremos tu contraseña." in page


def test_the_contact_page_in_english(client):
    client.cookies["django_language"] = "en"
    page = client.get("/contacto/").content.decode()
    assert "Choose the department and the priority" in page
    assert "We will never ask for your password." in page

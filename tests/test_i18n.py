"""The English interface: the catalogue is complete and the pages switch to it
only by an explicit choice (the language cookie or the user's preference)."""

import re
from pathlib import Path

import pytest
from django.urls import reverse

import ventanilla

PO_FILE = Path(ventanilla.__file__).parent / "locale" / "en" / "LC_MESSAGES" / "django.po"
# Feature apps keep their own catalogue beside their code.
APP_PO_FILES = sorted(Path(ventanilla.__file__).parent.glob("*/locale/en/LC_MESSAGES/django.po"))
LOGIN = reverse("account_login")
DASHBOARD = reverse("portal:dashboard")


def unescape(match):
    return {"n": "\n", "t": "\t"}.get(match[1], match[1])


def po_entries(path=PO_FILE):
    """The catalogue's entries as dicts: flags plus msgid, msgid_plural,
    msgstr or msgstr[N], each with its string pieces joined and unescaped."""
    entries = []
    for block in path.read_text(encoding="utf-8").split("\n\n"):
        entry = {"flags": set()}
        key = None
        for line in block.splitlines():
            if line.startswith("#,"):
                entry["flags"].update(flag.strip() for flag in line[2:].split(","))
                continue
            if line.startswith("#") or not line.strip():
                continue
            match = re.match(r'^(msgid_plural|msgid|msgstr\[\d+\]|msgstr)\s+"(.*)"$', line)
            if match:
                key = match.group(1)
                entry[key] = match.group(2)
            else:
                assert line.startswith('"') and line.endswith('"'), line
                entry[key] += line[1:-1]
        if "msgid" in entry:
            for k, value in entry.items():
                if k != "flags":
                    entry[k] = re.sub(r"\\(.)", unescape, value)
            entries.append(entry)
    return entries


def translations(entry):
    return [value for key, value in entry.items() if key.startswith("msgstr")]


def pairs(entry):
    """(source, translation) pairs: the plural form goes with msgid_plural."""
    if "msgid_plural" in entry:
        return [(entry["msgid"], entry["msgstr[0]"]), (entry["msgid_plural"], entry["msgstr[1]"])]
    return [(entry["msgid"], entry["msgstr"])]


@pytest.fixture
def english_alice(alice):
    alice.user.language = "en"
    alice.user.save(update_fields=["language"])
    return alice


def test_login_page_in_english_with_the_language_cookie(client):
    client.cookies["django_language"] = "en"
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert response["Content-Language"] == "en"
    assert "Sign In" in response.content.decode()


def test_login_page_is_spanish_by_default_whatever_the_browser_says(client):
    response = client.get(LOGIN, HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    assert response["Content-Language"] == "es"
    assert "Sign In" not in response.content.decode()


def test_dashboard_in_english_for_a_customer_who_prefers_it(client, english_alice):
    client.force_login(english_alice.user)
    response = client.get(DASHBOARD)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Ticket history" in html
    assert "Client area" in html
    assert "Historial de tickets" not in html


def test_dashboard_in_spanish_without_that_preference(client, alice):
    client.force_login(alice.user)
    response = client.get(DASHBOARD)
    html = response.content.decode()
    assert "Historial de tickets" in html
    assert "Ticket history" not in html


def test_catalogue_is_complete_and_nothing_is_fuzzy():
    entries = po_entries()
    header, messages = entries[0], entries[1:]
    assert header["msgid"] == ""
    assert "Language: en\n" in header["msgstr"]
    assert "Plural-Forms: nplurals=2; plural=(n != 1);\n" in header["msgstr"]
    assert "fuzzy" not in header["flags"]
    assert len(messages) > 400
    empty = [e["msgid"] for e in messages if not all(t.strip() for t in translations(e))]
    fuzzy = [e["msgid"] for e in messages if "fuzzy" in e["flags"]]
    assert empty == []
    assert fuzzy == []
    plurals = [e for e in messages if "msgid_plural" in e]
    assert plurals and all({"msgstr[0]", "msgstr[1]"} <= set(e) for e in plurals)


@pytest.mark.parametrize("path", APP_PO_FILES, ids=lambda p: p.parts[-5])
def test_app_catalogues_are_complete(path):
    entries = po_entries(path)
    assert "Language: en\n" in entries[0]["msgstr"]
    empty = [e["msgid"] for e in entries[1:] if not all(t.strip() for t in translations(e))]
    fuzzy = [e["msgid"] for e in entries[1:] if "fuzzy" in e["flags"]]
    assert empty == []
    assert fuzzy == []


@pytest.mark.parametrize("path", [PO_FILE, *APP_PO_FILES], ids=lambda p: p.parts[-5])
def test_translations_keep_placeholders_and_markup(path):
    placeholder = re.compile(r"%(?:\([a-z_]+\))?[sd]")
    tag = re.compile(r"</?[a-z]+")
    for entry in po_entries(path)[1:]:
        for source, translation in pairs(entry):
            wanted = sorted(placeholder.findall(source))
            assert sorted(placeholder.findall(translation)) == wanted, entry["msgid"]
            assert sorted(tag.findall(translation)) == sorted(tag.findall(source)), entry["msgid"]
            assert translation.startswith("\n") == source.startswith("\n"), entry["msgid"]
            assert translation.endswith("\n") == source.endswith("\n"), entry["msgid"]

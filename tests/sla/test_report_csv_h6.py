"""The SLA report's CSV goes through the one escaping CSV writer (issue 17 A8)."""

import csv
import io

from django.urls import reverse
from django.utils import timezone

from ventanilla.core.spreadsheet import safe_cell
from ventanilla.tickets import services

from ..conftest import make_agent


def test_an_agent_name_that_is_a_formula_is_written_defused(client, sofia, alice, make_ticket, soporte):
    mallory = make_agent("mallory@example.com", '=HYPERLINK("http://evil.example/x","ok")', [soporte])
    ticket = make_ticket(alice)
    services.ticket_assign(ticket, actor=mallory, assignee=mallory)
    client.force_login(sofia)
    today = timezone.localdate().isoformat()
    response = client.get(reverse("sla:reports"), {"desde": today, "hasta": today,
                                                   "agrupar": "agente", "exportar": "grupos"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    labels = [r[0] for r in rows[1:]]
    assert "'=HYPERLINK(\"http://evil.example/x\",\"ok\")" in labels
    assert not any(label.startswith("=") for label in labels)


def test_numbers_stay_numbers_and_text_formulas_are_quoted():
    assert safe_cell(-3) == "-3" and safe_cell(12.5) == "12.5"
    assert safe_cell("-3") == "'-3" and safe_cell("@x") == "'@x" and safe_cell(None) == ""

"""Report figures against fixtures computed by hand."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.urls import reverse

from ventanilla.sla import charts
from ventanilla.sla.models import SatisfactionRating
from ventanilla.sla.reports import TicketRow, aggregate, backlog_series, percentile
from ventanilla.sla.services import satisfaction_record
from ventanilla.tickets import services
from ventanilla.tickets.models import Status
from ventanilla.tickets.status import Role

T0 = datetime(2026, 10, 7, 8, 0, tzinfo=UTC)


def at(minutes):
    return T0 + timedelta(minutes=minutes)


def row(pk, dept, *, response=None, due=10, resolved=None, ever_resolved=False, reopened=False):
    return TicketRow(
        id=pk, created_at=T0, department=dept, agent="", channel="portal", priority="regular",
        first_response_at=at(response) if response is not None else None,
        first_response_due_at=at(due), resolved_at=at(resolved) if resolved is not None else None,
        ever_resolved=ever_resolved, reopened=reopened)


class Rated:
    def __init__(self, department, score):
        self.department, self.agent, self.channel, self.priority = department, "", "portal", "regular"
        self.score = score


ROWS = [
    row(1, "A", response=4, resolved=120, ever_resolved=True),          # met
    row(2, "A", response=20, resolved=360, ever_resolved=True, reopened=True),  # missed
    row(3, "A"),                                                          # unanswered, past due
    row(4, "B", response=8, due=30),                                      # met
    row(5, "B", due=30),                                                  # unanswered, not yet due
]
RATINGS = [Rated("A", 5), Rated("A", 4), Rated("B", 2)]


@pytest.fixture
def figures():
    groups, total = aggregate(ROWS, RATINGS, group_by="departamento", now=at(25))
    return {g.key: g for g in groups}, total


def test_percentiles_use_the_nearest_rank():
    assert percentile([], 50) is None
    assert percentile([4, 20], 50) == 4
    assert percentile([4, 20], 90) == 20
    assert percentile([20, 4, 8], 50) == 8
    assert percentile(list(range(1, 11)), 90) == 9


def test_volume_first_response_and_compliance_by_group(figures):
    groups, total = figures
    a, b = groups["A"], groups["B"]
    assert (a.volume, a.first_response_p50, a.first_response_p90, a.compliance) == (3, 4, 20, 33.3)
    assert (b.volume, b.first_response_p50, b.first_response_p90, b.compliance) == (2, 8, 8, 100.0)
    assert (total.volume, total.first_response_p50, total.first_response_p90) == (5, 8, 20)
    assert total.compliance == 50.0  # 2 met, 2 missed, 1 not decided yet


def test_resolution_reopen_rate_and_csat(figures):
    groups, total = figures
    a, b = groups["A"], groups["B"]
    assert (a.resolution_median_hours, a.reopen_rate) == (2.0, 50.0)
    assert (b.resolution_median_hours, b.reopen_rate) == (None, None)
    assert (a.csat_average, a.csat_satisfied) == (4.5, 100.0)
    assert (b.csat_average, b.csat_satisfied) == (2.0, 0.0)
    assert (total.csat_average, total.csat_satisfied) == (3.67, 66.7)


def test_backlog_counts_unfinished_tickets_at_the_end_of_each_day():
    day1, day2, day3 = date(2026, 10, 7), date(2026, 10, 8), date(2026, 10, 9)
    spans = [
        (datetime(2026, 10, 6, 12, tzinfo=UTC), None),                                  # 1 1 1
        (datetime(2026, 10, 7, 9, tzinfo=UTC), datetime(2026, 10, 8, 9, tzinfo=UTC)),  # 1 0 0
        (datetime(2026, 10, 8, 9, tzinfo=UTC), datetime(2026, 10, 9, 23, tzinfo=UTC)), # 0 1 0
        (datetime(2026, 10, 9, 9, tzinfo=UTC), None),                                  # 0 0 1
    ]
    assert backlog_series(spans, [day1, day2, day3], UTC) == [(day1, 2), (day2, 2), (day3, 2)]


def test_charts_are_plain_svg_without_inline_styles():
    chart = charts.bar_chart([("1", 3), ("2", 0), ("<b>", 7)], title="Prueba & más")
    assert chart.count("<svg") == 1 and "style=" not in chart and "<b>" not in chart
    assert chart.count("<rect") == 3
    assert "<polyline" in charts.line_chart([("a", 1), ("b", 2)], title="x")


def test_chart_axis_labels_are_html_outside_the_svg():
    """Text inside an SVG has no background a contrast checker can read."""
    chart = charts.line_chart([(f"{d:02}/11", d) for d in range(1, 31)], title="x")
    svg_end = chart.index("</svg>")
    assert "<text" not in chart
    assert chart.index('<ol class="chart-y"') < svg_end < chart.index('<ol class="chart-x')
    assert "<li>50</li><li>25</li><li>0</li>" in chart  # a round top above 30
    x_labels = chart[chart.index('<ol class="chart-x'):].split("<li")[1:]
    assert len(x_labels) == 30  # one cell per dot, so each label sits under its dot
    # Every third day labelled, every other one of those minor (hidden on a phone).
    assert x_labels[:7] == [">01/11</li>", "></li>", "></li>", ' class="chart-x__minor">04/11</li>',
                            "></li>", "></li>", ">07/11</li>"]
    # A few points: every one labelled, none hidden.
    scores = charts.bar_chart([(str(n), n) for n in range(1, 6)], title="x")
    assert "chart-x__minor" not in scores and "<li>1</li><li>2</li><li>3</li>" in scores


# --- Through the page ---------------------------------------------------------

@pytest.fixture
def history(alice, make_ticket, carla, diego):
    """Two Soporte tickets answered by carla in 4 and 20 minutes (one late);
    one resolved after 2 h, then reopened; one Facturación ticket unanswered."""
    with time_machine.travel(T0, tick=False) as clock:
        first, second = make_ticket(alice), make_ticket(alice)
        billing = make_ticket(alice, department=diego.agent.departments.first())
        for ticket in (first, second):
            services.ticket_assign(ticket, actor=carla, assignee=carla)
        clock.move_to(at(4))
        services.ticket_agent_reply(first, agent=carla, body="Hola")
        clock.move_to(at(20))
        services.ticket_agent_reply(second, agent=carla, body="Hola")
        clock.move_to(at(120))
        services.ticket_status_set(first, actor=carla, role=Role.AGENT, status=Status.RESOLVED)
        clock.move_to(at(150))
        services.ticket_customer_reply(first, author=alice.user, body="Sigue fallando")
        satisfaction_record(source=SatisfactionRating.Source.SURVEY, subject_key="ticket:x",
                            score=4, ticket=first)
    return first, second, billing


def report_csv(client, **params):
    params = {"desde": "2026-10-07", "hasta": "2026-10-07", **params}
    response = client.get(reverse("sla:reports"), params)
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_a_supervisor_exports_the_figures_by_department(client, sofia, history):
    client.force_login(sofia)
    with time_machine.travel(at(24 * 60), tick=False):
        rows = report_csv(client, exportar="grupos")
    header, *body = rows
    assert header[:7] == ["Departamento", "Tickets", "Primera respuesta p50 (min)",
                          "Primera respuesta p90 (min)", "Cumplimiento primera respuesta (%)",
                          "Cumplimiento siguiente respuesta (%)", "Cumplimiento resolución (%)"]
    by_label = {r[0]: r for r in body}
    # The reopened ticket's next response (customer at +150 min) was never given.
    assert by_label["Soporte técnico"][1:10] == ["2", "4.0", "20.0", "50.0", "0.0", "", "", "100.0", "1"]
    assert by_label["Total"][1:5] == ["3", "4.0", "20.0", "33.3"]


def test_the_page_shows_tables_and_charts(client, sofia, history):
    client.force_login(sofia)
    html = client.get(reverse("sla:reports"), {"desde": "2026-10-01", "hasta": "2026-10-10"}).content.decode()
    assert "<svg" in html and "Cumplimiento" in html and "exportar=grupos" in html


def test_an_agent_sees_only_their_own_tickets(client, diego, history):
    client.force_login(diego)
    rows = report_csv(client, exportar="grupos")
    assert {r[0]: r[1] for r in rows[1:]}["Total"] == "0"


def test_backlog_csv(client, sofia, history):
    client.force_login(sofia)
    with time_machine.travel(at(24 * 60), tick=False):
        rows = report_csv(client, exportar="pendientes", desde="2026-10-06", hasta="2026-10-08")
    assert rows == [["Día", "Tickets pendientes de resolver"],
                    ["2026-10-06", "0"], ["2026-10-07", "3"], ["2026-10-08", "3"]]


def test_a_reversed_range_is_refused_and_kept(client, sofia):
    client.force_login(sofia)
    response = client.get(reverse("sla:reports"), {"desde": "2026-10-07", "hasta": "2026-10-01"})
    html = response.content.decode()
    assert "no puede ser anterior" in html and 'value="2026-10-07"' in html

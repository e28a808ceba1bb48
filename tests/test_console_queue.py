"""The agent console's queue: who reaches it, what each tab shows, the
department filter, keyset pagination and a fixed number of queries."""

import datetime as dt

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from ventanilla.tickets import selectors, services
from ventanilla.tickets.models import Priority, Status
from ventanilla.tickets.status import Role

QUEUE = reverse("console:queue")
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def incident():
    return services.IncidentDetails(
        server_ip="192.0.2.10", order_number="123456", service_name="Hosting Negocios - alicia.mx",
        started_at=START, time_zone="Europe/Madrid", diagnostics="HTTP 500 en todo el sitio",
    )


def numbers(response):
    return [ticket.number for ticket in response.context["page"].rows]


@pytest.fixture
def board(alice, bob, make_ticket, carla, sofia, facturacion):
    """One ticket per situation, created an hour apart (oldest first)."""
    made = {}
    steps = [
        ("old", lambda: make_ticket(alice, subject="Correo rebota")),
        ("alta", lambda: make_ticket(alice, subject="Sitio caído", priority=Priority.HIGH,
                                     incident=incident())),
        ("pending", lambda: make_ticket(bob, subject="Cambio de DNS")),
        ("resolved", lambda: make_ticket(bob, subject="Certificado SSL")),
        ("closed", lambda: make_ticket(alice, subject="Alta de cuenta de correo")),
        ("mine", lambda: make_ticket(bob, subject="Backups del VPS")),
        ("new", lambda: make_ticket(alice, subject="WordPress lento")),
        ("billing", lambda: make_ticket(alice, subject="Factura duplicada", department=facturacion)),
    ]
    for hour, (key, create) in enumerate(steps):
        with time_machine.travel(START + dt.timedelta(hours=hour), tick=False):
            made[key] = create()
    with time_machine.travel(START + dt.timedelta(hours=20), tick=False):
        services.ticket_agent_reply(made["pending"], agent=carla, body="¿Qué registros cambiaste?")
        services.ticket_status_set(made["resolved"], actor=carla, role=Role.AGENT,
                                   status=Status.RESOLVED)
        services.ticket_status_set(made["closed"], actor=carla, role=Role.AGENT, status=Status.CLOSED)
        services.ticket_assign(made["mine"], actor=carla, assignee=carla)
    return {key: ticket.number for key, ticket in made.items()}


# --- Who reaches the console -------------------------------------------------

def test_it_sends_anonymous_visitors_to_the_login(client):
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert reverse("account_login") in response["Location"]


def test_it_sends_customers_to_their_client_area(client, alice):
    client.force_login(alice.user)
    response = client.get(QUEUE)
    assert response.status_code == 302
    assert response["Location"] == reverse("portal:dashboard")


def test_it_hides_the_console_from_users_who_are_neither_agents_nor_customers(client):
    from ventanilla.accounts.models import User

    user = User.objects.create_user(email="nadie@example.com", password="x")
    client.force_login(user)
    assert client.get(QUEUE).status_code == 404


def test_it_lets_superusers_in(client, root, alice_ticket):
    client.force_login(root)
    response = client.get(QUEUE)
    assert response.status_code == 200
    assert numbers(response) == [alice_ticket.number]


def test_it_shows_the_console_frame(client, carla):
    client.force_login(carla)
    page = client.get(QUEUE).content.decode()
    assert "Consola" in page
    assert 'aria-current="page">Cola</a>' in page
    assert "Soporte técnico" in page and "Facturación" not in page


# --- Tabs ----------------------------------------------------------------------

def test_the_default_view_lists_open_tickets_alta_first_then_oldest(client, carla, board):
    client.force_login(carla)
    response = client.get(QUEUE)
    assert numbers(response) == [board["alta"], board["old"], board["mine"], board["new"]]


# Alta first, then by response-time due; a ticket waiting for the customer
# (Pendiente: its clock is paused) comes after those whose clock runs.
@pytest.mark.parametrize(("vista", "expected"), [
    ("sin-asignar", ["alta", "old", "new", "pending"]),
    ("mios", ["mine"]),
    ("esperando", ["pending"]),
    ("alta", ["alta", "old", "mine", "new", "pending"]),
    ("antiguos", ["old", "alta", "mine", "new"]),
    ("resueltos", ["resolved"]),
    ("cerrados", ["closed"]),
])
def test_each_tab_lists_what_it_should_in_order(client, carla, board, vista, expected):
    client.force_login(carla)
    response = client.get(QUEUE, {"vista": vista})
    assert numbers(response) == [board[key] for key in expected]


def test_all_open_lists_open_and_pending_tickets_most_recently_updated_first(client, carla, board):
    client.force_login(carla)
    response = client.get(QUEUE, {"vista": "abiertos"})
    # "mine" and "pending" were touched last (hour 20), in that order of ids.
    assert set(numbers(response)) == {board[k] for k in ("old", "alta", "pending", "mine", "new")}
    assert numbers(response)[-3:] == [board["new"], board["alta"], board["old"]]


def test_mine_leaves_out_closed_tickets(client, carla, alice_ticket):
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    client.force_login(carla)
    assert numbers(client.get(QUEUE, {"vista": "mios"})) == [alice_ticket.number]
    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.CLOSED)
    assert numbers(client.get(QUEUE, {"vista": "mios"})) == []


def test_an_unknown_view_falls_back_to_the_default(client, carla, board):
    client.force_login(carla)
    assert numbers(client.get(QUEUE, {"vista": "nada"})) == numbers(client.get(QUEUE))


def test_the_queue_shows_the_columns_agents_need(client, carla, alice, make_ticket, correo_category):
    ticket = make_ticket(alice, subject="Correo <script>rebota</script>", category=correo_category)
    services.ticket_assign(ticket, actor=carla, assignee=carla)
    client.force_login(carla)
    page = client.get(QUEUE).content.decode()
    assert f"#{ticket.number}" in page
    assert "Correo &lt;script&gt;rebota&lt;/script&gt;" in page
    assert "Alicia Pérez" in page and "alice@example.com" in page
    assert "Soporte técnico" in page and "Correo" in page
    assert 'class="badge badge--regular"' in page and 'class="badge badge--abierto"' in page
    assert "Carla Soporte" in page
    assert "<time datetime=" in page and 'title="' in page
    assert "Área de cliente" in page


# --- Departments ---------------------------------------------------------------

def test_agents_never_see_tickets_of_other_departments_in_any_view(client, carla, board):
    client.force_login(carla)
    for vista in selectors.QUEUE_VIEWS:
        response = client.get(QUEUE, {"vista": vista})
        assert board["billing"] not in numbers(response), vista
        assert board["billing"] not in response.content.decode(), vista


def test_the_department_filter_only_offers_the_agents_departments(client, carla, board):
    client.force_login(carla)
    response = client.get(QUEUE, {"departamento": "facturacion", "vista": "abiertos"})
    assert board["billing"] not in numbers(response)
    assert response.context["department"] is None


def test_agents_see_their_departments_tickets(client, diego, board):
    client.force_login(diego)
    assert numbers(client.get(QUEUE)) == [board["billing"]]


def test_supervisors_see_every_department_and_can_filter_by_any(client, sofia, board):
    client.force_login(sofia)
    response = client.get(QUEUE, {"vista": "abiertos"})
    assert board["billing"] in numbers(response) and board["old"] in numbers(response)
    response = client.get(QUEUE, {"vista": "abiertos", "departamento": "facturacion"})
    assert numbers(response) == [board["billing"]]


# --- Pagination and queries ----------------------------------------------------

@pytest.fixture
def many(alice, bob, make_ticket, carla, correo_category):
    """23 tickets, several created at the very same instant (ties on the sort key)."""
    tickets = []
    for i in range(23):
        with time_machine.travel(START + dt.timedelta(minutes=i // 4), tick=False):
            customer = alice if i % 2 else bob
            if i % 5 == 0:
                ticket = make_ticket(customer, subject=f"Caída {i}", priority=Priority.HIGH,
                                     incident=incident(), category=correo_category)
            else:
                ticket = make_ticket(customer, subject=f"Consulta {i}")
            if i % 3 == 0:
                services.ticket_assign(ticket, actor=carla, assignee=carla)
            tickets.append(ticket.number)
    return tickets


@pytest.mark.parametrize("vista", ["", "alta", "antiguos", "abiertos", "sin-asignar"])
def test_keyset_pagination_returns_every_ticket_exactly_once(client, carla, many, vista):
    client.force_login(carla)
    seen, params = [], {"vista": vista, "n": 5}
    for _page in range(10):
        response = client.get(QUEUE, params)
        rows = numbers(response)
        assert len(rows) <= 5
        seen += rows
        cursor = response.context["page"].next_cursor
        if cursor is None:
            break
        assert "Siguientes →" in response.content.decode()
        params = {**params, "cursor": cursor}
    expected = numbers(client.get(QUEUE, {"vista": vista, "n": 100}))
    assert seen == expected
    assert len(seen) == len(set(seen))
    if vista in ("", "abiertos", "antiguos", "alta"):
        assert set(seen) == set(many)


def test_the_page_size_defaults_to_25_and_is_capped_at_100(client, carla, many):
    client.force_login(carla)
    assert client.get(QUEUE).context["page"].page_size == 25
    assert client.get(QUEUE, {"n": "500"}).context["page"].page_size == 100
    assert client.get(QUEUE, {"n": "nada"}).context["page"].page_size == 25
    assert len(numbers(client.get(QUEUE, {"n": "7"}))) == 7


def test_a_tampered_cursor_shows_the_first_page(client, carla, many):
    client.force_login(carla)
    first = numbers(client.get(QUEUE, {"n": 5}))
    for cursor in ["nada", "W10", "WyJ4Il0", "WzEsMiwzXQ", "!!!"]:
        response = client.get(QUEUE, {"n": 5, "cursor": cursor})
        assert response.status_code == 200
        assert numbers(response) == first


def _count_queries(client, params):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, params)
    assert response.status_code == 200
    return len(queries), response


@pytest.mark.parametrize("who", ["carla", "sofia"])
@pytest.mark.parametrize("vista", ["", "mios", "abiertos"])
def test_the_queue_runs_a_fixed_number_of_queries_whatever_the_page_size(
    client, many, request, who, vista, django_assert_num_queries
):
    client.force_login(request.getfixturevalue(who))
    client.get(QUEUE)  # warm up the session
    small, response = _count_queries(client, {"n": 5, "vista": vista})
    assert small <= 8
    with django_assert_num_queries(small):
        response = client.get(QUEUE, {"n": 50, "vista": vista})
    assert len(numbers(response)) > 5 or vista == "mios"
    with django_assert_num_queries(small):
        client.get(QUEUE, {"n": 5, "vista": vista, "cursor": response.context["page"].next_cursor
                           or ""})


def test_the_queue_never_counts_the_whole_table(client, carla, many):
    client.force_login(carla)
    with CaptureQueriesContext(connection) as queries:
        client.get(QUEUE, {"n": 5})
    assert not [q for q in queries if "COUNT(" in q["sql"].upper()]


# --- Taking tickets ----------------------------------------------------------------

def test_agents_take_selected_tickets(client, carla, board):
    client.force_login(carla)
    response = client.post(reverse("console:bulk_take"), {
        "tickets": [board["old"], board["new"], board["billing"], "99999999"],
        "next": QUEUE + "?vista=sin-asignar",
    })
    assert response.status_code == 302
    assert response["Location"] == QUEUE + "?vista=sin-asignar"
    mine = numbers(client.get(QUEUE, {"vista": "mios"}))
    assert set(mine) == {board["old"], board["new"], board["mine"]}
    from ventanilla.tickets.models import Ticket

    assert Ticket.objects.get(number=board["billing"]).assignee is None


def test_taking_refuses_to_redirect_elsewhere(client, carla, board):
    client.force_login(carla)
    response = client.post(reverse("console:bulk_take"), {
        "tickets": [board["old"]], "next": "https://malo.example.com/"})
    assert response["Location"] == QUEUE


# --- Pure parts ------------------------------------------------------------------

def test_keyset_filter_compares_the_sort_key_lexicographically():
    condition = selectors.keyset_filter(
        (("priority", False), ("created_at", False), ("id", True)), ["alta", START, 7]
    )
    text = str(condition)
    assert "priority__gt" in text and "created_at__gt" in text and "id__lt" in text
    assert text.count("priority") == 3


def test_a_cursor_survives_a_round_trip(alice_ticket):
    ordering = selectors.ALTA_FIRST_OLDEST
    cursor = selectors.encode_cursor(ordering, alice_ticket)
    assert selectors.decode_cursor(ordering, cursor) == [
        alice_ticket.priority, alice_ticket.created_at, alice_ticket.id]
    assert selectors.decode_cursor(selectors.RECENT_FIRST, cursor) is None
    assert timezone.is_aware(selectors.decode_cursor(ordering, cursor)[1])

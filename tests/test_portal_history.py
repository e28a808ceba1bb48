"""The portal's dashboard and "Historial de tickets"."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from ventanilla.accounts.models import Service
from ventanilla.core.models import SiteSettings
from ventanilla.tickets import services
from ventanilla.tickets.models import Status
from ventanilla.tickets.status import Role

HISTORY = reverse("portal:ticket_list")
DASHBOARD = reverse("portal:dashboard")


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


def numbers(response):
    return [t.number for t in response.context["page"].object_list]


def set_status(ticket, status, carla):
    if status == Status.CLOSED:
        return services.ticket_status_set(ticket, actor=carla, role=Role.AGENT, status=status)
    if status == Status.PENDING:
        services.ticket_agent_reply(ticket, agent=carla, body="¿Puedes confirmar el dominio?")
    elif status == Status.RESOLVED:
        services.ticket_status_set(ticket, actor=carla, role=Role.AGENT, status=status)
    ticket.refresh_from_db()
    return ticket


@pytest.fixture
def one_of_each(alice, make_ticket, carla):
    """Alice's tickets in every status, the latest update last."""
    tickets = {}
    for status in (Status.OPEN, Status.PENDING, Status.RESOLVED, Status.CLOSED):
        ticket = make_ticket(alice, subject=f"Ticket {status.label}")
        tickets[status] = set_status(ticket, status, carla)
    return tickets


# --- Dashboard --------------------------------------------------------------


def test_the_dashboard_greets_and_lists_open_tickets_and_services(alice_client, one_of_each):
    response = alice_client.get(DASHBOARD)
    html = response.content.decode()
    assert "Hola, Alicia" in html
    shown = [t.number for t in response.context["open_tickets"]]
    assert shown == [one_of_each[s].number for s in (Status.RESOLVED, Status.PENDING, Status.OPEN)]
    assert one_of_each[Status.CLOSED].number not in html
    assert '<span class="badge badge--pendiente">Pendiente</span>' in html
    for text in ("Hosting Negocios - alicia.mx", "Hosting compartido Negocios", "#123456",
                 "alicia.mx", "Dominio alicia.mx", "Activo"):
        assert text in html
    assert reverse("portal:ticket_new") in html
    assert HISTORY in html


def test_the_dashboard_warns_about_tickets_waiting_for_the_customer(alice_client, one_of_each):
    html = alice_client.get(DASHBOARD).content.decode()
    assert "Tienes 1 ticket esperando tu respuesta." in html


def test_the_dashboard_shows_no_other_customers_data(alice_client, bob, bob_ticket):
    html = alice_client.get(DASHBOARD).content.decode()
    assert "Mi VPS no responde" not in html
    assert "roberto.com" not in html
    assert "No tienes tickets abiertos." in html


def test_the_dashboard_runs_a_bounded_number_of_queries(
        alice_client, alice, make_ticket, django_assert_max_num_queries):
    make_ticket(alice)
    # 9: one of them counts the requests strangers made in her name.
    with django_assert_max_num_queries(9):
        alice_client.get(DASHBOARD)
    for i in range(15):
        make_ticket(alice, subject=f"Otro {i}")
        Service.objects.create(customer=alice, type=Service.Type.DOMAIN, name=f"d{i}.mx",
                               order_number=f"9{i:05d}")
    with django_assert_max_num_queries(9):
        alice_client.get(DASHBOARD)


# --- History ------------------------------------------------------------------------


def test_the_history_lists_only_the_customers_tickets_newest_update_first(
        alice_client, one_of_each, bob_ticket):
    response = alice_client.get(HISTORY)
    assert numbers(response) == [
        one_of_each[s].number
        for s in (Status.CLOSED, Status.RESOLVED, Status.PENDING, Status.OPEN)
    ]
    html = response.content.decode()
    assert bob_ticket.number not in html
    for label in ("Número", "Asunto", "Departamento", "Estado", "Prioridad",
                  "Última actualización"):
        assert f'data-label="{label}"' in html
    assert 'class="table table--stack"' in html


def test_replying_moves_a_ticket_to_the_top(alice_client, alice, one_of_each):
    services.ticket_customer_reply(one_of_each[Status.OPEN], author=alice.user, body="¿Novedades?")
    assert numbers(alice_client.get(HISTORY))[0] == one_of_each[Status.OPEN].number


TAB_LABELS = {Status.OPEN: "Abiertos", Status.PENDING: "Pendientes",
              Status.RESOLVED: "Resueltos", Status.CLOSED: "Cerrados"}


@pytest.mark.parametrize("status", list(Status))
def test_the_history_filters_by_status(alice_client, one_of_each, status):
    response = alice_client.get(HISTORY, {"estado": status.value})
    assert numbers(response) == [one_of_each[status].number]
    assert f'aria-current="page">{TAB_LABELS[status]} ' in response.content.decode()


def test_an_unknown_status_shows_every_ticket(alice_client, one_of_each):
    assert len(numbers(alice_client.get(HISTORY, {"estado": "inventado"}))) == 4


def test_the_tabs_count_the_tickets_of_each_status(alice_client, one_of_each):
    tabs = alice_client.get(HISTORY).context["tabs"]
    assert [(value, count) for value, _label, count in tabs] == [
        ("", 4), ("abierto", 1), ("pendiente", 1), ("resuelto", 1), ("cerrado", 1)]


@pytest.mark.parametrize("query", ["{number}", "#{number}", " # {number} "])
def test_the_history_finds_a_ticket_by_number(alice_client, one_of_each, query):
    ticket = one_of_each[Status.PENDING]
    response = alice_client.get(HISTORY, {"q": query.format(number=ticket.number)})
    assert numbers(response) == [ticket.number]


def test_the_history_finds_text_in_subjects_and_messages(alice_client, alice, make_ticket):
    dns = make_ticket(alice, subject="Cambio de DNS", body="Quiero apuntar a Cloudflare")
    make_ticket(alice, subject="Factura", body="Me cobraron dos veces")
    assert numbers(alice_client.get(HISTORY, {"q": "dns"})) == [dns.number]
    assert numbers(alice_client.get(HISTORY, {"q": "cloudflare"})) == [dns.number]


def test_the_history_finds_text_in_agent_replies(alice_client, alice, make_ticket, carla):
    ticket = make_ticket(alice)
    services.ticket_agent_reply(ticket, agent=carla, body="Revisa el registro SPF del dominio")
    assert numbers(alice_client.get(HISTORY, {"q": "spf"})) == [ticket.number]


def test_the_history_never_searches_internal_notes(alice_client, alice, make_ticket, carla):
    ticket = make_ticket(alice)
    services.ticket_agent_reply(ticket, agent=carla, body="Cliente moroso", internal=True)
    response = alice_client.get(HISTORY, {"q": "moroso"})
    assert numbers(response) == []
    assert "No hay tickets que coincidan con el filtro." in response.content.decode()


def test_the_history_never_finds_another_customers_ticket(alice_client, bob_ticket):
    assert numbers(alice_client.get(HISTORY, {"q": bob_ticket.number})) == []
    assert numbers(alice_client.get(HISTORY, {"q": "VPS"})) == []


def test_a_request_a_stranger_made_in_her_name_is_not_hers_until_she_confirms(
        alice_client, alice, soporte):
    from ventanilla.accounts.services import customer_for_stranger
    from ventanilla.tickets import verification

    holder = customer_for_stranger("alice@example.com", "Alicia")
    ticket = services.ticket_create(customer=holder, subject="Cambien mi correo registrado",
                                    body="Escríbanme a otra dirección.", department=soporte)
    for query in ("", ticket.number, "Cambien", "otra dirección"):
        assert numbers(alice_client.get(HISTORY, {"q": query})) == []
    assert alice_client.get(HISTORY).context["tabs"][0][2] == 0
    assert ticket.number not in alice_client.get(DASHBOARD).content.decode()

    dashboard = alice_client.get(DASHBOARD).content.decode()
    assert "Alguien escribió 1 solicitud sin iniciar sesión" in dashboard
    assert reverse("portal:unverified_list") in dashboard

    verification.ticket_verify(ticket, account=alice, how="sesion", actor=alice.user)
    assert numbers(alice_client.get(HISTORY, {"q": "Cambien"})) == [ticket.number]
    assert ticket.number in alice_client.get(DASHBOARD).content.decode()


def test_the_search_and_status_combine(alice_client, one_of_each):
    response = alice_client.get(HISTORY, {"estado": "abierto", "q": "Ticket"})
    assert numbers(response) == [one_of_each[Status.OPEN].number]


def test_the_history_paginates_and_keeps_the_filters(alice_client, alice, make_ticket, carla):
    for i in range(25):
        set_status(make_ticket(alice, subject=f"Correo {i}"), Status.PENDING, carla)
    make_ticket(alice, subject="Otro abierto")
    first = alice_client.get(HISTORY, {"estado": "pendiente", "q": "correo"})
    assert len(numbers(first)) == 20
    html = first.content.decode()
    assert "Página 1 de 2" in html
    assert 'href="?estado=pendiente&amp;q=correo&amp;pagina=2"' in html
    second = alice_client.get(HISTORY, {"estado": "pendiente", "q": "correo", "pagina": 2})
    assert len(numbers(second)) == 5
    assert set(numbers(first)).isdisjoint(numbers(second))
    assert 'href="?estado=pendiente&amp;q=correo&amp;pagina=1"' in second.content.decode()


def test_the_status_tabs_keep_the_search(alice_client, one_of_each):
    html = alice_client.get(HISTORY, {"q": "ticket", "pagina": 1}).content.decode()
    assert 'href="?q=ticket&amp;estado=pendiente"' in html


def test_the_history_explains_each_status_like_the_seed(alice_client):
    site = SiteSettings.load()
    site.auto_close_days = 5
    site.save()
    html = alice_client.get(HISTORY).content.decode()
    assert "El área correspondiente está revisando tu ticket y te responderá lo antes posible." in html
    assert "En espera de tu respuesta." in html
    assert "El ticket ya se marcó como solucionado por el área correspondiente." in html
    assert "Si no se reciben actualizaciones en 5 días, el sistema lo cierra." in html


def test_the_history_shows_dates_in_the_viewers_time_zone(alice_client, alice, make_ticket):
    alice.user.time_zone = "Europe/Madrid"
    alice.user.save()
    with time_machine.travel(dt.datetime(2024, 1, 15, 12, 0, tzinfo=dt.UTC), tick=False):
        make_ticket(alice)
    html = alice_client.get(HISTORY).content.decode()
    assert "15/01/2024 13:00" in html  # CET is UTC+1 in January


def test_the_history_says_when_there_are_no_tickets(alice_client):
    html = alice_client.get(HISTORY).content.decode()
    assert "Todavía no has abierto ningún ticket." in html


def test_the_history_escapes_the_subject(alice_client, alice, make_ticket):
    make_ticket(alice, subject="<script>alert(1)</script>")
    html = alice_client.get(HISTORY).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_the_history_runs_a_bounded_number_of_queries(
        alice_client, alice, make_ticket, django_assert_max_num_queries):
    make_ticket(alice)
    with django_assert_max_num_queries(8):
        alice_client.get(HISTORY)
    for i in range(30):
        make_ticket(alice, subject=f"Otro {i}")
    with django_assert_max_num_queries(8):
        alice_client.get(HISTORY, {"q": "otro", "pagina": 2})

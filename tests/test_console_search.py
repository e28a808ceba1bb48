"""Console search: by ticket number, customer email, domain or text, always
within the agent's departments."""

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from ventanilla.accounts.models import Service
from ventanilla.tickets import services
from ventanilla.tickets.selectors import parse_search

from .conftest import make_customer

QUEUE = reverse("console:queue")


def found(client, q, **params):
    response = client.get(QUEUE, {"q": q, **params})
    assert response.status_code == 200
    return {ticket.number for ticket in response.context["page"].rows}


@pytest.fixture
def carol(make_ticket):
    """A customer whose email is on her own company domain."""
    customer = make_customer("carol@tiendaverde.com.mx", "Carolina Ruiz")
    Service.objects.create(customer=customer, type=Service.Type.SHARED_PERSONAL,
                           name="Hosting Personal - blogcarol.net", domain="blogcarol.net",
                           order_number="777001")
    return customer


@pytest.mark.parametrize(("q", "expected"), [
    ("12345678", ("number", "12345678")),
    ("#12345678", ("number", "12345678")),
    ("# 12345678", ("number", "12345678")),
    ("Alice@Example.com", ("email", "alice@example.com")),
    ("alice@", ("email_part", "alice@")),
    ("@example.com", ("email_part", "@example.com")),
    ("alicia.mx", ("domain", "alicia.mx")),
    ("https://www.Alicia.mx/", ("domain", "alicia.mx")),
    ("error 500 en WordPress", ("text", "error 500 en WordPress")),
    ("wp-login.php", ("domain", "wp-login.php")),
    ("   ", ("", "")),
])
def test_it_classifies_searches(q, expected):
    assert parse_search(q) == expected


def test_it_finds_a_ticket_by_number_with_or_without_hash(client, carla, alice_ticket, bob_ticket):
    client.force_login(carla)
    assert found(client, alice_ticket.number) == {alice_ticket.number}
    assert found(client, f"#{alice_ticket.number}") == {alice_ticket.number}
    assert found(client, "00000000") == set()


def test_it_finds_tickets_by_customer_email_ignoring_case(client, carla, alice_ticket, bob_ticket):
    client.force_login(carla)
    assert found(client, "ALICE@example.com") == {alice_ticket.number}
    assert found(client, "bob@") == {bob_ticket.number}
    assert found(client, "@example.com") == {alice_ticket.number, bob_ticket.number}


def test_it_finds_tickets_by_domain(client, carla, alice_ticket, bob_ticket, carol, make_ticket):
    carol_ticket = make_ticket(carol, subject="No carga mi tienda")
    client.force_login(carla)
    assert found(client, "alicia.mx") == {alice_ticket.number}  # a service's domain
    assert found(client, "www.roberto.com") == {bob_ticket.number}
    assert found(client, "blogcarol.net") == {carol_ticket.number}
    assert found(client, "tiendaverde.com.mx") == {carol_ticket.number}  # email domain


def test_it_finds_tickets_by_text_in_subject_or_messages(client, carla, alice, alice_ticket, bob_ticket):
    services.ticket_customer_reply(alice_ticket, author=alice.user,
                                   body="El log dice: 550 Relay Access Denied")
    services.ticket_agent_reply(bob_ticket, agent=carla, body="Revisar el firewall CSF", internal=True)
    client.force_login(carla)
    assert found(client, "vps no responde") == {bob_ticket.number}
    assert found(client, "relay access") == {alice_ticket.number}
    assert found(client, "firewall CSF") == {bob_ticket.number}
    assert found(client, "nada parecido") == set()


def test_search_is_limited_to_the_agents_departments(client, carla, diego, sofia, billing_ticket,
                                                      alice_ticket):
    client.force_login(carla)
    assert found(client, billing_ticket.number) == set()
    assert found(client, "Factura duplicada") == set()
    assert billing_ticket.number not in found(client, "alice@example.com")
    assert billing_ticket.number not in found(client, "alicia.mx")
    client.force_login(diego)
    assert found(client, billing_ticket.number) == {billing_ticket.number}
    assert found(client, "alice@example.com") == {billing_ticket.number}
    client.force_login(sofia)
    assert found(client, "alice@example.com") == {billing_ticket.number, alice_ticket.number}


def test_search_honours_the_department_filter(client, sofia, billing_ticket, alice_ticket):
    client.force_login(sofia)
    assert found(client, "alice@example.com", departamento="soporte") == {alice_ticket.number}


def test_search_covers_every_status(client, carla, alice_ticket):
    from ventanilla.tickets.models import Status
    from ventanilla.tickets.status import Role

    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.CLOSED)
    client.force_login(carla)
    assert found(client, alice_ticket.number) == {alice_ticket.number}


def test_search_results_page_with_keyset_cursors(client, carla, alice, make_ticket):
    made = {make_ticket(alice, subject=f"Correo rebota {i}").number for i in range(7)}
    client.force_login(carla)
    first = client.get(QUEUE, {"q": "rebota", "n": 4})
    second = client.get(QUEUE, {"q": "rebota", "n": 4, "cursor": first.context["page"].next_cursor})
    pages = [t.number for t in first.context["page"].rows + second.context["page"].rows]
    assert sorted(pages) == sorted(made)
    assert second.context["page"].next_cursor is None


def test_search_escapes_what_was_typed(client, carla):
    client.force_login(carla)
    page = client.get(QUEUE, {"q": "<script>alert(1)</script>"}).content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page


def test_htmx_searches_get_only_the_results(client, carla, alice_ticket):
    client.force_login(carla)
    response = client.get(QUEUE, {"q": alice_ticket.number}, HTTP_HX_REQUEST="true",
                          HTTP_HX_TARGET="queue-results")
    page = response.content.decode()
    # What a screen reader hears once the results arrive (ventanilla.js, #live-status).
    assert page.lstrip().startswith(
        f'<div id="queue-results" data-announce="Resultados para «{alice_ticket.number}»">')
    assert f"#{alice_ticket.number}" in page
    assert "<html" not in page


def test_file_names_that_look_like_domains_are_also_found_as_text(client, carla, alice, alice_ticket):
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Me bloquea wp-login.php")
    client.force_login(carla)
    assert found(client, "wp-login.php") == {alice_ticket.number}


# --- Full-text search (tickets/search.py) ------------------------------------------


def test_text_search_matches_other_forms_of_a_word_and_ignores_accents(client, carla, alice,
                                                                     make_ticket):
    dns = make_ticket(alice, subject="Consulta de DNS", body="La propagación de los registros tarda.")
    ssl = make_ticket(alice, subject="Certificados caducados", body="Renovaron el certificado?")
    client.force_login(carla)
    assert found(client, "propagacion") == {dns.number}  # typed without the accent
    assert found(client, "PROPAGACIÓN registro") == {dns.number}  # every word, any form
    assert found(client, "certificado") == {ssl.number}  # "certificados" in the subject
    assert found(client, "propagación certificado") == set()  # both words must be there


def test_text_search_sees_internal_notes_and_follows_replies(client, carla, alice, alice_ticket):
    client.force_login(carla)
    assert found(client, "cortafuegos") == set()
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Revisé el cortafuegos",
                                internal=True)
    assert found(client, "cortafuegos") == {alice_ticket.number}
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Sigue la intermitencia")
    assert found(client, "intermitencias") == {alice_ticket.number}


def test_text_search_is_limited_by_access(client, carla, diego, sofia, alice, make_ticket,
                                          facturacion):
    billing = make_ticket(alice, subject="Cobro repetido", body="Me cobraron dos veces",
                          department=facturacion)
    client.force_login(carla)  # Soporte only
    assert found(client, "cobraron") == set()
    client.force_login(diego)  # Facturación
    assert found(client, "cobraron") == {billing.number}
    client.force_login(sofia)  # supervisor: every department
    assert found(client, "cobraron") == {billing.number}
    assert found(client, "cobraron", departamento="soporte") == set()


def test_text_results_come_by_relevance_then_newest(client, carla, alice, make_ticket):
    in_body = make_ticket(alice, subject="Consulta", body="El servidor de correo rechaza envíos")
    older = make_ticket(alice, subject="Servidor de correo caído", body="No envía.")
    newer = make_ticket(alice, subject="Servidor de correo caído", body="No envía.")
    client.force_login(carla)
    response = client.get(QUEUE, {"q": "servidor"})
    assert [t.number for t in response.context["page"].rows] == [
        newer.number, older.number, in_body.number]


def test_the_text_search_page_runs_a_bounded_number_of_queries(client, carla, alice, make_ticket,
                                                               django_assert_num_queries):
    for i in range(12):
        make_ticket(alice, subject=f"Rebote de correo {i}", body="El correo rebota con 550.")
    client.force_login(carla)
    client.get(QUEUE)  # warm up the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(QUEUE, {"q": "rebotes", "n": 5})
    assert len(response.context["page"].rows) == 5
    assert len(queries) <= 9
    assert not [q for q in queries if "LIKE" in q["sql"].upper() and "tickets_message" in q["sql"]]
    with django_assert_num_queries(len(queries)):
        client.get(QUEUE, {"q": "rebotes", "n": 50})
    with django_assert_num_queries(len(queries)):
        client.get(QUEUE, {"q": "rebotes", "n": 5, "cursor": response.context["page"].next_cursor})


def test_reindex_rebuilds_the_index(client, carla, alice, alice_ticket):
    from django.core.management import call_command

    from ventanilla.tickets.search import TICKET_INDEX

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TICKET_INDEX.table}")
    client.force_login(carla)
    assert found(client, "envío") == set()
    call_command("tickets", "reindex", stdout=io.StringIO(), stderr=io.StringIO())
    assert found(client, "envío") == {alice_ticket.number}



def test_text_search_finds_nothing_for_someone_who_sees_no_ticket(alice, alice_ticket):
    from ventanilla.tickets.selectors import console_search

    assert not console_search(alice.user, "envío").exists()

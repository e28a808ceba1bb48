"""The agent console's ticket page: conversation, composer, stale-reply
guard, side panel actions and the department wall (404)."""

import re

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ventanilla.tickets import services
from ventanilla.tickets.models import (
    CannedResponse,
    Category,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from ventanilla.tickets.status import Role


def url(name, ticket):
    return reverse(f"console:{name}", args=[ticket.number])


def last_seen(response) -> int:
    return int(response.context["reply_form"]["last_seen"].value())


def reply(client, ticket, *, body="Revisa la configuración SMTP.", mode="respuesta", status_after=None,
          seen=None, **extra):
    data = {"mode": mode, "body": body, **extra}
    if status_after is not None:
        data["status_after"] = status_after
    if seen is None:
        seen = last_seen(client.get(url("ticket_detail", ticket)))
    data["last_seen"] = seen
    return client.post(url("ticket_reply", ticket), data)


def refreshed(ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


# --- The department wall ------------------------------------------------------

POST_ENDPOINTS = ["ticket_reply", "ticket_fields", "ticket_status", "ticket_assign", "ticket_merge"]


def test_every_console_url_answers_404_for_another_departments_ticket(client, carla, billing_ticket):
    client.force_login(carla)
    assert client.get(url("ticket_detail", billing_ticket)).status_code == 404
    for name in POST_ENDPOINTS:
        response = client.post(url(name, billing_ticket), {
            "mode": "respuesta", "body": "x", "status": "resuelto", "action": "tomar",
            "target": "12345678", "department": "1", "priority": "regular",
        })
        assert response.status_code == 404, name
    billing_ticket.refresh_from_db()
    assert billing_ticket.messages.count() == 1
    assert billing_ticket.status == Status.OPEN and billing_ticket.assignee is None


def test_unknown_numbers_answer_404(client, carla):
    client.force_login(carla)
    assert client.get(reverse("console:ticket_detail", args=["99999999"])).status_code == 404


def test_the_departments_agent_and_the_supervisor_see_the_ticket(client, diego, sofia, billing_ticket):
    for agent in (diego, sofia):
        client.force_login(agent)
        assert client.get(url("ticket_detail", billing_ticket)).status_code == 200


def test_customers_get_404_on_console_ticket_pages_even_their_own(client, alice, alice_ticket):
    client.force_login(alice.user)
    assert client.get(url("ticket_detail", alice_ticket)).status_code == 404
    assert client.post(url("ticket_status", alice_ticket), {"status": "cerrado"}).status_code == 404


def test_post_endpoints_need_the_csrf_token(carla, alice_ticket):
    from django.test import Client

    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(carla)
    response = csrf_client.post(url("ticket_status", alice_ticket), {"status": "resuelto"})
    assert response.status_code == 403
    assert refreshed(alice_ticket).status == Status.OPEN


# --- The page ------------------------------------------------------------------

def test_the_page_shows_every_message_with_notes_labelled(client, carla, alice, alice_ticket):
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Revisar el SPF <antes>", internal=True)
    services.ticket_agent_reply(alice_ticket, agent=carla, body="¿Puedes enviar una captura?")
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Adjunto captura",
                                   files=[SimpleUploadedFile("error.txt", b"550 relay denied")])
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert "Desde ayer falla el envío." in page
    assert 'class="msg msg--nota"' in page
    assert "Nota interna — el cliente no la ve" in page
    assert "Revisar el SPF &lt;antes&gt;" in page
    assert 'class="msg msg--respuesta"' in page and 'class="msg msg--cliente"' in page
    attachment = Message.objects.get(body="Adjunto captura").attachments.get()
    assert f'href="{reverse("attachment", args=[attachment.id])}"' in page
    assert "error.txt" in page


def test_the_page_highlights_the_incident_details_of_alta_tickets(client, carla, alice, make_ticket):
    import datetime as dt

    ticket = make_ticket(alice, priority=Priority.HIGH, incident=services.IncidentDetails(
        server_ip="192.0.2.10", order_number="123456", service_name="Hosting Negocios - alicia.mx",
        started_at=dt.datetime(2026, 3, 2, 8, 30, tzinfo=dt.UTC), time_zone="Europe/Madrid",
        diagnostics="curl -I https://alicia.mx → 503",
    ))
    client.force_login(carla)
    page = client.get(url("ticket_detail", ticket)).content.decode()
    assert "card--incident" in page
    assert "192.0.2.10" in page and "#123456" in page and "Hosting Negocios - alicia.mx" in page
    assert "09:30" in page and "Europe/Madrid" in page
    assert "curl -I https://alicia.mx → 503" in page


def test_the_customer_sidebar_shows_services_and_other_tickets(
    client, carla, alice, alice_ticket, billing_ticket, make_ticket
):
    other = make_ticket(alice, subject="SSL caducado")
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert "Alicia Pérez" in page and "alice@example.com" in page
    assert "Hosting Negocios - alicia.mx" in page and "#123456" in page and "192.0.2.10" in page
    assert f'href="{url("ticket_detail", other)}"' in page
    # Not listed at all: carla does not work Facturación (issue 17 A8).
    assert f"#{billing_ticket.number}" not in page and billing_ticket.subject not in page


def test_the_event_log_shows_human_labels(client, carla, alice_ticket):
    services.ticket_assign(alice_ticket, actor=carla, assignee=carla)
    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.RESOLVED)
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert "Abierto → Resuelto" in page
    assert "sin asignar → Carla Soporte" in page
    assert "Ticket creado" in page


def test_canned_responses_are_those_of_the_department_or_global(client, carla, soporte, facturacion,
                                                                 alice_ticket):
    CannedResponse.objects.create(title="Configurar SMTP", body="Usa el puerto 465 con SSL.",
                                  department=soporte)
    CannedResponse.objects.create(title="Saludo", body="Hola, gracias por escribirnos.")
    CannedResponse.objects.create(title="Reembolso", body="Procesamos tu reembolso.",
                                  department=facturacion)
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert 'data-insert-into="reply-body"' in page and 'id="reply-body"' in page
    assert 'data-body="Usa el puerto 465 con SSL."' in page
    assert 'data-body="Hola, gracias por escribirnos."' in page
    assert "Reembolso" not in page


@pytest.mark.parametrize("who", ["carla", "sofia"])
def test_the_page_runs_a_bounded_number_of_queries_whatever_the_conversation(
    client, request, who, alice, alice_ticket, make_ticket, django_assert_num_queries
):
    agent = request.getfixturevalue(who)
    long_ticket = make_ticket(alice, subject="Conversación larga")
    for i in range(10):
        services.ticket_customer_reply(long_ticket, author=alice.user, body=f"Mensaje {i}",
                                       files=[SimpleUploadedFile(f"log{i}.txt", b"log")])
        services.ticket_agent_reply(long_ticket, agent=agent, body=f"Respuesta {i}", internal=i % 2)
    services.ticket_agent_reply(alice_ticket, agent=agent, body="Una nota", internal=True)
    services.ticket_agent_reply(alice_ticket, agent=agent, body="Respuesta")
    assert alice_ticket.messages.count() == 3 and long_ticket.messages.count() == 21
    client.force_login(agent)
    client.get(url("ticket_detail", alice_ticket))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as short:
        client.get(url("ticket_detail", alice_ticket))
    # The page plus its sidebar slots (SLA, incidents, category fields, presence).
    assert len(short) <= 26
    with django_assert_num_queries(len(short)):
        response = client.get(url("ticket_detail", long_ticket))
    assert "Respuesta 9" in response.content.decode()


# --- Composer --------------------------------------------------------------------

def test_a_public_reply_moves_the_ticket_to_pendiente_and_emails_the_customer(
    client, carla, alice_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(carla)
    with django_capture_on_commit_callbacks(execute=True):
        response = reply(client, alice_ticket, body="Prueba con el puerto 465.")
    assert response.status_code == 302
    assert response["Location"] == url("ticket_detail", alice_ticket)
    assert refreshed(alice_ticket).status == Status.PENDING
    message = alice_ticket.messages.latest("id")
    assert message.kind == Message.Kind.REPLY and message.author == carla
    assert len(mailoutbox) == 1
    assert mailoutbox[0].to == ["alice@example.com"]
    assert "Prueba con el puerto 465." in mailoutbox[0].body


def test_the_composer_defaults_public_replies_to_pendiente(client, carla, alice_ticket):
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert re.search(r'<option value="pendiente" selected>', page)
    assert "Sin cambio" in page
    assert "Respuesta pública" in page and "Nota interna" in page


def test_a_public_reply_can_leave_the_status_unchanged_or_resolve(client, carla, alice_ticket):
    client.force_login(carla)
    reply(client, alice_ticket, status_after="")
    assert refreshed(alice_ticket).status == Status.OPEN
    reply(client, alice_ticket, status_after="resuelto")
    assert refreshed(alice_ticket).status == Status.RESOLVED


def test_an_internal_note_is_not_emailed_and_keeps_the_status(
    client, carla, alice, alice_ticket, mailoutbox, django_capture_on_commit_callbacks
):
    client.force_login(carla)
    with django_capture_on_commit_callbacks(execute=True):
        response = reply(client, alice_ticket, mode="nota", status_after="",
                         body="El cliente usa Outlook 2010, ojo.")
    assert response.status_code == 302
    note = alice_ticket.messages.latest("id")
    assert note.kind == Message.Kind.NOTE
    assert refreshed(alice_ticket).status == Status.OPEN
    assert mailoutbox == []
    client.force_login(alice.user)
    portal = client.get(reverse("portal:ticket_detail", args=[alice_ticket.number]))
    assert portal.status_code == 200
    assert "Desde ayer falla el envío." in portal.content.decode()
    assert "Outlook 2010" not in portal.content.decode()


def test_a_reply_with_attachments_stores_them(client, carla, alice_ticket):
    client.force_login(carla)
    seen = last_seen(client.get(url("ticket_detail", alice_ticket)))
    files = [SimpleUploadedFile("pasos.txt", b"1. Abre cPanel"), SimpleUploadedFile("b.log", b"ok")]
    response = client.post(url("ticket_reply", alice_ticket), {
        "mode": "respuesta", "body": "Sigue estos pasos.", "status_after": "pendiente",
        "last_seen": seen, "files": files,
    })
    assert response.status_code == 302
    message = alice_ticket.messages.latest("id")
    assert sorted(a.original_name for a in message.attachments.all()) == ["b.log", "pasos.txt"]


def test_a_bad_attachment_brings_the_form_back_filled(client, carla, alice_ticket):
    client.force_login(carla)
    seen = last_seen(client.get(url("ticket_detail", alice_ticket)))
    fake = SimpleUploadedFile("foto.png", b"esto no es un PNG")
    response = client.post(url("ticket_reply", alice_ticket), {
        "mode": "respuesta", "body": "Mira la imagen", "status_after": "resuelto",
        "last_seen": seen, "files": [fake],
    })
    assert response.status_code == 200
    page = response.content.decode()
    assert "no corresponde a su extensión" in page
    assert "Mira la imagen</textarea>" in page
    assert '<option value="resuelto" selected>' in page
    assert "Vuelve a adjuntar los archivos" in page
    assert alice_ticket.messages.count() == 1


def test_an_empty_message_is_refused_in_spanish(client, carla, alice_ticket):
    client.force_login(carla)
    response = reply(client, alice_ticket, body="   ")
    assert response.status_code == 200
    assert "Escribe el mensaje antes de enviarlo." in response.content.decode()


def test_a_closed_ticket_has_no_composer_and_refuses_replies(client, carla, alice_ticket):
    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.CLOSED)
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert 'name="body"' not in page
    assert "ya no admite respuestas" in page
    response = reply(client, alice_ticket, seen=999)
    assert response.status_code == 200
    assert "ya no admite respuestas" in response.content.decode()
    assert alice_ticket.messages.count() == 1


# --- Stale-reply guard -------------------------------------------------------------

def test_a_reply_written_while_the_customer_wrote_waits_for_confirmation(
    client, carla, alice, alice_ticket
):
    client.force_login(carla)
    seen = last_seen(client.get(url("ticket_detail", alice_ticket)))
    newer = services.ticket_customer_reply(alice_ticket, author=alice.user, body="¡Ya funciona!")

    first = reply(client, alice_ticket, body="Cambia el puerto a 587.", seen=seen)
    assert first.status_code == 200
    page = first.content.decode()
    assert ("El cliente u otro agente escribió mientras respondías. Revisa los mensajes nuevos y "
            "confirma el envío.") in page
    assert f'class="msg msg--cliente msg--new" id="msg-{newer.id}"' in page
    assert "Cambia el puerto a 587.</textarea>" in page
    assert "Confirmar y enviar" in page
    assert not alice_ticket.messages.filter(kind=Message.Kind.REPLY).exists()

    confirm = reply(client, alice_ticket, body="Cambia el puerto a 587.", seen=last_seen(first),
                    confirm_stale="1")
    assert confirm.status_code == 302
    assert alice_ticket.messages.filter(kind=Message.Kind.REPLY, body="Cambia el puerto a 587.").exists()


def test_another_agents_note_also_triggers_the_guard(client, carla, sofia, alice_ticket):
    client.force_login(carla)
    seen = last_seen(client.get(url("ticket_detail", alice_ticket)))
    services.ticket_agent_reply(alice_ticket, agent=sofia, body="Yo me encargo", internal=True)
    response = reply(client, alice_ticket, seen=seen)
    assert response.status_code == 200
    assert "msg--nota msg--new" in response.content.decode()


def test_the_agents_own_messages_do_not_trigger_the_guard(client, carla, alice_ticket):
    client.force_login(carla)
    seen = last_seen(client.get(url("ticket_detail", alice_ticket)))
    services.ticket_agent_reply(alice_ticket, agent=carla, body="Nota previa", internal=True)
    assert reply(client, alice_ticket, seen=seen).status_code == 302


def test_a_message_arriving_after_the_warning_warns_again(client, carla, alice, alice_ticket):
    client.force_login(carla)
    seen = last_seen(client.get(url("ticket_detail", alice_ticket)))
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Uno")
    first = reply(client, alice_ticket, seen=seen)
    services.ticket_customer_reply(alice_ticket, author=alice.user, body="Dos")
    second = reply(client, alice_ticket, seen=last_seen(first), confirm_stale="1")
    assert second.status_code == 200
    assert "msg--new" in second.content.decode()
    assert not alice_ticket.messages.filter(kind=Message.Kind.REPLY).exists()


# --- Status ----------------------------------------------------------------------

def test_agents_resolve_and_reopen(client, carla, alice_ticket):
    client.force_login(carla)
    response = client.post(url("ticket_status", alice_ticket), {"status": "resuelto"}, follow=True)
    assert refreshed(alice_ticket).status == Status.RESOLVED
    assert "El ticket está ahora en «Resuelto»." in response.content.decode()
    assert 'value="abierto"' in response.content.decode()  # "Reabrir"
    client.post(url("ticket_status", alice_ticket), {"status": "abierto"})
    assert refreshed(alice_ticket).status == Status.OPEN


def test_a_closed_ticket_cannot_be_moved_anywhere(client, carla, alice_ticket):
    services.ticket_status_set(alice_ticket, actor=carla, role=Role.AGENT, status=Status.CLOSED)
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    assert 'name="status"' not in page
    for target in ("abierto", "pendiente", "resuelto"):
        response = client.post(url("ticket_status", alice_ticket), {"status": target}, follow=True)
        assert "Este ticket está cerrado y no se puede reabrir" in response.content.decode()
        assert refreshed(alice_ticket).status == Status.CLOSED


def test_an_unknown_status_is_refused(client, carla, alice_ticket):
    client.force_login(carla)
    response = client.post(url("ticket_status", alice_ticket), {"status": "borrado"}, follow=True)
    assert "Elige un estado válido." in response.content.decode()
    assert refreshed(alice_ticket).status == Status.OPEN


# --- Assignment -------------------------------------------------------------------

def test_agents_take_assign_and_release(client, carla, sofia, alice_ticket):
    client.force_login(carla)
    client.post(url("ticket_assign", alice_ticket), {"action": "tomar"})
    assert refreshed(alice_ticket).assignee == carla
    client.post(url("ticket_assign", alice_ticket), {"action": "asignar", "assignee": sofia.pk})
    assert refreshed(alice_ticket).assignee == sofia
    client.post(url("ticket_assign", alice_ticket), {"action": "liberar"})
    assert refreshed(alice_ticket).assignee is None
    assert alice_ticket.events.filter(kind=TicketEvent.Kind.ASSIGNEE).count() == 3


def test_the_assign_list_offers_the_departments_agents_and_supervisors(
    client, carla, diego, sofia, alice_ticket
):
    client.force_login(carla)
    page = client.get(url("ticket_detail", alice_ticket)).content.decode()
    select = page[page.index('name="assignee"'):]
    select = select[:select.index("</select>")]
    assert "Carla Soporte" in select and "Sofía Supervisora" in select
    assert "Diego Facturación" not in select


def test_a_ticket_cannot_be_assigned_to_an_agent_of_another_department(client, carla, diego,
                                                                        alice_ticket):
    client.force_login(carla)
    response = client.post(url("ticket_assign", alice_ticket),
                           {"action": "asignar", "assignee": diego.pk})
    assert response.status_code == 200
    assert "Elige un agente de la lista." in response.content.decode()
    assert refreshed(alice_ticket).assignee is None


def test_assigning_needs_an_agent(client, carla, alice_ticket):
    client.force_login(carla)
    response = client.post(url("ticket_assign", alice_ticket), {"action": "asignar"})
    assert "Elige a qué agente asignar el ticket." in response.content.decode()


# --- Department, category, priority ---------------------------------------------

def test_agents_change_category_and_priority(client, carla, alice_ticket, soporte, correo_category):
    client.force_login(carla)
    response = client.post(url("ticket_fields", alice_ticket), {
        "department": soporte.pk, "category": correo_category.pk, "priority": "alta",
    })
    assert response.status_code == 302
    ticket = refreshed(alice_ticket)
    assert ticket.category == correo_category and ticket.priority == Priority.HIGH
    assert ticket.events.filter(kind=TicketEvent.Kind.PRIORITY, to_value="alta").exists()


def test_a_category_of_another_department_is_refused(client, carla, alice_ticket, soporte,
                                                     facturacion):
    payments = Category.objects.get(department=facturacion, name="Pagos")
    client.force_login(carla)
    response = client.post(url("ticket_fields", alice_ticket), {
        "department": soporte.pk, "category": payments.pk, "priority": "regular",
    })
    assert response.status_code == 200
    assert "Esa categoría no pertenece a «Soporte técnico»." in response.content.decode()
    assert refreshed(alice_ticket).category is None


def test_inactive_categories_are_not_offered_but_the_current_one_is_shown(
    client, carla, alice, make_ticket, soporte
):
    old = Category.objects.get(department=soporte, name="cPanel")
    gone = Category.objects.get(department=soporte, name="Bases de datos")
    ticket = make_ticket(alice, category=old)
    Category.objects.filter(pk__in=[old.pk, gone.pk]).update(is_active=False)
    client.force_login(carla)
    page = client.get(url("ticket_detail", ticket)).content.decode()
    assert f'<option value="{old.pk}" selected>cPanel (ya no se usa)</option>' in page
    # By value and name: a department's <option> may share the category's pk.
    assert f'<option value="{gone.pk}">{gone.name}' not in page
    assert f'<option value="{gone.pk}" selected>{gone.name}' not in page


def test_moving_a_ticket_out_of_the_agents_departments_returns_to_the_queue(
    client, carla, alice_ticket, facturacion, correo_category
):
    services.ticket_update_fields(alice_ticket, agent=carla, category=correo_category)
    client.force_login(carla)
    response = client.post(url("ticket_fields", alice_ticket), {
        "department": facturacion.pk, "category": correo_category.pk, "priority": "regular",
    }, follow=True)
    assert response.redirect_chain[-1][0] == reverse("console:queue")
    assert "ya no está en tus departamentos" in response.content.decode()
    ticket = refreshed(alice_ticket)
    assert ticket.department == facturacion and ticket.category is None
    assert client.get(url("ticket_detail", alice_ticket)).status_code == 404


# --- Merge ---------------------------------------------------------------------------

def test_agents_merge_a_duplicate_into_another_ticket_of_the_customer(client, carla, alice,
                                                                      alice_ticket, make_ticket):
    target = make_ticket(alice, subject="Sigo sin poder enviar correos")
    client.force_login(carla)
    response = client.post(url("ticket_merge", alice_ticket), {"target": f"#{target.number}"})
    assert response.status_code == 302
    assert response["Location"] == url("ticket_detail", target)
    source = refreshed(alice_ticket)
    assert source.status == Status.CLOSED and source.merged_into == target
    assert target.messages.filter(body="Desde ayer falla el envío.").exists()


@pytest.mark.parametrize(("target_fixture", "error"), [
    ("bob_ticket", "Solo se pueden fusionar tickets del mismo cliente."),
    ("billing_ticket", "entre los tickets que puedes ver"),
    (None, "entre los tickets que puedes ver"),
])
def test_merging_explains_what_went_wrong(client, carla, alice_ticket, request, target_fixture,
                                          error):
    number = request.getfixturevalue(target_fixture).number if target_fixture else "11111111"
    client.force_login(carla)
    response = client.post(url("ticket_merge", alice_ticket), {"target": number})
    assert response.status_code == 200
    page = response.content.decode()
    assert error in page
    assert f'value="{number}"' in page
    assert refreshed(alice_ticket).status == Status.OPEN


def test_merging_into_itself_is_refused(client, carla, alice_ticket):
    client.force_login(carla)
    response = client.post(url("ticket_merge", alice_ticket), {"target": alice_ticket.number})
    assert "Un ticket no se puede fusionar consigo mismo." in response.content.decode()


def test_merging_needs_a_number(client, carla, alice_ticket):
    client.force_login(carla)
    response = client.post(url("ticket_merge", alice_ticket), {"target": "el otro"})
    assert "Escribe solo el número del ticket" in response.content.decode()


def test_an_agent_can_clear_the_category_back_to_none(client, carla, alice_ticket,
                                                       correo_category):
    services.ticket_update_fields(alice_ticket, agent=carla, category=correo_category)
    client.force_login(carla)
    response = client.post(f"/consola/tickets/{alice_ticket.number}/campos/", {
        "department": alice_ticket.department_id, "category": "", "priority": "regular"})
    assert response.status_code == 302
    alice_ticket.refresh_from_db()
    assert alice_ticket.category is None

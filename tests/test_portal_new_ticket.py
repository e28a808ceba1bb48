"""The portal's "Abrir ticket" form, its confirmation page and who may use the portal."""

import datetime as dt
import zoneinfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import make_agent, make_user
from ventanilla.tickets import services
from ventanilla.tickets.models import Attachment, Category, Channel, Priority, Status, Ticket
from ventanilla.tickets.status import Role

NEW = reverse("portal:ticket_new")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 200
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n" + b"0" * 200


def png(name="captura.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


@pytest.fixture
def regular(soporte, correo_category):
    """A valid Regular ticket as the form posts it."""
    return {
        "department": soporte.pk, "category": correo_category.pk, "service": "",
        "subject": "No puedo enviar correos", "body": "Desde ayer Outlook da error 550.",
        "priority": Priority.REGULAR,
    }


@pytest.fixture
def alta(regular):
    return {
        **regular, "priority": Priority.HIGH, "subject": "Mi sitio no carga",
        "incident_server_ip": "192.0.2.10", "incident_order_number": "",
        "incident_service_name": "Hosting Negocios - alicia.mx",
        "incident_started_at": "2024-05-01T10:30", "incident_time_zone": "Europe/Madrid",
        "incident_diagnostics": "ping 192.0.2.10: 100% packet loss",
    }


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


def errors_of(response, field):
    return [str(e) for e in response.context["form"].errors.get(field, [])]


# --- The form ---------------------------------------------------------------


def test_it_shows_the_steps_and_warns_never_to_write_passwords(alice_client):
    response = alice_client.get(NEW)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nunca escribas contraseñas en un ticket: nunca te las pediremos." in html
    for label in ("Departamento", "Categoría", "Servicio relacionado", "Asunto", "Mensaje",
                  "Archivos adjuntos", "Prioridad", "Datos de diagnóstico"):
        assert label in html
    assert 'data-reveal-when="priority=alta"' in html
    assert "España (península y Baleares) · Europe/Madrid" in html


def test_it_offers_only_active_departments_and_categories(alice_client, soporte):
    soporte.is_active = False
    soporte.save()
    html = alice_client.get(NEW).content.decode()
    assert "Soporte técnico" not in html
    assert "Facturación" in html
    assert "Marketing/SEO" not in html  # an inactive category of Ventas ("No lo utilizaremos")


def test_it_shows_categories_as_parent_and_child(alice_client):
    html = alice_client.get(NEW).content.decode()
    assert "Correo → Spam" in html
    assert "Dominios → Transferencia" in html


def test_it_offers_only_the_customers_own_services(alice_client, bob):
    html = alice_client.get(NEW).content.decode()
    assert "Hosting Negocios - alicia.mx" in html
    assert "VPS 4GB - roberto.com" not in html


def test_it_defaults_the_time_zone_to_the_customers(alice_client, alice):
    alice.user.time_zone = "America/Bogota"
    alice.user.save()
    form = alice_client.get(NEW).context["form"]
    assert form["incident_time_zone"].value() == "America/Bogota"


def test_it_reloads_the_categories_of_the_chosen_department(alice_client, facturacion):
    response = alice_client.get(reverse("portal:ticket_new_categories"),
                                {"department": facturacion.pk}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith("<select") and 'id="id_category"' in html
    assert "Preguntas de facturación" in html
    assert "Correo" not in html


def test_the_category_reload_keeps_the_chosen_category(alice_client, soporte, correo_category):
    response = alice_client.get(reverse("portal:ticket_new_categories"),
                                {"department": soporte.pk, "category": correo_category.pk})
    assert f'<option value="{correo_category.pk}" selected>' in response.content.decode()


def test_it_prefills_department_and_subject_from_the_address(alice_client, facturacion):
    response = alice_client.get(NEW, {"departamento": "facturacion", "asunto": "Factura de mayo"})
    form = response.context["form"]
    assert form["department"].value() == facturacion.pk
    assert form["subject"].value() == "Factura de mayo"
    assert f'value="{facturacion.pk}" id="id_department_1" required checked' in (
        response.content.decode())


def test_it_prefills_a_category_of_the_prefilled_department(alice_client, correo_category,
                                                            facturacion):
    form = alice_client.get(NEW, {"departamento": "soporte",
                                  "categoria": correo_category.pk}).context["form"]
    assert form["category"].value() == correo_category.pk
    form = alice_client.get(NEW, {"departamento": "facturacion",
                                  "categoria": correo_category.pk}).context["form"]
    assert form["category"].value() is None


# --- Regular tickets ----------------------------------------------------------


def test_it_opens_a_regular_ticket(alice_client, alice, regular, correo_category, mailoutbox,
                                   django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = alice_client.post(NEW, regular)
    ticket = Ticket.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:ticket_created", args=[ticket.number])
    assert ticket.customer == alice
    assert ticket.requester == alice.user
    assert ticket.channel == Channel.PORTAL
    assert ticket.category == correo_category
    assert ticket.priority == Priority.REGULAR
    assert ticket.status == Status.OPEN
    assert ticket.messages.get().body == "Desde ayer Outlook da error 550."
    assert len(mailoutbox) == 1


def test_the_confirmation_page_shows_the_number_and_the_department(alice_client, regular):
    response = alice_client.post(NEW, regular, follow=True)
    ticket = Ticket.objects.get()
    html = response.content.decode()
    assert f'<p class="ticket-number">#{ticket.number}</p>' in html
    assert "Soporte técnico" in html
    assert reverse("portal:ticket_detail", args=[ticket.number]) in html
    assert reverse("portal:ticket_list") in html


def test_it_links_the_chosen_service(alice_client, alice, regular):
    service = alice.services.get(order_number="123456")
    alice_client.post(NEW, {**regular, "service": service.pk})
    assert Ticket.objects.get().service == service


def test_it_refuses_a_service_of_another_customer(alice_client, bob, regular):
    response = alice_client.post(NEW, {**regular, "service": bob.services.get().pk})
    assert errors_of(response, "service") == ["Ese servicio no pertenece a tu cuenta."]
    assert not Ticket.objects.exists()


def test_it_refuses_a_category_of_another_department(alice_client, regular, facturacion):
    pagos = Category.objects.get(department=facturacion, name="Pagos")
    response = alice_client.post(NEW, {**regular, "category": pagos.pk})
    assert errors_of(response, "category") == [
        "Esa categoría no pertenece al departamento elegido; elige una de «Soporte técnico»."]
    assert not Ticket.objects.exists()


def test_it_refuses_an_inactive_category(alice_client, regular, correo_category):
    correo_category.is_active = False
    correo_category.save()
    response = alice_client.post(NEW, regular)
    assert errors_of(response, "category") == ["Esa categoría no está disponible."]


def test_it_asks_for_a_category_when_the_department_has_them(alice_client, regular):
    response = alice_client.post(NEW, {**regular, "category": ""})
    assert errors_of(response, "category") == ["Elige una categoría."]


def test_it_brings_the_form_back_filled_on_an_error(alice_client, regular):
    response = alice_client.post(NEW, {**regular, "department": ""})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Elige el departamento que debe atenderte." in html
    assert 'value="No puedo enviar correos"' in html
    assert "Desde ayer Outlook da error 550." in html
    assert "Revisa los campos marcados" in html


# --- Alta tickets -------------------------------------------------------------


def test_it_opens_an_alta_ticket_with_the_incident_details(alice_client, alice, alta):
    response = alice_client.post(NEW, alta)
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.priority == Priority.HIGH
    assert ticket.incident_server_ip == "192.0.2.10"
    assert ticket.incident_service_name == "Hosting Negocios - alicia.mx"
    assert ticket.incident_time_zone == "Europe/Madrid"
    assert ticket.incident_diagnostics == "ping 192.0.2.10: 100% packet loss"
    # 10:30 in Madrid (CEST, UTC+2) is 08:30 UTC.
    assert ticket.incident_started_at == dt.datetime(2024, 5, 1, 8, 30, tzinfo=dt.UTC)
    # The IP names the service the customer did not pick.
    assert ticket.service == alice.services.get(order_number="123456")


@pytest.mark.parametrize("order", ["#123457", "123457", " # 123457 "])
def test_it_accepts_the_order_number_with_or_without_hash(alice_client, alta, order):
    response = alice_client.post(NEW, {**alta, "incident_server_ip": "",
                                       "incident_order_number": order})
    assert response.status_code == 302
    assert Ticket.objects.get().incident_order_number == "123457"


def test_it_requires_the_incident_details_for_alta(alice_client, regular):
    response = alice_client.post(NEW, {**regular, "priority": Priority.HIGH})
    assert response.status_code == 200
    required = ["Obligatorio para un ticket de prioridad Alta."]
    assert errors_of(response, "incident_server_ip") == [
        "Indica la IP del servidor o el número de pedido (al menos uno)."]
    assert errors_of(response, "incident_service_name") == required
    assert errors_of(response, "incident_started_at") == required
    assert errors_of(response, "incident_diagnostics") == required
    assert not Ticket.objects.exists()


def test_it_ignores_the_incident_fields_of_a_regular_ticket(alice_client, alta):
    response = alice_client.post(NEW, {**alta, "priority": Priority.REGULAR,
                                       "incident_server_ip": "198.51.100.7"})
    assert response.status_code == 302
    ticket = Ticket.objects.get()
    assert ticket.incident_server_ip is None
    assert ticket.incident_diagnostics == ""


def test_it_refuses_the_ip_of_another_customer(alice_client, alta, bob):
    response = alice_client.post(NEW, {**alta, "incident_server_ip": "198.51.100.7"})
    assert errors_of(response, "incident_server_ip") == [
        "La IP 198.51.100.7 no corresponde a ninguno de tus servicios."]
    html = response.content.decode()
    assert "La IP 198.51.100.7 no corresponde a ninguno de tus servicios." in html
    assert 'value="198.51.100.7"' in html  # the form comes back filled
    assert 'value="2024-05-01T10:30"' in html
    assert "ping 192.0.2.10: 100% packet loss" in html
    assert not Ticket.objects.exists()


def test_it_refuses_the_order_number_of_another_customer(alice_client, alta, bob):
    response = alice_client.post(NEW, {**alta, "incident_server_ip": "",
                                       "incident_order_number": "#654321"})
    assert errors_of(response, "incident_order_number") == [
        "El pedido #654321 no corresponde a ninguno de tus servicios."]
    assert not Ticket.objects.exists()


def test_it_refuses_an_invalid_ip(alice_client, alta):
    response = alice_client.post(NEW, {**alta, "incident_server_ip": "300.1.1.1"})
    assert errors_of(response, "incident_server_ip") == [
        "Escribe una dirección IP válida, p. ej. 203.0.113.5."]


def test_it_refuses_a_start_time_in_the_future(alice_client, alta):
    response = alice_client.post(NEW, {**alta, "incident_started_at": "2999-01-01T00:00"})
    assert errors_of(response, "incident_started_at") == [
        "La hora de inicio no puede estar en el futuro."]


def test_the_start_time_is_read_in_the_chosen_zone_not_the_viewers(alice_client, alice, alta):
    alice.user.time_zone = "America/Mexico_City"
    alice.user.save()
    alice_client.post(NEW, {**alta, "incident_time_zone": "America/Lima"})
    started = Ticket.objects.get().incident_started_at
    assert started.astimezone(zoneinfo.ZoneInfo("America/Lima")).hour == 10


# --- Attachments ----------------------------------------------------------------


def test_it_saves_the_attachments(alice_client, regular):
    response = alice_client.post(NEW, {**regular, "attachments": [png(), png("otra.png")]})
    assert response.status_code == 302
    names = sorted(Attachment.objects.values_list("original_name", flat=True))
    assert names == ["captura.png", "otra.png"]
    assert Attachment.objects.first().content_type == "image/png"


def test_it_refuses_an_oversize_attachment(alice_client, regular, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "MAX_FILE_BYTES": 100}
    response = alice_client.post(NEW, {**regular, "attachments": [png()]})
    assert response.status_code == 200
    [error] = errors_of(response, "attachments")
    assert error.startswith("«captura.png» pesa")
    assert "el máximo por archivo es 100" in error
    assert "vuelve a adjuntarlos" in response.content.decode()
    assert not Ticket.objects.exists()


def test_it_refuses_a_disallowed_type(alice_client, regular):
    exe = SimpleUploadedFile("programa.exe", b"MZ\x90\x00" + b"\x00" * 100)
    response = alice_client.post(NEW, {**regular, "attachments": [exe]})
    [error] = errors_of(response, "attachments")
    assert error.startswith("No se admiten archivos «.exe».")
    assert not Ticket.objects.exists()


def test_it_refuses_a_spoofed_extension(alice_client, regular):
    response = alice_client.post(NEW, {**regular, "attachments": [png("factura.png", PDF)]})
    assert errors_of(response, "attachments") == [
        "El contenido de «factura.png» no corresponde a su extensión o no es un tipo permitido."]
    assert not Ticket.objects.exists()
    assert not Attachment.objects.exists()


# --- Rate limit -------------------------------------------------------------------


def test_it_limits_how_many_tickets_a_customer_opens(alice_client, regular, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "TICKET_CREATE_RATE": "2/h"}
    assert alice_client.post(NEW, regular).status_code == 302
    assert alice_client.post(NEW, regular).status_code == 302
    response = alice_client.post(NEW, {**regular, "subject": "El tercero"})
    assert response.status_code == 429
    assert "Has abierto demasiados tickets en poco tiempo." in response.content.decode()
    assert 'value="El tercero"' in response.content.decode()
    assert Ticket.objects.count() == 2


def test_the_rate_limit_is_per_customer(client, alice, bob, regular, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "TICKET_CREATE_RATE": "1/h"}
    client.force_login(alice.user)
    assert client.post(NEW, regular).status_code == 302
    client.force_login(bob.user)
    assert client.post(NEW, regular).status_code == 302


def test_failed_submissions_do_not_count_against_the_limit(alice_client, regular, settings):
    settings.VENTANILLA = {**settings.VENTANILLA, "TICKET_CREATE_RATE": "1/h"}
    alice_client.post(NEW, {**regular, "subject": ""})
    assert alice_client.post(NEW, regular).status_code == 302


# --- Follow-up of a closed ticket ---------------------------------------------------


@pytest.fixture
def closed_ticket(alice, alice_ticket):
    return services.ticket_status_set(alice_ticket, actor=alice.user, role=Role.CUSTOMER,
                                      status=Status.CLOSED)


def test_it_prefills_a_follow_up_of_a_closed_ticket(alice_client, closed_ticket, soporte):
    response = alice_client.get(NEW, {"continuacion": closed_ticket.number})
    form = response.context["form"]
    assert form["subject"].value() == (
        f"Seguimiento de #{closed_ticket.number}: No puedo enviar correos")
    assert form["department"].value() == soporte.pk
    assert form["continuacion"].value() == closed_ticket.number
    assert "Este ticket continuará tu ticket cerrado" in response.content.decode()


def test_the_follow_up_is_linked_to_the_closed_ticket(alice_client, closed_ticket, regular):
    response = alice_client.post(NEW, {**regular, "continuacion": closed_ticket.number})
    assert response.status_code == 302
    new = Ticket.objects.exclude(pk=closed_ticket.pk).get()
    assert new.follow_up_of == closed_ticket
    html = alice_client.get(reverse("portal:ticket_detail", args=[new.number])).content.decode()
    assert reverse("portal:ticket_detail", args=[closed_ticket.number]) in html
    assert "Este ticket es la continuación de tu ticket" in html
    old = alice_client.get(reverse("portal:ticket_detail", args=[closed_ticket.number]))
    assert reverse("portal:ticket_detail", args=[new.number]) in old.content.decode()


def test_an_open_ticket_is_not_continued(alice_client, alice_ticket, regular):
    alice_client.post(NEW, {**regular, "continuacion": alice_ticket.number})
    assert Ticket.objects.exclude(pk=alice_ticket.pk).get().follow_up_of is None


def test_another_customers_ticket_cannot_be_continued(alice_client, bob, bob_ticket, regular):
    services.ticket_status_set(bob_ticket, actor=bob.user, role=Role.CUSTOMER,
                               status=Status.CLOSED)
    assert alice_client.get(NEW, {"continuacion": bob_ticket.number}).status_code == 404
    response = alice_client.post(NEW, {**regular, "continuacion": bob_ticket.number})
    assert response.status_code == 404
    assert Ticket.objects.count() == 1


# --- Who may use the portal ------------------------------------------------------------


@pytest.mark.parametrize("name", ["dashboard", "ticket_list", "ticket_new"])
def test_an_agent_without_customer_account_goes_to_the_console(client, carla, name):
    client.force_login(carla)
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response.url == reverse("console:queue")


def test_a_user_without_customer_profile_gets_an_explanation(client):
    client.force_login(make_user("nadie@example.com", name="Nadie"))
    response = client.get(reverse("portal:dashboard"))
    assert response.status_code == 403
    assert "Tu cuenta no tiene un perfil de cliente" in response.content.decode()
    assert client.post(NEW, {}).status_code == 403


@pytest.mark.parametrize("name", ["dashboard", "ticket_list", "ticket_new"])
def test_anonymous_visitors_are_sent_to_log_in(client, name):
    response = client.get(reverse(f"portal:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("account_login"))


def test_an_agent_who_is_also_a_customer_uses_the_portal(client, alice, soporte):
    agent = make_agent("doble@example.com", "Doble Rol", [soporte])
    alice.user = agent
    alice.save()
    client.force_login(agent)
    assert client.get(reverse("portal:dashboard")).status_code == 200


def test_the_confirmation_page_of_another_customers_ticket_is_404(client, bob, alice_ticket):
    client.force_login(bob.user)
    url = reverse("portal:ticket_created", args=[alice_ticket.number])
    assert client.get(url).status_code == 404


def test_a_failed_submission_focuses_a_summary_that_links_each_error_to_its_field(
        alice_client, regular):
    response = alice_client.post(NEW, {**regular, "department": "", "subject": ""})
    html = response.content.decode()
    # ventanilla.js focuses data-focus on load; each error is a link to its field.
    assert '<div class="form-errors" role="alert" tabindex="-1" data-focus>' in html
    assert '<a href="#id_department_0">Departamento: ' in html
    assert '<a href="#id_subject">Asunto: ' in html
    assert 'id="id_department_0"' in html and 'id="id_subject"' in html
    # The radio group's error describes the group; the subject's, the input.
    assert 'aria-describedby="department-help id_department_error"' in html
    assert '<ul class="errorlist" id="id_department_error">' in html
    assert 'aria-describedby="id_subject_error"' in html or 'id_subject_error"' in html

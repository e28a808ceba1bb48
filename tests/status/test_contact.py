"""The three public forms without an account: valid input opens a ticket
in the right department and shows and emails its number; spam (honeypot,
too fast, too many from one IP) and bad input open nothing and lose
nothing; the "cannot log in" reply reaches only the registered address."""

import time

import pytest
import time_machine
from django.core import signing
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from ventanilla.accounts.models import Customer
from ventanilla.status.forms import SIGNING_SALT
from ventanilla.status.models import ContactRequest
from ventanilla.tickets import services as ticket_services
from ventanilla.tickets.models import Ticket

from ..test_mail_outbound import run_due_jobs, smtp  # noqa: F401 (fixture)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def token(seconds_ago: int = 60) -> str:
    return signing.dumps({"t": int(time.time()) - seconds_ago}, salt=SIGNING_SALT)


CANNOT_LOGIN = reverse("status:contact_cannot_login")
PRESALES = reverse("status:contact_presales")
ABUSE = reverse("status:contact_abuse")


def cannot_login_data(**extra):
    return {"name": "Alicia", "identifier": "alicia.mx", "started": token(),
            "description": "Perdí el acceso a mi correo y no puedo entrar.", "website": "", **extra}


def presales_data(**extra):
    return {"name": "Eva", "email": "eva@nueva.mx", "company": "Nueva", "started": token(),
            "body": "¿Tienen hosting con PHP 8.3?", "website": "", **extra}


def abuse_data(**extra):
    return {"abuse_type": "phishing", "target": "https://alicia.mx/banco/login", "started": token(),
            "evidence": "Página que imita a un banco.", "name": "Fran", "email": "fran@example.org",
            "website": "", **extra}


@pytest.fixture
def make_agent_in():
    from ventanilla.tickets.models import Department

    from ..conftest import make_agent

    def _make(slug):
        return make_agent(f"{slug}@agentes.test", f"Agente {slug}", [Department.objects.get(slug=slug)])

    return _make


@pytest.fixture
def send(client, django_capture_on_commit_callbacks):
    def _send(url, data, **kwargs):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(url, data, REMOTE_ADDR=kwargs.pop("ip", "203.0.113.5"), **kwargs)

    return _send


# --- Valid input ---------------------------------------------------------------

def test_the_pages_say_we_never_ask_for_passwords(client):
    for url in (CANNOT_LOGIN, PRESALES, ABUSE):
        page = client.get(url).content.decode()
        assert "Nunca te pediremos tu contraseña" in page
        assert 'type="password"' not in page


def test_cannot_log_in_opens_a_ticket_in_identity_verification_for_the_matched_account(
        client, send, alice, mailoutbox):
    response = send(CANNOT_LOGIN, cannot_login_data())
    assert response.status_code == 302
    contact = ContactRequest.objects.get()
    ticket = contact.ticket
    assert ticket.department.slug == "verificacion"
    # Whoever typed the domain proved nothing: the ticket waits outside
    # alice's account (tests/status/test_unverified.py).
    assert contact.matched_customer == alice and ticket.customer.unverified_for == alice
    receipt = client.get(response.url).content.decode()
    assert f"#{ticket.number}" in receipt
    assert [m.to for m in mailoutbox] == [["alice@example.com"]]
    assert ticket.number in mailoutbox[0].subject + mailoutbox[0].body


def test_agents_see_what_matched_and_the_customer_does_not(client, send, alice, make_agent_in):
    send(CANNOT_LOGIN, cannot_login_data())
    ticket = Ticket.objects.get()
    client.force_login(make_agent_in("verificacion"))
    page = client.get(reverse("console:ticket_detail", args=[ticket.number])).content.decode()
    assert "Cuenta encontrada" in page and "alice@example.com" in page
    # Not alice's until she proves it (tests/status/test_unverified.py).
    client.force_login(alice.user)
    assert client.get(reverse("portal:ticket_detail", args=[ticket.number])).status_code == 404


def test_cannot_log_in_reply_reaches_only_the_registered_address(
        send, smtp, alice, carla, django_capture_on_commit_callbacks):  # noqa: F811
    # Someone else types alice's email and their own address could be anywhere
    # in the text: nothing is ever sent to it.
    send(CANNOT_LOGIN, cannot_login_data(
        identifier="ALICE@example.com",
        description="Soy Alicia, escríbanme a atacante@evil.test por favor."))
    ticket = Ticket.objects.get()
    ticket.participants.create(email="atacante@evil.test")  # even if an agent added it
    with django_capture_on_commit_callbacks(execute=True):
        ticket_services.ticket_agent_reply(ticket, agent=carla, body="¿Nos confirma su PIN?")
    run_due_jobs()
    recipients = [m.recipients for m in smtp.messages]
    assert recipients == [["alice@example.com"], ["alice@example.com"]]


def test_cannot_log_in_without_a_matching_account_emails_nobody(send, client, alice, bob, mailoutbox):
    response = send(CANNOT_LOGIN, cannot_login_data(identifier="desconocido.mx"))
    contact = ContactRequest.objects.get()
    assert contact.matched_customer is None
    assert contact.ticket.customer.email.endswith(".invalid")
    assert mailoutbox == []
    # The receipt reads the same whether or not an account matched.
    assert "únicamente a su correo registrado" in client.get(response.url).content.decode()


def test_presales_opens_a_ticket_in_ventas_and_emails_the_number(send, client, mailoutbox):
    response = send(PRESALES, presales_data())
    ticket = Ticket.objects.get()
    assert ticket.department.slug == "ventas" and ticket.customer.email == "eva@nueva.mx"
    assert Customer.objects.get(email="eva@nueva.mx").user is None
    assert f"#{ticket.number}" in client.get(response.url).content.decode()
    assert mailoutbox[0].to == ["eva@nueva.mx"] and ticket.number in mailoutbox[0].subject


def test_an_abuse_report_with_evidence_files_opens_a_ticket_in_abuso(send, mailoutbox):
    send(ABUSE, abuse_data(attachments=[SimpleUploadedFile("captura.png", PNG)]))
    ticket = Ticket.objects.get()
    assert ticket.department.slug == "abuso" and ticket.department.name == "Abuso y seguridad"
    assert "Phishing" in ticket.subject and "https://alicia.mx/banco/login" in ticket.subject
    assert ticket.messages.get().attachments.get().original_name == "captura.png"
    assert mailoutbox[0].to == ["fran@example.org"]


def test_an_abuse_report_stores_the_abuse_categorys_fields_for_agents(send, client):
    """The report's URL and evidence become the "Reporte de abuso" fields,
    as if the reporter had filled them in the client area's form."""
    from ventanilla.fields.selectors import ticket_values

    page = client.get(ABUSE).content.decode()
    assert "Incluye la URL o la IP del contenido abusivo" in page  # the category's guidance
    send(ABUSE, abuse_data())
    ticket = Ticket.objects.get()
    assert ticket.category.name == "Reporte de abuso"
    values = {value.label: value.text for value in ticket_values(ticket)}
    assert values == {"URL reportada": "https://alicia.mx/banco/login",
                      "Evidencias": "Página que imita a un banco."}


def test_an_abuse_report_about_an_ip_fills_the_ip_field(send):
    from ventanilla.fields.selectors import ticket_values

    send(ABUSE, abuse_data(target="203.0.113.77", abuse_type="spam"))
    values = {value.label: value.text for value in ticket_values(Ticket.objects.get())}
    assert values["IP reportada"] == "203.0.113.77" and "URL reportada" not in values


# --- Spam ------------------------------------------------------------------------

@pytest.mark.parametrize("url,data", [
    (CANNOT_LOGIN, cannot_login_data), (PRESALES, presales_data), (ABUSE, abuse_data)])
def test_a_filled_honeypot_opens_nothing(send, url, data):
    response = send(url, data(website="http://spam.example"))
    assert response.status_code == 400 and not Ticket.objects.exists()


@pytest.mark.parametrize("url,data", [
    (CANNOT_LOGIN, cannot_login_data), (PRESALES, presales_data), (ABUSE, abuse_data)])
def test_a_form_sent_too_fast_opens_nothing_and_keeps_the_text(send, url, data):
    response = send(url, data(started=token(seconds_ago=0), name="Nombre conservado"))
    page = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "demasiado rápido" in page and 'value="Nombre conservado"' in page


def test_a_forged_or_missing_timestamp_opens_nothing(send):
    response = send(PRESALES, presales_data(started="falso"))
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "caducó" in response.content.decode()


def test_one_ip_is_limited_and_others_are_not(send, settings):
    settings.VENTANILLA_STATUS = {"CONTACT_RATE": "2/h"}
    for _ in range(2):
        assert send(PRESALES, presales_data()).status_code == 302
    limited = send(PRESALES, presales_data(body="Tercera consulta"))
    assert limited.status_code == 429 and "Tercera consulta" in limited.content.decode()
    assert send(PRESALES, presales_data(), ip="198.51.100.9").status_code == 302
    assert Ticket.objects.count() == 3
    with time_machine.travel(time.time() + 3700):  # the next hour
        assert send(PRESALES, presales_data(started=token(60))).status_code == 302


# --- Bad input ----------------------------------------------------------------------

@pytest.mark.parametrize("url,data,message", [
    (CANNOT_LOGIN, cannot_login_data(identifier="no es nada"), "Escribe el correo de tu cuenta o un dominio"),
    (CANNOT_LOGIN, cannot_login_data(description=""), "obligatorio"),
    (PRESALES, presales_data(email="eva@"), "Escribe un correo válido"),
    (ABUSE, abuse_data(target="no-es-una-url"), "Escribe una URL"),
    (ABUSE, abuse_data(abuse_type=""), "Elige el tipo de abuso"),
])
def test_bad_input_gets_a_clear_spanish_error_and_keeps_the_rest(send, url, data, message):
    response = send(url, data)
    page = response.content.decode()
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert message in page
    assert "no se perdió nada" in page


def test_an_attachment_that_lies_about_its_type_is_refused(send):
    response = send(ABUSE, abuse_data(attachments=[SimpleUploadedFile("foto.png", b"MZ\x90\x00binario")]))
    assert response.status_code == 400 and not Ticket.objects.exists()
    assert "vuelve a adjuntarlos" in response.content.decode()


# --- Abuse and security notices ----------------------------------------------------

def test_an_abuse_report_finds_the_reported_customer_and_the_agent_notifies_them(
        send, client, alice, bob, make_ticket):
    from ventanilla.accounts.models import AgentProfile
    from ventanilla.notifications.models import Kind, Notification
    from ventanilla.tickets.models import Department

    from ..conftest import make_agent

    send(ABUSE, abuse_data(target="https://www.alicia.mx/banco/login"))
    contact = ContactRequest.objects.get()
    assert contact.matched_customer == alice
    agent = make_agent("ana@example.com", "Ana Abuso", [Department.objects.get(slug="abuso")])
    assert AgentProfile.objects.filter(user=agent).exists()
    client.force_login(agent)
    page = client.get(reverse("console:ticket_detail", args=[contact.ticket.number])).content.decode()
    url = reverse("status:console_abuse_notice", args=[contact.ticket.number])
    assert url in page
    form = client.get(url).content.decode()
    assert 'value="alice@example.com"' in form
    client.post(url, {"customer_email": "alice@example.com", "title": "Phishing en alicia.mx",
                      "body": "Retira la página /banco/login."})
    notice = Notification.objects.get(kind=Kind.ABUSE)
    assert notice.customer == alice and notice.title == "Phishing en alicia.mx"
    assert not Notification.objects.filter(customer=bob).exists()
    # Only from tickets of Abuso y seguridad.
    other = make_ticket(alice)
    client.force_login(make_agent("sup@example.com", "Sup", supervisor=True))
    assert client.get(reverse("status:console_abuse_notice", args=[other.number])).status_code == 404


def test_typos_and_spam_attempts_do_not_count_toward_the_limit(send, settings):
    """Only accepted submissions count (tests/status/test_contact_limits.py)."""
    settings.VENTANILLA_STATUS = {"CONTACT_RATE": "2/h"}
    for _ in range(3):
        send(PRESALES, presales_data(email="mal"))  # a person's typos
        send(PRESALES, presales_data(website="x"))  # a bot
        send(PRESALES, presales_data(started=token(seconds_ago=0)))  # too fast
    assert send(PRESALES, presales_data()).status_code == 302
    assert send(PRESALES, presales_data()).status_code == 302
    assert send(PRESALES, presales_data()).status_code == 429


def test_the_identity_department_is_not_offered_in_the_client_areas_new_ticket_form(
        client, alice):
    from django.conf import settings

    from ventanilla.status.services import IDENTITY_DEPARTMENT
    from ventanilla.tickets.models import Department

    assert IDENTITY_DEPARTMENT in settings.VENTANILLA_PORTAL_HIDDEN_DEPARTMENTS
    identity = Department.objects.get(slug=IDENTITY_DEPARTMENT)
    client.force_login(alice.user)
    new = reverse("portal:ticket_new")
    page = client.get(new)
    choices = [d.slug for d in page.context["form"].fields["department"].queryset]
    assert "soporte" in choices and IDENTITY_DEPARTMENT not in choices
    assert identity.name not in page.content.decode()
    assert client.get(new, {"departamento": IDENTITY_DEPARTMENT}).context["form"]["department"].value() is None
    response = client.post(new, {"department": identity.pk, "subject": "Hola", "body": "Hola",
                                 "priority": "regular"})
    assert response.status_code == 200 and "department" in response.context["form"].errors
    assert not Ticket.objects.filter(department=identity).exists()


@pytest.mark.parametrize("url, data, field, kept", [
    (CANNOT_LOGIN, cannot_login_data, "description", "Perdí el acceso"),
    (PRESALES, presales_data, "body", "¿Tienen hosting"),
    (ABUSE, abuse_data, "evidence", "Página que imita"),
])
def test_a_nul_is_a_clear_error_and_keeps_what_was_typed(send, url, data, field, kept):
    form = data()
    form[field] = form[field] + "\x00"
    response = send(url, form)
    page = response.content.decode()
    assert response.status_code in (200, 400)
    assert "caracteres nulos" in page and kept in page
    assert not Ticket.objects.exists() and not ContactRequest.objects.exists()

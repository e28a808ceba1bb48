"""Recorded consent: an agent asks, the customer answers once with one click
from the portal or from the signed email link; the record never changes."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import time_machine
from django.contrib.admin.sites import site as admin_site
from django.core import signing
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from ventanilla.fields import services
from ventanilla.fields.models import (
    ActionRecord,
    ConsentAction,
    ConsentAnswer,
    ConsentChannel,
    ConsentDecision,
    ConsentRequest,
    ImmutableError,
)
from ventanilla.mail.models import OutboundEmail

ACTION = "Actualizar WordPress a la última versión y desactivar los plugins incompatibles"


@pytest.fixture
def ask(carla_client, alice_ticket, django_capture_on_commit_callbacks):
    """carla asks from the console; returns the request."""

    def _ask(action=ACTION):
        with django_capture_on_commit_callbacks(execute=True):
            response = carla_client.post(
                reverse("fields:console_consent_new", args=[alice_ticket.number]), {"action": action})
        assert response.status_code == 302, response.content.decode()
        return ConsentRequest.objects.latest("pk")

    return _ask


def link_of(mail) -> str:
    return re.search(r"http://[^\s]+/autorizacion/[^\s/]+/", mail.body).group(0)


def path_of(url: str) -> str:
    return urlsplit(url).path


def test_an_agent_asks_and_the_customer_gets_an_email_with_the_exact_text(ask, alice_ticket,
                                                                         mailoutbox):
    request = ask()
    assert request.action == ACTION
    assert request.expires_at - request.created_at == timedelta(hours=168)
    mail = mailoutbox[-1]
    assert mail.to == ["alice@example.com"]
    assert f"[#{alice_ticket.number}] Necesitamos tu autorización" == mail.subject
    assert ACTION in mail.body
    assert "/autorizacion/" in link_of(mail)
    assert OutboundEmail.objects.get(kind="consent_request").ticket == alice_ticket


def test_an_empty_request_is_refused_and_nothing_is_sent(carla_client, alice_ticket, mailoutbox):
    response = carla_client.post(reverse("fields:console_consent_new", args=[alice_ticket.number]),
                                 {"action": "   "})
    assert response.status_code == 200
    assert "Describe la acción que el cliente debe autorizar." in response.content.decode()
    assert not ConsentRequest.objects.exists() and not mailoutbox


def test_the_customer_sees_it_highlighted_and_authorizes_with_one_click(ask, alice, alice_client,
                                                                       alice_ticket):
    request = ask()
    page = reverse("portal:ticket_detail", args=[alice_ticket.number])
    html = alice_client.get(page).content.decode()
    assert "El equipo de soporte necesita tu autorización" in html and ACTION in html
    response = alice_client.post(
        reverse("fields:portal_consent_answer", args=[alice_ticket.number, request.pk]),
        {"decision": "autorizo"}, follow=True)
    assert "registramos tu autorización" in response.content.decode()
    answer = ConsentAnswer.objects.get()
    assert (answer.decision, answer.channel, answer.answered_by, answer.text) == (
        ConsentDecision.AUTHORIZED, ConsentChannel.PORTAL, alice.user, ACTION)
    assert answer.answered_by_name == "Alicia Pérez <alice@example.com>"
    assert answer.ip_address == "127.0.0.1"
    html = alice_client.get(page).content.decode()
    assert "El equipo de soporte necesita tu autorización" not in html
    assert "Autorizada" in html


def test_the_customer_may_refuse(ask, alice_client, alice_ticket):
    request = ask()
    alice_client.post(reverse("fields:portal_consent_answer", args=[alice_ticket.number, request.pk]),
                      {"decision": "no_autorizo"})
    assert ConsentAnswer.objects.get().decision == ConsentDecision.REFUSED


def test_the_agent_sees_the_answer_in_the_ticket_history(ask, alice_client, carla_client,
                                                        alice_ticket):
    request = ask()
    alice_client.post(reverse("fields:portal_consent_answer", args=[alice_ticket.number, request.pk]),
                      {"decision": "autorizo"})
    html = carla_client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "Autorizaciones del cliente" in html and ACTION in html
    assert "Autorizada" in html and "Respondió Alicia Pérez &lt;alice@example.com&gt; desde Área de cliente" in html


def test_another_customer_cannot_answer(ask, alice_ticket, bob):
    request = ask()
    client = Client()
    client.force_login(bob.user)
    url = reverse("fields:portal_consent_answer", args=[alice_ticket.number, request.pk])
    assert client.post(url, {"decision": "autorizo"}).status_code == 404
    assert not ConsentAnswer.objects.exists()


def test_a_request_of_another_ticket_is_404(ask, alice_client, alice, make_ticket):
    request = ask()
    other = make_ticket(alice, subject="Otro")
    url = reverse("fields:portal_consent_answer", args=[other.number, request.pk])
    assert alice_client.post(url, {"decision": "autorizo"}).status_code == 404


def test_the_email_link_answers_without_logging_in(ask, mailoutbox, alice_ticket):
    ask()
    path = path_of(link_of(mailoutbox[-1]))
    anonymous = Client()
    page = anonymous.get(path)
    assert page.status_code == 200 and ACTION in page.content.decode()
    assert not ConsentAnswer.objects.exists()  # opening the link records nothing
    response = anonymous.post(path, {"decision": "autorizo"})
    assert "registramos tu autorización" in response.content.decode()
    answer = ConsentAnswer.objects.get()
    assert (answer.channel, answer.answered_by, answer.answered_by_name) == (
        ConsentChannel.EMAIL, None, "Alicia Pérez <alice@example.com>")


def test_a_reused_link_is_refused(ask, mailoutbox):
    ask()
    path = path_of(link_of(mailoutbox[-1]))
    anonymous = Client()
    anonymous.post(path, {"decision": "autorizo"})
    response = anonymous.post(path, {"decision": "no_autorizo"})
    assert "ya fue respondida" in response.content.decode()
    assert ConsentAnswer.objects.get().decision == ConsentDecision.AUTHORIZED
    assert "el enlace ya no sirve para responder" in anonymous.get(path).content.decode()


def test_a_tampered_link_is_refused(ask, mailoutbox):
    request = ask()
    token = path_of(link_of(mailoutbox[-1])).split("/")[2]
    other = ConsentRequest.objects.create(
        ticket=request.ticket, action="Borrar todo", requested_by=request.requested_by,
        expires_at=request.expires_at)
    forged = signing.TimestampSigner(salt="otra-cosa").sign_object({"c": other.pk})
    payload, rest = token.split(":", 1)
    swapped = signing.b64_encode(f'{{"c":{other.pk}}}'.encode()).decode() + ":" + rest
    for bad in (forged, swapped, token[:-2] + "xx", "basura"):
        response = Client().post(reverse("fields:consent_link", args=[bad]), {"decision": "autorizo"})
        assert response.status_code == 400
        assert "Este enlace no es válido" in response.content.decode()
    assert not ConsentAnswer.objects.exists()


def test_an_expired_request_cannot_be_answered(ask, alice_client, alice_ticket, mailoutbox):
    request = ask()
    path = path_of(link_of(mailoutbox[-1]))
    with time_machine.travel(timezone.now() + timedelta(hours=169)):
        response = Client().post(path, {"decision": "autorizo"})
        assert response.status_code == 400 and "Este enlace venció" in response.content.decode()
        alice_client.post(reverse("fields:portal_consent_answer",
                                  args=[alice_ticket.number, request.pk]), {"decision": "autorizo"})
        html = alice_client.get(reverse("portal:ticket_detail", args=[alice_ticket.number])).content.decode()
        assert "Vencida sin respuesta" in html
    assert not ConsentAnswer.objects.exists()


def test_the_expiry_is_configurable(ask, settings):
    settings.VENTANILLA_FIELDS = {**settings.VENTANILLA_FIELDS, "CONSENT_EXPIRY_HOURS": 2}
    request = ask()
    assert request.expires_at - request.created_at == timedelta(hours=2)
    with time_machine.travel(timezone.now() + timedelta(hours=3)), pytest.raises(ValidationError):
        services.consent_answer(request, decision="autorizo", channel="portal")


def test_the_link_page_is_rate_limited(settings):
    settings.VENTANILLA_FIELDS = {**settings.VENTANILLA_FIELDS, "CONSENT_LINK_RATE": "3/h"}
    client = Client()
    for _ in range(3):
        assert client.get(reverse("fields:consent_link", args=["basura"])).status_code == 400
    assert client.get(reverse("fields:consent_link", args=["basura"])).status_code == 429


# --- Immutability -------------------------------------------------------------


@pytest.fixture
def answer(ask):
    return services.consent_answer(ask(), decision="autorizo", channel="portal")


def test_the_service_refuses_a_second_answer(answer):
    with pytest.raises(ValidationError, match="ya fue respondida"):
        services.consent_answer(answer.request, decision="no_autorizo", channel="email")


def test_answers_and_requests_cannot_be_edited_or_deleted(answer):
    answer.decision = ConsentDecision.REFUSED
    with pytest.raises(ImmutableError):
        answer.save()
    with pytest.raises(ImmutableError):
        answer.delete()
    with pytest.raises(ImmutableError):
        ConsentAnswer.objects.update(decision=ConsentDecision.REFUSED)
    with pytest.raises(ImmutableError):
        ConsentAnswer.objects.all().delete()
    request = answer.request
    request.action = "Otra cosa"
    with pytest.raises(ImmutableError):
        request.save()
    with pytest.raises(ImmutableError):
        ConsentRequest.objects.filter(pk=request.pk).delete()
    answer.refresh_from_db()
    assert answer.decision == ConsentDecision.AUTHORIZED and answer.text == ACTION


def test_a_ticket_with_consent_records_cannot_be_deleted(answer):
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        answer.request.ticket.delete()


def test_the_admin_is_read_only_even_for_superusers(answer, root, rf):
    request = rf.get("/admin/")
    request.user = root
    for model in (ConsentRequest, ConsentAnswer):
        model_admin = admin_site._registry[model]
        assert model_admin.has_view_permission(request)
        assert not model_admin.has_add_permission(request)
        assert not model_admin.has_change_permission(request, answer)
        assert not model_admin.has_delete_permission(request, answer)
    client = Client()
    client.force_login(root)
    url = reverse("admin:fields_consentanswer_change", args=[answer.pk])
    page = client.get(url)
    assert page.status_code == 200 and ACTION in page.content.decode()
    client.post(url, {"decision": "no_autorizo"})
    delete = reverse("admin:fields_consentanswer_delete", args=[answer.pk])
    assert client.post(delete, {"post": "yes"}).status_code == 403
    answer.refresh_from_db()
    assert answer.decision == ConsentDecision.AUTHORIZED


# --- The "needs consent" guard ------------------------------------------------


@pytest.fixture
def update_kind():
    return ConsentAction.objects.get(name="Actualizar WordPress, temas o plugins")


def done_url(ticket):
    return reverse("fields:console_action_done", args=[ticket.number])


def test_an_action_cannot_be_marked_done_without_consent(carla_client, alice_ticket, update_kind):
    response = carla_client.post(done_url(alice_ticket), {"kind": update_kind.pk})
    assert response.status_code == 200
    assert ("«Actualizar WordPress, temas o plugins» necesita la autorización del cliente en este "
            "ticket") in response.content.decode()
    assert not ActionRecord.objects.exists()


@pytest.mark.parametrize("state", ["pending", "refused", "expired", "other_kind", "other_ticket"])
def test_only_an_accepted_consent_of_that_kind_on_that_ticket_allows_it(
        state, carla, alice, alice_ticket, make_ticket, update_kind):
    kind = update_kind
    if state == "other_kind":
        kind = ConsentAction.objects.get(name="Restaurar una copia de seguridad")
    ticket = make_ticket(alice, subject="Otro") if state == "other_ticket" else alice_ticket
    request = services.consent_request_create(ticket, agent=carla, action="Actualizar", kind=kind)
    if state in ("refused", "other_kind", "other_ticket"):
        decision = "no_autorizo" if state == "refused" else "autorizo"
        services.consent_answer(request, decision=decision, channel="portal")
    when = timezone.now() + timedelta(days=30) if state == "expired" else timezone.now()
    with time_machine.travel(when), pytest.raises(ValidationError, match="necesita la autorización"):
        services.consent_action_done(alice_ticket, agent=carla, kind=update_kind)


def test_an_accepted_consent_allows_the_action_once(carla_client, carla, alice_ticket, update_kind):
    request = services.consent_request_create(alice_ticket, agent=carla, action="Actualizar WP",
                                              kind=update_kind)
    services.consent_answer(request, decision="autorizo", channel="email")
    response = carla_client.post(done_url(alice_ticket), {"kind": update_kind.pk,
                                                          "note": "WP 6.7 y WooCommerce 9.4"})
    assert response.status_code == 302
    record = ActionRecord.objects.get()
    assert (record.consent, record.done_by, record.note) == (request, carla, "WP 6.7 y WooCommerce 9.4")
    html = carla_client.get(reverse("console:ticket_detail", args=[alice_ticket.number])).content.decode()
    assert "Realizada por Carla Soporte" in html
    # A second update needs a new consent.
    with pytest.raises(ValidationError):
        services.consent_action_done(alice_ticket, agent=carla, kind=update_kind)
    with pytest.raises(ImmutableError):
        record.delete()


def test_a_kind_fills_the_text_the_customer_reads(ask, carla_client, alice_ticket, update_kind):
    carla_client.post(reverse("fields:console_consent_new", args=[alice_ticket.number]),
                      {"kind": update_kind.pk, "action": ""})
    request = ConsentRequest.objects.get()
    assert (request.kind, request.action) == (update_kind, update_kind.text)


def test_the_consent_panel_opens_in_place(carla_client, alice_ticket):
    response = carla_client.get(reverse("fields:console_consent_new", args=[alice_ticket.number]),
                                HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.strip().startswith('<section class="card fields-consent stack"')
    assert "Actualizar WordPress, temas o plugins" in html and "<html" not in html


def test_each_sidebar_button_opens_the_panel_at_its_own_form(carla_client, alice_ticket):
    """«Pedir autorización» and «Acción realizada» swap the same panel in;
    ventanilla.js focuses the first field of the form each one is for."""
    ask = carla_client.get(reverse("fields:console_consent_new", args=[alice_ticket.number]),
                           HTTP_HX_REQUEST="true").content.decode()
    done = carla_client.get(reverse("fields:console_action_done", args=[alice_ticket.number]),
                            HTTP_HX_REQUEST="true").content.decode()
    assert 'id="pedir-autorizacion" data-focus="field"' in ask
    assert 'id="accion-realizada" data-focus="field"' not in ask
    assert 'id="accion-realizada" data-focus="field"' in done
    assert 'id="pedir-autorizacion" data-focus="field"' not in done
    sidebar = carla_client.get(reverse("console:ticket_detail", args=[alice_ticket.number]))
    assert (f'hx-get="{reverse("fields:console_action_done", args=[alice_ticket.number])}"'
            in sidebar.content.decode())

"""Error pages: branded, in the visitor's language, with the way back; a
refused request is logged in one line, not a traceback."""

import io
import logging

import pytest
from django.test import Client
from django.urls import reverse

from ventanilla.core.logging import ClientErrorsInOneLine

from .conftest import make_user


@pytest.fixture
def staff_without_permissions(db):
    """A staff user who may open the admin but no model in it: the admin
    answers 403 (PermissionDenied) to its pages."""
    return make_user("staff@example.com", name="Sin Permisos", is_staff=True)


def test_404_is_branded_spanish_with_the_way_home_for_visitors(client):
    response = client.get("/no-existe/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "No encontramos esta página" in page
    assert "Not Found" not in page
    assert f'href="{reverse("home")}"' in page and "Ir al inicio" in page
    assert 'class="topbar"' in page  # the site's own layout, not Django's bare page


def test_404_sends_a_customer_back_to_the_client_area(client, alice):
    client.force_login(alice.user)
    page = client.get(reverse("portal:ticket_detail", args=["999999"])).content.decode()
    assert "No encontramos esta página" in page
    assert f'href="{reverse("portal:dashboard")}"' in page
    assert "Volver a tu Área de cliente" in page


def test_404_sends_an_agent_back_to_the_console(client, carla, bob_ticket):
    client.force_login(carla)
    response = client.get("/consola/tickets/000/")
    assert response.status_code == 404
    page = response.content.decode()
    assert f'href="{reverse("console:queue")}"' in page and "Volver a la consola" in page


def test_404_in_english_with_the_language_cookie(client):
    client.cookies["django_language"] = "en"
    response = client.get("/no-existe/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "We could not find this page" in page
    assert "Go to the home page" in page
    assert "No encontramos" not in page


def test_403_is_branded_with_the_way_back(client, staff_without_permissions):
    client.force_login(staff_without_permissions)
    response = client.get(reverse("admin:tickets_ticket_changelist"))
    assert response.status_code == 403
    page = response.content.decode()
    assert "No tienes acceso a esta página" in page
    assert "403 Forbidden" not in page
    assert f'href="{reverse("portal:dashboard")}"' in page


def test_403_in_english(client, staff_without_permissions):
    client.cookies["django_language"] = "en"
    client.force_login(staff_without_permissions)
    page = client.get(reverse("admin:tickets_ticket_changelist")).content.decode()
    assert "You do not have access to this page" in page


def test_csrf_failure_page_is_branded_and_explains(alice):
    csrf_client = Client(enforce_csrf_checks=True)
    csrf_client.force_login(alice.user)
    response = csrf_client.post(reverse("portal:ticket_new"), {"subject": "x"})
    assert response.status_code == 403
    page = response.content.decode()
    assert "No pudimos enviar el formulario" in page
    assert "recárgala" in page
    assert "CSRF verification failed" not in page
    csrf_client.cookies["django_language"] = "en"
    page = csrf_client.post(reverse("portal:ticket_new"), {"subject": "x"}).content.decode()
    assert "We could not send the form" in page


def test_500_is_self_contained_branded_and_translated(django_assert_num_queries):
    """Django's own handler renders templates/500.html without a request
    context: it must not need the database or any context processor."""
    from django.template.loader import get_template
    from django.utils import translation

    with translation.override("es"), django_assert_num_queries(0):
        html = get_template("500.html").render()
    assert "Algo salió mal" in html and 'href="/"' in html
    with translation.override("en"):
        assert "Something went wrong" in get_template("500.html").render()


@pytest.mark.urls("tests.error_urls")
def test_500_page_served_for_an_uncaught_error(client):
    client.raise_request_exception = False
    response = client.get("/falla/")
    assert response.status_code == 500
    assert "Algo salió mal" in response.content.decode()


def _console_handler():
    handlers = [h for h in logging.getLogger().handlers
                if any(isinstance(f, ClientErrorsInOneLine) for f in h.filters)]
    assert handlers, "settings.LOGGING's console handler lost its one-line filter"
    return handlers[0]


def test_a_403_is_logged_in_one_line(client, staff_without_permissions):
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.force_login(staff_without_permissions)
        response = client.get(reverse("admin:tickets_ticket_changelist"))
    finally:
        handler.setStream(previous)
    assert response.status_code == 403
    lines = stream.getvalue().strip().splitlines()
    assert len(lines) == 1, stream.getvalue()
    assert "Forbidden (Permission denied)" in lines[0]
    assert "Traceback" not in stream.getvalue()


@pytest.mark.urls("tests.error_urls")
def test_a_500_keeps_its_traceback(client):
    handler = _console_handler()
    stream = io.StringIO()
    previous = handler.setStream(stream)
    try:
        client.raise_request_exception = False
        client.get("/falla/")
    finally:
        handler.setStream(previous)
    assert "Traceback" in stream.getvalue()

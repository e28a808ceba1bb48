"""The public contact forms' limits count only accepted submissions, per
address and per email (or account identifier), across the three forms: an
office behind one address keeps working (issue 17, A7)."""

import pytest

from ventanilla.status.models import ContactRequest

from .test_contact import (
    ABUSE,
    CANNOT_LOGIN,
    PRESALES,
    abuse_data,
    cannot_login_data,
    presales_data,
    send,  # noqa: F401 (fixture)
    token,
)


def accepted():
    return ContactRequest.objects.count()


def test_the_defaults_let_an_office_behind_one_address_work(send, settings):  # noqa: F811
    assert settings.VENTANILLA_STATUS["CONTACT_RATE"] == "30/h"
    assert settings.VENTANILLA_STATUS["CONTACT_EMAIL_RATE"] == "5/h"
    for person in range(12):
        email = f"persona{person}@oficina.mx"
        assert send(PRESALES, presales_data(email=email)).status_code == 302
        assert send(ABUSE, abuse_data(email=email)).status_code == 302
    assert accepted() == 24


def test_one_email_is_limited_across_the_three_forms_and_keeps_what_was_typed(
        send, settings):  # noqa: F811
    settings.VENTANILLA_STATUS = {**settings.VENTANILLA_STATUS, "CONTACT_EMAIL_RATE": "3/h"}
    assert send(PRESALES, presales_data(email="eva@nueva.mx")).status_code == 302
    assert send(ABUSE, abuse_data(email="EVA@nueva.mx")).status_code == 302
    assert send(CANNOT_LOGIN, cannot_login_data(identifier="eva@nueva.mx"),
                ip="198.51.100.7").status_code == 302
    refused = send(PRESALES, presales_data(email="eva@nueva.mx", body="Cuarta consulta"),
                   ip="198.51.100.8")
    page = refused.content.decode()
    assert refused.status_code == 429
    assert "demasiadas solicitudes con este correo" in page and "Cuarta consulta" in page
    assert send(PRESALES, presales_data(email="otra@nueva.mx")).status_code == 302
    assert accepted() == 4


def test_refused_invalid_and_spam_submissions_cost_nothing(send, settings):  # noqa: F811
    settings.VENTANILLA_STATUS = {"CONTACT_RATE": "3/h", "CONTACT_EMAIL_RATE": "1/h"}
    assert send(PRESALES, presales_data(email="a@oficina.mx")).status_code == 302
    for _ in range(4):
        assert send(PRESALES, presales_data(email="a@oficina.mx")).status_code == 429
        assert send(PRESALES, presales_data(started=token(seconds_ago=0))).status_code == 400
        assert send(PRESALES, presales_data(website="http://spam.example")).status_code == 400
        assert send(PRESALES, presales_data(email="mal")).status_code == 400
    # The address's allowance was not spent by any of those.
    assert send(PRESALES, presales_data(email="b@oficina.mx")).status_code == 302
    assert send(PRESALES, presales_data(email="c@oficina.mx")).status_code == 302
    limited = send(PRESALES, presales_data(email="d@oficina.mx"))
    assert limited.status_code == 429
    assert "demasiadas solicitudes desde tu conexión" in limited.content.decode()
    assert accepted() == 3


@pytest.mark.parametrize("rate", ["", "basura"])
def test_an_empty_rate_is_no_limit(send, settings, rate):  # noqa: F811
    settings.VENTANILLA_STATUS = {"CONTACT_RATE": rate, "CONTACT_EMAIL_RATE": rate}
    for _ in range(8):
        assert send(PRESALES, presales_data()).status_code == 302

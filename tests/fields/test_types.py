"""Every field type's validation, good and bad values, as tables (no database)."""

import pytest
from django.core.exceptions import ValidationError

from ventanilla.fields import types
from ventanilla.fields.models import FieldType
from ventanilla.fields.types import FieldSpec

OWN = frozenset({"alicia.mx", "tienda-alicia.com"})


def clean(kind, value, *, required=False, options=(), owned=False):
    spec = FieldSpec(key="1", label="Dato", type=kind, required=required, options=options,
                     must_be_customer_domain=owned, customer_domains=OWN)
    return types.form_field(spec).clean(value)


def error_of(kind, value, **kwargs) -> str:
    with pytest.raises(ValidationError) as caught:
        clean(kind, value, **kwargs)
    return " ".join(caught.value.messages)


@pytest.mark.parametrize(("kind", "value", "expected"), [
    (FieldType.TEXT, "  usuario_tienda ", "usuario_tienda"),
    (FieldType.LONG_TEXT, "Cabeceras:\nReceived: from x", "Cabeceras:\nReceived: from x"),
    (FieldType.EMAIL, "Ventas@ALICIA.MX", "Ventas@alicia.mx"),
    (FieldType.EMAIL, "info@correo.alicia.mx", "info@correo.alicia.mx"),
    (FieldType.DOMAIN, "alicia.mx", "alicia.mx"),
    (FieldType.DOMAIN, "https://WWW.Alicia.mx/contacto", "www.alicia.mx"),
    (FieldType.DOMAIN, "méxico.mx", "méxico.mx"),
    (FieldType.DOMAIN, "xn--mxico-bsa.mx", "xn--mxico-bsa.mx"),
    (FieldType.IP, "203.0.113.5", "203.0.113.5"),
    (FieldType.IP, " 2001:db8::1 ", "2001:db8::1"),
    (FieldType.IP, "::ffff:192.0.2.1", "192.0.2.1"),
    (FieldType.URL, "alicia.mx/tienda", "https://alicia.mx/tienda"),
    (FieldType.URL, "http://ejemplo.com/phishing?id=1", "http://ejemplo.com/phishing?id=1"),
    (FieldType.AMOUNT, ["1,250.50", "MXN"], {"amount": "1250.50", "currency": "MXN"}),
    (FieldType.AMOUNT, ["1.250,5", "EUR"], {"amount": "1250.50", "currency": "EUR"}),
    (FieldType.AMOUNT, ["$99", "USD"], {"amount": "99.00", "currency": "USD"}),
    (FieldType.AMOUNT, ["", "MXN"], None),
    (FieldType.DATETIME, ["2025-03-14T09:30", "America/Bogota"],
     {"at": "2025-03-14T09:30:00-05:00", "local": "2025-03-14T09:30", "tz": "America/Bogota"}),
    (FieldType.DATETIME, ["2025-07-01T12:00", "Europe/Madrid"],
     {"at": "2025-07-01T12:00:00+02:00", "local": "2025-07-01T12:00", "tz": "Europe/Madrid"}),
    (FieldType.DATETIME, ["", ""], None),
    (FieldType.CHECKBOX, "on", True),
    (FieldType.CHECKBOX, "", False),
])
def test_good_values_are_cleaned(kind, value, expected):
    assert clean(kind, value) == expected


def test_choices_accept_only_their_options():
    options = ("PayPal", "Tarjeta de crédito o débito")
    assert clean(FieldType.CHOICE, "PayPal", options=options) == "PayPal"
    assert clean(FieldType.MULTIPLE, ["PayPal"], options=options) == ["PayPal"]
    assert error_of(FieldType.CHOICE, "Bitcoin", options=options) == (
        "Elige una de las opciones de la lista.")
    assert "Elige una de las opciones de la lista." in error_of(
        FieldType.MULTIPLE, ["PayPal", "Bitcoin"], options=options)


@pytest.mark.parametrize(("kind", "value", "message"), [
    (FieldType.EMAIL, "ventas@", "Escribe una dirección de correo válida, p. ej. info@midominio.mx."),
    (FieldType.EMAIL, "ventas alicia.mx", "Escribe una dirección de correo válida"),
    (FieldType.DOMAIN, "alicia", "Escribe un dominio válido, p. ej. midominio.mx"),
    (FieldType.DOMAIN, "-alicia.mx", "Escribe un dominio válido"),
    (FieldType.DOMAIN, "alicia..mx", "Escribe un dominio válido"),
    (FieldType.DOMAIN, "info@alicia.mx", "Escribe un dominio válido"),
    (FieldType.DOMAIN, "alicia.mx:8080", "Escribe un dominio válido"),
    (FieldType.DOMAIN, "alicia.m1", "Escribe un dominio válido"),
    (FieldType.DOMAIN, "a" * 64 + ".mx", "Escribe un dominio válido"),
    (FieldType.IP, "203.0.113.256", "Escribe una dirección IP válida, p. ej. 203.0.113.5"),
    (FieldType.IP, "servidor1", "Escribe una dirección IP válida"),
    (FieldType.IP, "2001:db8:::1", "Escribe una dirección IP válida"),
    (FieldType.URL, "http://", "Escribe una dirección web válida"),
    (FieldType.URL, "no es una url", "Escribe una dirección web válida"),
    (FieldType.AMOUNT, ["mil pesos", "MXN"], "Escribe un importe válido, p. ej. 1250.50."),
    (FieldType.AMOUNT, ["-5", "MXN"], "El importe debe ser mayor que cero."),
    (FieldType.AMOUNT, ["0", "MXN"], "El importe debe ser mayor que cero."),
    (FieldType.AMOUNT, ["10.555", "MXN"], "El importe admite como mucho dos decimales."),
    (FieldType.AMOUNT, ["10", "XXX"], "Elige la moneda de la lista."),
    (FieldType.DATETIME, ["2025-02-30T10:00", "Europe/Madrid"], "Escribe una fecha y hora válidas"),
    (FieldType.DATETIME, ["ayer", "Europe/Madrid"], "Escribe una fecha y hora válidas"),
    (FieldType.DATETIME, ["2025-03-14T09:30", ""], "Indica la fecha y hora, y su zona horaria."),
    (FieldType.DATETIME, ["2025-03-14T09:30", "Marte/Olympus"], "Elige una zona horaria"),
    (FieldType.TEXT, "x" * 501, "Escribe como mucho 500 caracteres (ahora hay 501)."),
])
def test_bad_values_get_a_clear_spanish_message(kind, value, message):
    assert message in error_of(kind, value)


@pytest.mark.parametrize(("kind", "empty", "message"), [
    (FieldType.TEXT, "", "Este dato es obligatorio: Dato."),
    (FieldType.EMAIL, "", "Este dato es obligatorio: Dato."),
    (FieldType.DOMAIN, "", "Este dato es obligatorio: Dato."),
    (FieldType.IP, "", "Este dato es obligatorio: Dato."),
    (FieldType.URL, "", "Este dato es obligatorio: Dato."),
    (FieldType.AMOUNT, ["", "MXN"], "Este dato es obligatorio: Dato."),
    (FieldType.DATETIME, ["", ""], "Este dato es obligatorio: Dato."),
    (FieldType.CHECKBOX, "", "Marca esta casilla para continuar."),
])
def test_required_fields_refuse_an_empty_value(kind, empty, message):
    assert error_of(kind, empty, required=True) == message


def test_a_required_choice_asks_to_pick_one():
    assert error_of(FieldType.CHOICE, "", required=True, options=("a", "b")) == "Elige una opción."
    assert error_of(FieldType.MULTIPLE, [], required=True, options=("a", "b")) == (
        "Elige al menos una opción.")


@pytest.mark.parametrize(("kind", "value"), [
    (FieldType.EMAIL, "ventas@alicia.mx"),
    (FieldType.EMAIL, "ventas@correo.tienda-alicia.com"),
    (FieldType.DOMAIN, "blog.alicia.mx"),
    (FieldType.URL, "https://tienda-alicia.com/carrito"),
])
def test_owned_values_must_be_on_one_of_the_customers_domains(kind, value):
    assert clean(kind, value, owned=True)


@pytest.mark.parametrize(("kind", "value", "message"), [
    (FieldType.EMAIL, "yo@gmail.com",
     "La dirección yo@gmail.com no corresponde a ninguno de los dominios de tus servicios "
     "(alicia.mx, tienda-alicia.com)."),
    (FieldType.DOMAIN, "otroalicia.mx",
     "El dominio otroalicia.mx no corresponde a ninguno de los dominios de tus servicios"),
    (FieldType.URL, "https://alicia.mx.ejemplo.com/", "no corresponde a ninguno de los dominios"),
])
def test_values_on_other_domains_are_refused_when_ownership_is_required(kind, value, message):
    assert message in error_of(kind, value, owned=True)
    assert clean(kind, value, owned=False)  # the same value is fine in an abuse report


@pytest.mark.parametrize(("kind", "value", "text"), [
    (FieldType.AMOUNT, {"amount": "1250.50", "currency": "MXN"}, "1250.50 MXN"),
    (FieldType.DATETIME, {"at": "2025-03-14T09:30:00-05:00", "local": "2025-03-14T09:30",
                          "tz": "America/Bogota"}, "2025-03-14 09:30 (America/Bogota)"),
    (FieldType.MULTIPLE, ["PayPal", "Otro"], "PayPal, Otro"),
    (FieldType.CHECKBOX, True, "Sí"),
    (FieldType.CHECKBOX, False, "No"),
    (FieldType.EMAIL, "ventas@alicia.mx", "ventas@alicia.mx"),
])
def test_values_are_shown_as_people_read_them(kind, value, text):
    assert types.display_text(kind, value) == text

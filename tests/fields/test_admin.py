"""Admins define guidance and fields under each category, without code."""

import pytest
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse

from ventanilla.fields.models import CategoryField, FieldType
from ventanilla.fields.seed import CATEGORIES
from ventanilla.tickets.models import Category


@pytest.fixture
def admin_client(root):
    client = Client()
    client.force_login(root)
    return client


def test_every_seed_category_got_its_guidance_and_fields():
    for (department, name), (guidance, fields) in CATEGORIES.items():
        category = Category.objects.get(department__slug=department, name=name, parent=None)
        assert category.guidance.text == guidance
        assert [f.label for f in category.custom_fields.all()] == [f[0] for f in fields]


def test_the_category_page_has_the_guidance_and_fields_inline(admin_client, correo_category):
    html = admin_client.get(reverse("admin:tickets_category_change", args=[correo_category.pk])
                            ).content.decode()
    assert "Dirección de correo afectada" in html
    assert "Incluye la dirección de correo con la que tienes problemas" in html
    assert "Campos personalizados" in html


def test_an_admin_adds_a_field_from_the_category_page(admin_client, soporte):
    category = Category.objects.get(department=soporte, name="cPanel")
    url = reverse("admin:tickets_category_change", args=[category.pk])
    data = {
        "department": soporte.pk, "parent": "", "name": "cPanel", "is_active": "on", "position": 1,
        "guidance-TOTAL_FORMS": 1, "guidance-INITIAL_FORMS": 0,
        "guidance-0-text": "Indica el usuario de cPanel.",
        "custom_fields-TOTAL_FORMS": 1, "custom_fields-INITIAL_FORMS": 0,
        "custom_fields-0-label": "Usuario de cPanel", "custom_fields-0-type": FieldType.TEXT,
        "custom_fields-0-required": "on", "custom_fields-0-is_active": "on",
        "custom_fields-0-position": 0, "custom_fields-0-options": "", "custom_fields-0-help_text": "",
    }
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.context["errors"] if response.context else ""
    field = CategoryField.objects.get(category=category)
    assert (field.label, field.required) == ("Usuario de cPanel", True)
    assert category.guidance.text == "Indica el usuario de cPanel."


@pytest.mark.parametrize(("kind", "options", "owned", "error_field"), [
    (FieldType.CHOICE, "Solo una", False, "options"),
    (FieldType.MULTIPLE, "", False, "options"),
    (FieldType.TEXT, "", True, "must_be_customer_domain"),
])
def test_a_badly_defined_field_is_refused(correo_category, kind, options, owned, error_field):
    field = CategoryField(category=correo_category, label="X", type=kind, options=options,
                          must_be_customer_domain=owned)
    with pytest.raises(ValidationError) as caught:
        field.full_clean()
    assert error_field in caught.value.message_dict

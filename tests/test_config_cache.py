"""The configuration cache (ventanilla.core.config_cache): creating a ticket
reads departments, categories, SLA policies and calendars and category
fields from memory, and any change to them — saved, bulk-updated, rolled
back, or made by another process — is seen."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from ventanilla.core import config_cache
from ventanilla.fields.forms import category_fields_form
from ventanilla.fields.models import CategoryField, FieldType
from ventanilla.sla.models import Calendar, OpeningHours, SlaPolicy
from ventanilla.sla.policies import calendar_for, targets_for
from ventanilla.tickets import selectors
from ventanilla.tickets.models import Category, Department, Ticket

from . import services
from .conftest import PASSWORD

CONFIG_TABLES = ("tickets_department", "tickets_category", "sla_slapolicy", "sla_calendar",
                 "fields_categoryfield", "fields_categoryguidance")


def new_ticket_post(client, department, category, n):
    return client.post("/cliente/tickets/nuevo/", {
        "department": department.pk, "category": category.pk, "service": "",
        "priority": "regular", "subject": f"Caché {n}: el correo no llega",
        "body": "Desde ayer no llegan los correos a contacto@alicia.mx.",
    })


def test_a_second_creation_reads_no_configuration(client, alice, soporte, correo_category):
    client.login(email="alice@example.com", password=PASSWORD)
    assert new_ticket_post(client, soporte, correo_category, 1).status_code == 302
    with CaptureQueriesContext(connection) as queries:
        assert new_ticket_post(client, soporte, correo_category, 2).status_code == 302
    read = [q["sql"] for q in queries if any(f'"{t}"' in q["sql"] for t in CONFIG_TABLES)]
    assert read == []
    assert Ticket.objects.filter(customer=alice).count() == 2
    ticket = Ticket.objects.get(subject__startswith="Caché 2")
    assert (ticket.department, ticket.category) == (soporte, correo_category)
    assert ticket.first_response_due_at is not None  # the SLA targets still apply


def test_cached_lookups_are_copies(soporte):
    first = selectors.portal_department_by_id(soporte.pk)
    first.name = "Cambiado en memoria"
    assert selectors.portal_department_by_id(str(soporte.pk)).name == soporte.name
    assert selectors.portal_department_by_id("x") is None
    assert selectors.portal_department_by_id("²") is None
    assert selectors.portal_department_by_id(10**30) is None


@pytest.mark.django_db(transaction=True)
def test_saves_and_bulk_updates_are_seen_at_once(soporte, correo_category):
    assert selectors.portal_category_by_id(correo_category.pk) is not None
    with CaptureQueriesContext(connection) as queries:
        selectors.portal_category_by_id(correo_category.pk)
    assert len(queries) == 0  # cached

    Category.objects.filter(pk=correo_category.pk).update(is_active=False)  # no signals
    assert selectors.portal_category_by_id(correo_category.pk) is None

    correo_category.is_active = True
    correo_category.save()
    assert selectors.portal_category_by_id(correo_category.pk) is not None

    soporte.name = "Soporte 24/7"
    soporte.save()
    assert selectors.portal_department_by_id(soporte.pk).name == "Soporte 24/7"


@pytest.mark.django_db(transaction=True)
def test_sla_policy_and_calendar_changes_are_seen(soporte):
    # A transactional test starts without the seeded policies: the fallback.
    assert targets_for("portal", "regular").first_response == 3600
    SlaPolicy.objects.create(channel="portal", priority="regular", first_response_minutes=10)
    assert targets_for("portal", "regular").first_response == 600
    SlaPolicy.objects.filter(channel="portal", priority="regular").update(first_response_minutes=17)
    assert targets_for("portal", "regular").first_response == 17 * 60

    assert calendar_for(soporte.pk) is None  # 24/7
    calendar = Calendar.objects.create(name="Oficina", time_zone="America/Mexico_City")
    calendar.departments.add(soporte)  # a many-to-many change
    OpeningHours.objects.create(calendar=calendar, weekday=0, opens=datetime.time(9),
                                closes=datetime.time(18))
    assert calendar_for(soporte.pk).hours == {0: ((datetime.time(9), datetime.time(18)),)}
    calendar.departments.remove(soporte)
    assert calendar_for(soporte.pk) is None


@pytest.mark.django_db(transaction=True)
def test_a_rolled_back_change_is_not_kept(soporte, correo_category):
    assert selectors.portal_category_by_id(correo_category.pk) is not None
    with pytest.raises(RuntimeError), transaction.atomic():
        Category.objects.filter(pk=correo_category.pk).update(is_active=False)
        # Read inside the writing transaction: right, but not kept.
        assert selectors.portal_category_by_id(correo_category.pk) is None
        raise RuntimeError
    assert selectors.portal_category_by_id(correo_category.pk) is not None


@pytest.mark.django_db(transaction=True)
def test_new_category_fields_are_asked(alice, correo_category):
    assert category_fields_form(correo_category, customer=alice).fields == {}
    CategoryField.objects.create(category=correo_category, label="Cuenta de correo",
                                 type=FieldType.EMAIL, required=True)
    form = category_fields_form(correo_category, customer=alice)
    assert [f.label for f in form.fields.values()] == ["Cuenta de correo"]


def test_another_process_change_is_seen_through_the_generation_file(soporte, monkeypatch):
    monkeypatch.setattr(config_cache, "_store", [config_cache._FileGeneration()])
    selectors.portal_department_by_id(soporte.pk)
    with connection.cursor() as cursor:  # as another process would: no signal here
        cursor.execute("UPDATE tickets_department SET name = %s WHERE id = %s",
                       ["Soporte (otro proceso)", soporte.pk])
    assert selectors.portal_department_by_id(soporte.pk).name == soporte.name  # still cached
    config_cache._FileGeneration().bump()  # what that process's commit does
    assert selectors.portal_department_by_id(soporte.pk).name == "Soporte (otro proceso)"


def test_the_shared_generation_in_redis(settings, monkeypatch):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                   "LOCATION": services.redis_url(13)}}
    monkeypatch.setattr(config_cache, "CHECK_SECONDS", 0)
    cache.delete(config_cache.GENERATION_KEY)
    one, other = config_cache._SharedCacheGeneration(), config_cache._SharedCacheGeneration()
    assert one.read() is None
    other.bump()
    assert one.read() == other.read() is not None
    cache.delete(config_cache.GENERATION_KEY)


def test_departments_hidden_from_the_portal_are_refused(settings, soporte):
    assert selectors.portal_department_by_id(soporte.pk) is not None
    settings.VENTANILLA_PORTAL_HIDDEN_DEPARTMENTS = ("soporte",)
    assert selectors.portal_department_by_id(soporte.pk) is None
    assert Department.objects.filter(pk=soporte.pk, is_active=True).exists()


def test_the_consoles_category_select_is_rendered_once_per_list_and_value(
        client, carla, alice, make_ticket, soporte, correo_category):
    from ventanilla.core.widgets import MemoizedSelect
    from ventanilla.tickets.console_forms import TicketFieldsForm

    ssl = Category.objects.get(department=soporte, name="SSL", parent=None)
    first = make_ticket(alice, category=correo_category)
    second = make_ticket(alice, category=ssl)
    MemoizedSelect._rendered.clear()
    html = str(TicketFieldsForm(first)["category"])
    assert str(TicketFieldsForm(first)["category"]) == html
    assert len([k for k in MemoizedSelect._rendered if k[0].startswith("console-categories:")]) == 1
    assert f'<option value="{correo_category.pk}" selected>' in html
    html = str(TicketFieldsForm(second)["category"])
    assert f'<option value="{ssl.pk}" selected>' in html
    assert f'<option value="{correo_category.pk}" selected>' not in html
    ssl.name = "SSL y HTTPS"
    ssl.save()
    assert "SSL y HTTPS" in str(TicketFieldsForm(second)["category"])
    ssl.is_active = False
    ssl.save()
    assert "SSL y HTTPS (ya no se usa)" in str(TicketFieldsForm(second)["category"])
    assert "SSL y HTTPS" not in str(TicketFieldsForm(first)["category"])

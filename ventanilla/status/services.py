"""Every change to incidents, maintenance, their ticket links, the contact
forms without an account and the support PIN goes through here. One
transaction each; notices and emails after commit."""

import hmac
import ipaddress
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from urllib.parse import urlsplit

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer, Service
from ventanilla.accounts.services import customer_for_stranger, unverified_holder
from ventanilla.integrations.events import emit
from ventanilla.notifications import services as notifications
from ventanilla.notifications.models import Kind as NoticeKind
from ventanilla.tickets import services as tickets
from ventanilla.tickets import verification
from ventanilla.tickets.models import Category, Channel, Department, Status, Ticket

from . import state
from .models import (
    Component,
    ContactRequest,
    Incident,
    IncidentFollower,
    IncidentTicket,
    IncidentUpdate,
    PinCheck,
    SupportPin,
)
from .selectors import affected_customer_ids

IDENTITY_DEPARTMENT = "verificacion"

PIN_MAX_FAILURES = 5
PIN_LOCK = timedelta(minutes=15)


# --- Incidents and maintenance -------------------------------------------------

def incident_publish(*, author, kind: str, title: str, impact: str, components: Sequence[Component],
                     body: str, scheduled_start: datetime | None = None,
                     scheduled_end: datetime | None = None) -> Incident:
    """Publish an incident (investigando, from now) or schedule a maintenance;
    the customers whose services run on its components are told."""
    if not components:
        raise ValidationError(_("Elige al menos un componente afectado."))
    now = timezone.now()
    is_maintenance = kind == Incident.Kind.MAINTENANCE
    if is_maintenance:
        if not scheduled_start or not scheduled_end:
            raise ValidationError(_("Un mantenimiento necesita inicio y fin programados."))
        if scheduled_end <= scheduled_start:
            raise ValidationError(_("El fin programado debe ser posterior al inicio."))
        impact = Incident.Impact.MAINTENANCE
    elif impact == Incident.Impact.MAINTENANCE:
        raise ValidationError(_("Elige el impacto del incidente."))
    status = state.INITIAL[kind]
    with transaction.atomic():
        incident = Incident.objects.create(
            kind=kind, title=title.strip()[:200], status=status, impact=impact, created_by=author,
            created_at=now, updated_at=now, started_at=None if is_maintenance else now,
            scheduled_start=scheduled_start if is_maintenance else None,
            scheduled_end=scheduled_end if is_maintenance else None,
        )
        incident.components.set(components)
        first = IncidentUpdate.objects.create(incident=incident, status=status, body=body,
                                              author=author, created_at=now)
        transaction.on_commit(lambda: _notify(first.pk, followers_only=False))
    return incident


@transaction.atomic
def incident_update(incident: Incident, *, author, status: str, body: str,
                    post_to_tickets: bool = False) -> IncidentUpdate:
    """Add an update to the timeline, moving the status if it changed.
    With post_to_tickets the text is also a reply in every linked ticket;
    closing the incident (resuelto/completado) resolves those tickets with
    it (a customer reopens theirs by replying)."""
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if not state.can_transition(incident.kind, incident.status, status):
        raise ValidationError(
            _("Un incidente «%(from)s» no puede pasar a «%(to)s».")
            % {"from": incident.get_status_display(), "to": Incident.Status(status).label})
    now = timezone.now()
    previous = incident.status
    incident.status = status
    incident.updated_at = now
    if status == Incident.Status.IN_PROGRESS and incident.started_at is None:
        incident.started_at = now
    if status in state.FINAL_STATUSES:
        incident.ended_at = now
    incident.save(update_fields=["status", "updated_at", "started_at", "ended_at"])
    update = IncidentUpdate.objects.create(incident=incident, status=status, body=body,
                                           author=author, created_at=now)
    closing = status in {Incident.Status.RESOLVED, Incident.Status.COMPLETED}
    if post_to_tickets or closing:
        update.posted_to_tickets = _post_to_linked_tickets(incident, author=author, body=body,
                                                           resolve=closing)
        update.save(update_fields=["posted_to_tickets"])
    ends = status in state.FINAL_STATUSES and previous != status
    transaction.on_commit(lambda: _notify(update.pk, followers_only=not ends))
    emit("incident.updated", partial(incident_payload, update.pk))
    return update


def incident_payload(update_id: int) -> dict:
    """The data of the incident.updated webhook."""
    update = IncidentUpdate.objects.select_related("incident").get(pk=update_id)
    incident = update.incident
    return {"incident": {
        "id": incident.pk, "kind": incident.kind, "title": incident.title,
        "status": incident.status, "impact": incident.impact,
        "components": sorted(incident.components.values_list("name", flat=True)),
        "started_at": incident.started_at, "ended_at": incident.ended_at,
    }, "update": {"status": update.status, "body": update.body, "created_at": update.created_at}}


def _post_to_linked_tickets(incident: Incident, *, author, body: str, resolve: bool) -> int:
    links = (IncidentTicket.objects.filter(incident=incident)
             .exclude(ticket__status=Status.CLOSED)
             .select_related("ticket__customer__user"))
    posted = 0
    for link in links:
        ticket = link.ticket
        language = notifications.customer_language(
            ticket.customer.user.language if ticket.customer.user_id else None)
        with translation.override(language):
            text = _("Actualización sobre «%(title)s»:\n\n%(body)s") % {
                "title": incident.title, "body": body}
        tickets.ticket_agent_reply(
            ticket, agent=author, body=text,
            status=Status.RESOLVED if resolve else ticket.status,
        )
        posted += 1
    return posted


def _notify(update_id: int, *, followers_only: bool) -> None:
    """Tell the customers about one update of the timeline: its own status and
    text, dated when it was posted. (Reading the incident's latest state
    instead told every update as the last one: an incident published and
    resolved in one go left two identical «(Resuelto)» notices.)"""
    update = IncidentUpdate.objects.select_related("incident").get(pk=update_id)
    incident = update.incident
    followers = IncidentFollower.objects.filter(incident=incident).values_list("customer_id", flat=True)
    ids = list(followers) if followers_only else [*affected_customer_ids(incident), *followers]
    url = reverse("status:incident_detail", args=[incident.pk])

    def text():
        if incident.is_maintenance:
            title = _("Mantenimiento: %(title)s (%(status)s)")
        else:
            title = _("Incidente: %(title)s (%(status)s)")
        return (title % {"title": incident.title, "status": update.get_status_display()},
                update.body)

    notifications.notify(ids, kind=NoticeKind.SERVICE, url=url, text=text,
                         created_at=update.created_at)


def maintenance_start_due(*, now: datetime | None = None) -> int:
    """Move every scheduled maintenance whose start has come to en curso.
    Returns how many started."""
    now = now or timezone.now()
    due = Incident.objects.filter(kind=Incident.Kind.MAINTENANCE, status=Incident.Status.SCHEDULED,
                                  scheduled_start__lte=now)
    started = 0
    for maintenance in due:
        try:
            incident_update(maintenance, author=None, status=Incident.Status.IN_PROGRESS,
                            body=_("Comenzó el mantenimiento programado."))
        except ValidationError:
            continue  # cancelled or started by an agent meanwhile
        started += 1
    return started


@transaction.atomic
def incident_link_ticket(incident: Incident, ticket: Ticket, *, agent) -> bool:
    """Link; False when it already was."""
    try:
        with transaction.atomic():
            IncidentTicket.objects.create(incident=incident, ticket=ticket, linked_by=agent)
    except IntegrityError:
        return False
    return True


@transaction.atomic
def incident_unlink_ticket(incident: Incident, ticket: Ticket) -> bool:
    deleted, _rows = IncidentTicket.objects.filter(incident=incident, ticket=ticket).delete()
    return bool(deleted)


def incident_follow(incident: Incident, customer: Customer) -> bool:
    if not incident.is_open:
        raise ValidationError(_("Este incidente ya terminó."))
    _follower, created = IncidentFollower.objects.get_or_create(incident=incident, customer=customer)
    return created


def incident_unfollow(incident: Incident, customer: Customer) -> None:
    IncidentFollower.objects.filter(incident=incident, customer=customer).delete()


# --- Ticket notifications (a hook of ventanilla.mail.outbound) ------------------

def identity_recipients_hook(kind, ticket, message, recipients: list[str]) -> list[str]:
    """A "No puedo iniciar sesión" ticket is answered only at the registered
    address of the account: never the address typed in the form, nor a
    participant or an extra address someone could have added. (Before proof
    the ticket is a stranger's, and tickets.verification's hook already
    answers only the possible account's registered address.)"""
    if not recipients or ticket.department.slug != IDENTITY_DEPARTMENT or ticket.customer.unverified:
        return recipients
    return [ticket.customer.email]


# --- Contact without an account -----------------------------------------------

def _department(slug: str) -> Department:
    department = Department.objects.filter(slug=slug, is_active=True).first()
    if department is None:
        raise ValidationError(_("Este formulario no está disponible ahora. Inténtalo más tarde."))
    return department


def account_for_identifier(identifier: str) -> Customer | None:
    """The one account with this registered email, or with a service on this
    domain; None when none or several match."""
    value = identifier.strip().lower()
    if not value:
        return None
    if "@" in value:
        found = list(Customer.objects.filter(
            Q(email__lower=value) | Q(user__email__lower=value), unverified=False)[:2])
    else:
        domain = value.removeprefix("http://").removeprefix("https://").removeprefix("www.")
        domain = domain.split("/")[0]
        ids = set(Service.objects.filter(domain__iexact=domain)
                  .exclude(status=Service.Status.CANCELLED)
                  .values_list("customer_id", flat=True)[:10])
        found = list(Customer.objects.filter(pk__in=ids)[:2])
    return found[0] if len(found) == 1 else None


def account_for_target(target: str) -> Customer | None:
    """The one customer with a live service at this IP or domain (what an
    abuse report points at), or None."""
    value = target.strip()
    try:
        ip = str(ipaddress.ip_address(value))
        services = Service.objects.filter(server_ip=ip)
    except ValueError:
        host = (urlsplit(value if "://" in value else f"http://{value}").hostname or "").lower()
        host = host.removeprefix("www.")
        if not host:
            return None
        services = Service.objects.filter(domain__iexact=host)
    ids = set(services.exclude(status=Service.Status.CANCELLED).values_list("customer_id", flat=True)[:10])
    return Customer.objects.filter(pk=ids.pop()).first() if len(ids) == 1 else None


@transaction.atomic
def contact_cannot_login(*, name: str, identifier: str, description: str,
                         ip: str | None) -> ContactRequest:
    # Whoever typed the identifier proved nothing: the ticket waits in the
    # account's unverified holder until the customer or the PIN proves it.
    customer = account_for_identifier(identifier)
    holder = unverified_holder(customer)
    body = _("Nombre: %(name)s\nCorreo o dominio de la cuenta: %(identifier)s\n\n%(description)s") % {
        "name": name, "identifier": identifier, "description": description}
    ticket = tickets.ticket_create(
        customer=holder, subject=_("No puedo iniciar sesión: %(name)s") % {"name": name},
        body=body, department=_department(IDENTITY_DEPARTMENT), channel=Channel.PORTAL,
    )
    return ContactRequest.objects.create(
        kind=ContactRequest.Kind.CANNOT_LOGIN, name=name, identifier=identifier[:253],
        matched_customer=customer, ticket=ticket, ip=ip)


@transaction.atomic
def contact_presales(*, name: str, email: str, company: str, body: str,
                     ip: str | None) -> ContactRequest:
    customer = customer_for_stranger(email, name)
    text = _("Nombre: %(name)s\nEmpresa o proyecto: %(company)s\nCorreo: %(email)s\n\n%(body)s") % {
        "name": name, "company": company or "—", "email": email, "body": body}
    department = _department("ventas")
    category = Category.objects.filter(department=department, name="Nueva cuenta").first()
    ticket = tickets.ticket_create(
        customer=customer, subject=_("Consulta de ventas: %(name)s") % {"name": name}, body=text,
        department=department, category=category, channel=Channel.PORTAL,
    )
    return ContactRequest.objects.create(kind=ContactRequest.Kind.PRESALES, name=name, email=email,
                                         ticket=ticket, ip=ip)


@transaction.atomic
def contact_abuse(*, name: str, email: str, abuse_type: str, target: str, evidence: str,
                  files: Sequence = (), ip: str | None) -> ContactRequest:
    customer = customer_for_stranger(email, name or email)
    label = ContactRequest.AbuseType(abuse_type).label
    text = _("Tipo: %(type)s\nURL o IP: %(target)s\nInforma: %(name)s <%(email)s>\n\n%(evidence)s") % {
        "type": label, "target": target, "name": name or "—", "email": email, "evidence": evidence}
    department = _department("abuso")
    category = Category.objects.filter(department=department, name="Reporte de abuso").first()
    ticket = tickets.ticket_create(
        customer=customer, subject=_("Reporte de abuso (%(type)s): %(target)s")
        % {"type": label, "target": target[:120]},
        body=text, department=department, category=category, channel=Channel.PORTAL, files=files,
    )
    if category is not None:
        _abuse_field_values(ticket, category, target=target, evidence=evidence)
    return ContactRequest.objects.create(
        kind=ContactRequest.Kind.ABUSE, name=name, email=email, abuse_type=abuse_type,
        target=target[:500], ticket=ticket, ip=ip, matched_customer=account_for_target(target))


def _abuse_category() -> Category | None:
    return Category.objects.filter(department__slug="abuso", name="Reporte de abuso",
                                   is_active=True).first()


def abuse_guidance() -> str:
    """What the "Reporte de abuso" category asks people to include."""
    from ventanilla.fields.selectors import category_guidance

    category = _abuse_category()
    return category_guidance(category) if category is not None else ""


def _abuse_field_values(ticket: Ticket, category: Category, *, target: str, evidence: str):
    """The report's answers as the "Reporte de abuso" category's field
    values (docs/fields.md), so agents see, search and export them as for a
    portal ticket: the reported URL or IP into the category's URL or IP
    field, the evidence into its first long-text field. An answer the
    field's validation refuses stays in the ticket's text only."""
    from ventanilla.fields.forms import FieldsForm, category_fields_form
    from ventanilla.fields.models import FieldType
    from ventanilla.fields.services import ticket_values_save

    is_ip = _is_ip(target)
    answers, specs, used = {}, [], set()
    template = category_fields_form(category, customer=None)
    for name, spec in template.specs.items():
        if spec.type == FieldType.IP and is_ip and "ip" not in used:
            answer, key = target, "ip"
        elif spec.type == FieldType.URL and not is_ip and "url" not in used:
            answer, key = target, "url"
        elif spec.type == FieldType.LONG_TEXT and "evidence" not in used:
            answer, key = evidence, "evidence"
        else:
            continue
        used.add(key)
        specs.append(spec)
        answers[template.add_prefix(name)] = answer
    form = FieldsForm(specs, data=answers, category=category)
    if not form.is_valid():
        specs = [spec for name, spec in form.specs.items() if name not in form.errors]
        form = FieldsForm(specs, data=answers, category=category)
    if specs and form.is_valid():
        ticket_values_save(ticket, form)


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.strip())
    except ValueError:
        return False
    return True


def abuse_notice_send(customer: Customer, *, agent, ticket: Ticket, title: str, body: str) -> None:
    """Tell a customer about an abuse or security problem with their service
    (an abuse and security notice: in the client area and by email to their
    Abusos addresses); noted internally in the report's ticket."""
    with transaction.atomic():
        notifications.notify([customer.pk], kind=NoticeKind.ABUSE, text=lambda: (title, body))
        if not ticket.is_closed:
            tickets.ticket_agent_reply(
                ticket, agent=agent, internal=True,
                body=_("Aviso de abuso y seguridad enviado a %(customer)s: %(title)s")
                % {"customer": customer, "title": title})


# --- Support PIN ------------------------------------------------------------------

def pin_for(customer: Customer) -> SupportPin:
    pin, _created = SupportPin.objects.get_or_create(customer=customer)
    return pin


@transaction.atomic
def pin_rotate(customer: Customer) -> SupportPin:
    pin = pin_for(customer)
    pin = SupportPin.objects.select_for_update().get(pk=pin.pk)
    old = pin.pin
    while pin.pin == old:
        pin.pin = SupportPin._meta.get_field("pin").default()
    pin.rotated_at = timezone.now()
    pin.save(update_fields=["pin", "rotated_at"])
    return pin


def pin_locked_until(customer: Customer, *, now: datetime | None = None) -> datetime | None:
    """PIN_MAX_FAILURES wrong PINs in a row within PIN_LOCK lock checking
    until PIN_LOCK after the last of them."""
    now = now or timezone.now()
    recent = list(
        PinCheck.objects.filter(customer=customer, created_at__gt=now - 2 * PIN_LOCK)
        .exclude(result=PinCheck.Result.LOCKED).order_by("-created_at", "-id")
        .values_list("result", "created_at")[:PIN_MAX_FAILURES]
    )
    if len(recent) < PIN_MAX_FAILURES or any(r != PinCheck.Result.WRONG for r, _at in recent):
        return None
    last, first = recent[0][1], recent[-1][1]
    if last - first > PIN_LOCK or now >= last + PIN_LOCK:
        return None
    return last + PIN_LOCK


@transaction.atomic
def pin_check(customer: Customer, *, agent, pin: str, ticket: Ticket | None = None) -> PinCheck:
    """Check a PIN the customer told an agent; every check is logged (and
    noted internally in the ticket). `customer` may be a stranger's
    unverified holder: the PIN is then its possible account's, and a right
    PIN moves the ticket into that account's history."""
    customer = customer.account
    if customer is None:
        raise ValidationError(_("Esta solicitud no coincide con ninguna cuenta: no hay PIN que "
                                "verificar."))
    support_pin = pin_for(customer)
    support_pin = SupportPin.objects.select_for_update().get(pk=support_pin.pk)
    now = timezone.now()
    if pin_locked_until(customer, now=now):
        result = PinCheck.Result.LOCKED
    else:
        ok = hmac.compare_digest(support_pin.pin, (pin or "").strip())
        result = PinCheck.Result.OK if ok else PinCheck.Result.WRONG
    check = PinCheck.objects.create(customer=customer, agent=agent, ticket=ticket, result=result,
                                    created_at=now)
    if result == PinCheck.Result.OK and ticket is not None and ticket.customer.unverified \
            and ticket.customer.unverified_for_id == customer.pk:
        ticket = verification.ticket_verify(ticket, account=customer, how="pin", actor=agent)
    if ticket is not None and not ticket.is_closed:
        tickets.ticket_agent_reply(
            ticket, agent=agent, internal=True,
            body=_("Verificación del PIN de soporte: %(result)s.") % {"result": check.get_result_display()},
        )
    return check

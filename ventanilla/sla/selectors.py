"""Reads of the sla app: promises, the contact table, alerts, the ticket
sidebar. Reports are in reports.py."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from ventanilla.tickets.models import Channel, Priority, Ticket

from .models import AgentAlert, Calendar, Escalation, SlaPolicy
from .policies import policy_for

ALERT_BADGE_LIMIT = 99


def format_minutes(minutes: int | None) -> str:
    """10 → "10 minutos", 90 → "1 hora y 30 minutos", 2880 → "2 días"."""
    if not minutes:
        return ""
    days, rest = divmod(int(minutes), 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(ngettext("%(n)s día", "%(n)s días", days) % {"n": days})
    if hours:
        parts.append(ngettext("%(n)s hora", "%(n)s horas", hours) % {"n": hours})
    if mins:
        parts.append(ngettext("%(n)s minuto", "%(n)s minutos", mins) % {"n": mins})
    if len(parts) == 1:
        return parts[0]
    return _("%(first)s y %(last)s") % {"first": ", ".join(parts[:-1]), "last": parts[-1]}


def department_has_business_hours(department_id: int) -> bool:
    return Calendar.objects.filter(departments=department_id, hours__isnull=False).exists()


@dataclass(frozen=True)
class Promise:
    minutes: int
    text: str  # "10 minutos"
    business_hours: bool


def promise_for(*, channel: str, priority: str, department_id: int | None = None) -> Promise | None:
    """The first-response time promised to the customer: the policy's."""
    policy = policy_for(channel, priority)
    if policy is None:
        return None
    business = department_id is not None and department_has_business_hours(department_id)
    return Promise(policy.first_response_minutes, format_minutes(policy.first_response_minutes),
                   business)


def promise_for_ticket(ticket: Ticket) -> Promise | None:
    return promise_for(channel=ticket.channel, priority=ticket.priority,
                       department_id=ticket.department_id)


def promise_text(ticket: Ticket) -> str:
    """The promise as one phrase for the confirmation email."""
    promise = promise_for_ticket(ticket)
    if promise is None:
        return ""
    if promise.business_hours:
        return _("%(time)s en horario laboral") % {"time": promise.text}
    return promise.text


# --- The public contact table ---------------------------------------------

@dataclass(frozen=True)
class ContactMethod:
    method: str
    purpose: str
    response_time: str
    access: str
    url: str = ""
    detail: str = ""


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def _range_text(channel: str, policies) -> str:
    """"10 minutos (Alta: 5 minutos)" from the channel's policies."""
    regular = policy_for(channel, Priority.REGULAR, policies)
    high = policy_for(channel, Priority.HIGH, policies)
    if regular is None:
        return ""
    text = format_minutes(regular.first_response_minutes)
    if high is not None and high.first_response_minutes != regular.first_response_minutes:
        text = _("%(regular)s (prioridad Alta: %(high)s)") % {
            "regular": text, "high": format_minutes(high.first_response_minutes)}
    return text


def contact_methods() -> list[ContactMethod]:
    """The rows of the Contacto page, built from what is configured: the
    response times are the policies', the email address is the support
    mailbox's, and a channel appears only when it exists."""
    from ventanilla.mail.models import Mailbox

    policies = list(SlaPolicy.objects.all())
    rows = [ContactMethod(
        method=_("Ticket de soporte"),
        purpose=_("Solicitudes técnicas o de facturación"),
        response_time=_("Respuesta inicial en %(time)s") % {"time": _range_text(Channel.PORTAL, policies)},
        access=_("Área de cliente"),
        url=_url("portal:ticket_new"),
        detail=_("Elige el departamento y la prioridad: Alta para incidentes críticos, "
                 "como la indisponibilidad total del servicio."),
    )]
    chat_url = _url("chat:start")
    if chat_url:
        rows.append(ContactMethod(
            method=_("Chat en directo"), purpose=_("Consultas generales"),
            response_time=_("Atención en %(time)s") % {"time": _range_text(Channel.CHAT, policies)},
            access=_("Sitio web"), url=chat_url,
            detail=_("Las cuestiones complejas pueden pasar a un ticket de soporte."),
        ))
    mailbox = (Mailbox.objects.filter(is_active=True, department__slug="soporte").order_by("pk").first()
               or Mailbox.objects.filter(is_active=True).order_by("pk").first())
    if mailbox is not None:
        rows.append(ContactMethod(
            method=_("Correo electrónico"), purpose=_("Método de contacto alternativo"),
            response_time=_range_text(Channel.EMAIL, policies), access=mailbox.address,
            url=f"mailto:{mailbox.address}",
            detail=_("Escribe desde el correo registrado en tu cuenta para cuestiones de la cuenta."),
        ))
    status_url = _url("status:status_page")
    if status_url:
        rows.append(ContactMethod(
            method=_("Notificaciones"), purpose=_("Actualizaciones del servicio"),
            response_time=_("En tiempo real"), access=_("Área de cliente y correo electrónico"),
            url=status_url,
        ))
    return rows


# --- Console ---------------------------------------------------------------

def unread_alert_count(user) -> int:
    """Capped, without COUNT(*) over the agent's whole history."""
    ids = AgentAlert.objects.filter(user=user, read_at__isnull=True).values_list("pk", flat=True)
    return len(ids[: ALERT_BADGE_LIMIT + 1])


def agent_alerts(user, *, limit: int = 50) -> list[AgentAlert]:
    return list(
        AgentAlert.objects.filter(user=user)
        .select_related("escalation__ticket__department")
        .order_by("-created_at", "-id")[:limit]
    )


def ticket_escalations(ticket: Ticket) -> list[Escalation]:
    return list(ticket.escalations.order_by("created_at", "id"))


def ticket_policy(ticket: Ticket) -> SlaPolicy | None:
    return policy_for(ticket.channel, ticket.priority)

"""/api/v1/sla: the response-time policies, one ticket's timers and the
report figures of /consola/informes/, computed by ventanilla.sla itself
(timers.badge, reports.build_report) so the API and the console never
disagree. Tickets are looked up through the integration agent's access,
like /api/v1/tickets; reports are limited exactly as for that agent."""

from datetime import date, datetime
from typing import Literal

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.responses import Status

from ventanilla.sla import reports, timers
from ventanilla.sla.models import SlaPolicy
from ventanilla.sla.selectors import ticket_escalations
from ventanilla.tickets.access import tickets_for_agent
from ventanilla.tickets.models import Department

from .auth import acting_agent, require
from .errors import ERROR_CODES, ApiError, Problem, not_found

router = Router(tags=["sla"])


class PolicyOut(Schema):
    id: int
    channel: str
    priority: str
    first_response_minutes: int
    next_response_minutes: int | None
    resolution_minutes: int | None
    warning_percent: int
    breach_action: str


class TimerOut(Schema):
    timer: Literal["primera_respuesta", "siguiente_respuesta", "resolucion"]
    due_at: datetime | None
    done_at: datetime | None = Field(None, description="Cuándo se cumplió (respuesta o resolución).")
    state: Literal["en_plazo", "cumplido", "incumplido", "en_pausa", "sin_objetivo"]


class EscalationOut(Schema):
    timer: str
    level: str
    due_at: datetime
    created_at: datetime


class TicketSlaOut(Schema):
    number: str
    badge: str = Field(..., description="en_plazo, por_vencer, vencido, en_pausa o vacío.")
    paused: bool
    paused_at: datetime | None
    policy: PolicyOut | None
    timers: list[TimerOut]
    escalations: list[EscalationOut]


class ReportFilters(Schema):
    start: date
    end: date = Field(..., description=f"Incluido. Como máximo {reports.MAX_DAYS} días.")
    department: str | None = Field(None, max_length=50, description="Identificador (slug).")
    channel: str = Field("", max_length=10)
    priority: str = Field("", max_length=10)
    group_by: Literal["departamento", "agente", "canal", "prioridad"] = "departamento"


class FiguresOut(Schema):
    key: str
    label: str
    volume: int
    first_response_p50_minutes: float | None
    first_response_p90_minutes: float | None
    compliance_percent: float | None
    met: int
    missed: int
    resolution_median_hours: float | None
    reopen_rate_percent: float | None
    csat_average: float | None
    csat_satisfied_percent: float | None


class ReportOut(Schema):
    start: date
    end: date
    group_by: str
    total: FiguresOut
    groups: list[FiguresOut]


def _policy_row(policy: SlaPolicy) -> dict:
    return {name: getattr(policy, name) for name in PolicyOut.model_fields}


def _timer_state(due, done, paused_at, now) -> str:
    if due is None:
        return "sin_objetivo"
    if done is not None:
        return "cumplido" if done <= due else "incumplido"
    reference = paused_at or now
    if due <= reference:
        return "incumplido"
    return "en_pausa" if paused_at else "en_plazo"


def _figures(group: reports.GroupFigures) -> dict:
    return {
        "key": group.key, "label": str(group.label), "volume": group.volume,
        "first_response_p50_minutes": group.first_response_p50,
        "first_response_p90_minutes": group.first_response_p90,
        "compliance_percent": group.compliance, "met": group.met, "missed": group.missed,
        "resolution_median_hours": group.resolution_median_hours,
        "reopen_rate_percent": group.reopen_rate, "csat_average": group.csat_average,
        "csat_satisfied_percent": group.csat_satisfied,
    }


@router.get("/policies", response={200: list[PolicyOut], ERROR_CODES: Problem},
            summary="Políticas de tiempos de respuesta")
def policy_list(request):
    require(request, "sla", "read")
    return Status(200, [_policy_row(p) for p in SlaPolicy.objects.order_by("channel", "priority")])


@router.get("/tickets/{number}", response={200: TicketSlaOut, ERROR_CODES: Problem},
            summary="Plazos de un ticket")
def ticket_sla(request, number: str):
    """Needs `sla:read`; the ticket must be visible to the integration's agent."""
    require(request, "sla", "read")
    ticket = tickets_for_agent(acting_agent(request)).filter(number=number).first()
    if ticket is None:
        raise not_found()
    now = timezone.now()
    paused_at = ticket.sla_paused_at
    next_due = ticket.next_response_due_at
    rows = [
        ("primera_respuesta", ticket.first_response_due_at, ticket.first_response_at),
        ("siguiente_respuesta", next_due, None),
        ("resolucion", ticket.resolution_due_at, ticket.resolved_at),
    ]
    policy = SlaPolicy.objects.filter(channel=ticket.channel, priority=ticket.priority).first()
    return Status(200, {
        "number": ticket.number, "badge": timers.badge(ticket, now),
        "paused": paused_at is not None, "paused_at": paused_at,
        "policy": _policy_row(policy) if policy else None,
        "timers": [{"timer": name, "due_at": due, "done_at": done,
                    "state": _timer_state(due, done, paused_at, now)} for name, due, done in rows],
        "escalations": [{"timer": e.timer, "level": e.level, "due_at": e.due_at,
                         "created_at": e.created_at} for e in ticket_escalations(ticket)],
    })


@router.get("/report", response={200: ReportOut, ERROR_CODES: Problem},
            summary="Cifras del informe de tiempos de respuesta")
def report(request, filters: Query[ReportFilters]):
    """The figures of /consola/informes/ for the integration's agent: an agent
    sees only their own tickets, a supervisor everyone's."""
    require(request, "sla", "read")
    agent = acting_agent(request)
    errors = []
    if filters.end < filters.start:
        errors.append({"field": "end", "code": "invalid_range",
                       "message": _("La fecha final no puede ser anterior a la inicial.")})
    elif (filters.end - filters.start).days >= reports.MAX_DAYS:
        errors.append({"field": "end", "code": "range_too_long",
                       "message": _("Elige un periodo de como máximo %(days)s días.") % {"days": reports.MAX_DAYS}})
    department_id = None
    if filters.department:
        department = Department.objects.filter(slug=filters.department).first()
        if department is None:
            errors.append({"field": "department", "code": "unknown_department",
                           "message": _("Departamento desconocido.")})
        else:
            department_id = department.pk
    if errors:
        raise ApiError(422, "invalid_filter", _("Revisa los filtros del informe."), errors)
    report_filter = reports.effective_filter(agent, reports.ReportFilter(
        start=filters.start, end=filters.end, department_id=department_id,
        channel=filters.channel, priority=filters.priority, group_by=filters.group_by))
    result = reports.build_report(report_filter)
    return Status(200, {"start": filters.start, "end": filters.end, "group_by": filters.group_by,
                        "total": _figures(result.total),
                        "groups": [_figures(g) for g in result.groups]})

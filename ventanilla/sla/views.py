"""Pages of the sla app: the public Contacto page, the survey links, the
agents' alerts and the reports."""

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from ventanilla.core import ratelimit, spreadsheet
from ventanilla.tickets.access import sees_all_departments
from ventanilla.tickets.console_views import console_required
from ventanilla.tickets.models import Ticket
from ventanilla.tickets.selectors import console_departments

from . import charts, reports, selectors, services
from .forms import ReportForm, SurveyForm
from .models import SatisfactionRating
from .survey import ticket_id_from_token

SURVEY_RATE = "30/h"


def contact(request):
    return render(request, "sla/contact.html", {"methods": selectors.contact_methods()})


def survey(request, token: str, score: int):
    """The survey link of the Resuelto email. GET only shows the page, with
    the score of the link preselected: the link scanners of mail filters
    open every link, and a GET must not record a score nobody gave. The
    person confirms it (one click, no login; the signed token says which
    ticket), with an optional comment, and only that POST records it."""
    ticket_id = ticket_id_from_token(token)
    ticket = Ticket.objects.filter(pk=ticket_id).select_related("department", "assignee").first() \
        if ticket_id else None
    if ticket is None or not 1 <= score <= 5:
        raise Http404
    subject_key = f"ticket:{ticket.pk}"
    previous = SatisfactionRating.objects.filter(
        source=SatisfactionRating.Source.SURVEY, subject_key=subject_key).first()
    if request.method == "POST":
        form = SurveyForm(request.POST)
        if form.is_valid():
            if ratelimit.consume("sla_survey", request.META.get("REMOTE_ADDR", ""),
                                 SURVEY_RATE) is None:
                return render(request, "sla/survey_thanks.html", {"limited": True}, status=429)
            rating = services.satisfaction_record(
                source=SatisfactionRating.Source.SURVEY, subject_key=subject_key,
                score=form.cleaned_data["puntuacion"], ticket=ticket,
                comment=form.cleaned_data["comentario"])
            return render(request, "sla/survey_thanks.html", {
                "ticket": ticket, "rating": rating, "token": token})
    else:
        form = SurveyForm(initial={"puntuacion": score,
                                   "comentario": previous.comment if previous else ""})
    return render(request, "sla/survey.html", {
        "ticket": ticket, "form": form, "previous": previous, "token": token, "score": score,
    })


@console_required
def alerts(request):
    return render(request, "sla/alerts.html", {"alerts": selectors.agent_alerts(request.user)})


@console_required
@require_POST
def alerts_read(request):
    count = services.alerts_mark_read(request.user)
    if count:
        messages.success(request, _("Alertas marcadas como leídas."))
    return redirect("sla:alerts")


CSV_TABLES = {"grupos", "pendientes", "volumen", "csat"}


@console_required
def reports_page(request):
    user = request.user
    may_choose_agent = sees_all_departments(user)
    agents = list(_report_agents()) if may_choose_agent else []
    form = ReportForm(request.GET, agents=agents, may_choose_agent=may_choose_agent)
    if not may_choose_agent:
        form.fields["departamento"].queryset = form.fields["departamento"].queryset.filter(
            pk__in=[d.pk for d in console_departments(user)])
    report = None
    if form.is_valid():
        report = reports.build_report(reports.effective_filter(user, form.report_filter()))
        table = request.GET.get("exportar")
        if table in CSV_TABLES:
            return _csv(report, table)
    context = {"form": form, "report": report, "own_only": not may_choose_agent}
    if report is not None:
        context.update(
            group_label=reports.GROUPINGS[report.filter.group_by],
            backlog_chart=charts.line_chart(
                [(d.strftime("%d/%m"), n) for d, n in report.backlog], title=_("Tickets pendientes de resolver por día")),
            volume_chart=charts.bar_chart(
                [(d.strftime("%d/%m"), n) for d, n in report.volume_by_day], title=_("Tickets creados por día")),
            csat_chart=charts.bar_chart(
                [(str(s), n) for s, n in report.score_counts], title=_("Valoraciones por puntuación")),
        )
    return render(request, "sla/reports.html", context)


def _report_agents():
    from ventanilla.accounts.models import User

    return User.objects.filter(agent__isnull=False).order_by("full_name", "email")


def _csv(report: reports.Report, table: str) -> HttpResponse:
    f = report.filter
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="informe-{table}-{f.start:%Y%m%d}-{f.end:%Y%m%d}.csv"')
    writer = spreadsheet.writer(response)
    if table == "grupos":
        writer.writerow([str(reports.GROUPINGS[f.group_by]), _("Tickets"),
                         _("Primera respuesta p50 (min)"), _("Primera respuesta p90 (min)"),
                         _("Cumplimiento primera respuesta (%)"),
                         _("Cumplimiento siguiente respuesta (%)"), _("Cumplimiento resolución (%)"),
                         _("Resolución mediana (h)"), _("Reaperturas (%)"),
                         _("Valoraciones"), _("CSAT medio"), _("Satisfechos (%)")])
        for g in [*report.groups, report.total]:
            writer.writerow([g.label, g.volume, _blank(g.first_response_p50),
                             _blank(g.first_response_p90), _blank(g.compliance),
                             _blank(g.next_response_compliance), _blank(g.resolution_compliance),
                             _blank(g.resolution_median_hours), _blank(g.reopen_rate),
                             len(g.scores), _blank(g.csat_average), _blank(g.csat_satisfied)])
    elif table == "pendientes":
        writer.writerow([_("Día"), _("Tickets pendientes de resolver")])
        writer.writerows((d.isoformat(), n) for d, n in report.backlog)
    elif table == "volumen":
        writer.writerow([_("Día"), _("Tickets creados")])
        writer.writerows((d.isoformat(), n) for d, n in report.volume_by_day)
    else:
        writer.writerow([_("Puntuación"), _("Valoraciones")])
        writer.writerows(report.score_counts)
    return response


def _blank(value):
    return "" if value is None else value

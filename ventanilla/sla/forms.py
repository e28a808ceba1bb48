from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ventanilla.tickets.models import Channel, Department, Priority

from .reports import GROUPINGS, MAX_DAYS, ReportFilter
from .services import SURVEY_COMMENT_MAX

SURVEY_SCORES = [(n, str(n)) for n in range(1, 6)]


class SurveyForm(forms.Form):
    """The survey page: the score chosen in the email, preselected, and an
    optional comment; only its POST records the rating."""

    puntuacion = forms.TypedChoiceField(
        label=_("Tu valoración (1 = muy mala, 5 = excelente)"), choices=SURVEY_SCORES, coerce=int,
        widget=forms.RadioSelect, error_messages={
            "required": _("Elige una puntuación del 1 al 5."),
            "invalid_choice": _("Elige una puntuación del 1 al 5."),
        })
    comentario = forms.CharField(
        label=_("Comentario (opcional)"), required=False, max_length=SURVEY_COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("¿Qué hicimos bien o qué podemos mejorar?"))


class ReportForm(forms.Form):
    desde = forms.DateField(label=_("Desde"), widget=forms.DateInput(attrs={"type": "date"}))
    hasta = forms.DateField(label=_("Hasta"), widget=forms.DateInput(attrs={"type": "date"}))
    departamento = forms.ModelChoiceField(Department.objects.all(), label=_("Departamento"),
                                          required=False, empty_label=_("Todos"))
    agente = forms.TypedChoiceField(label=_("Agente"), required=False, coerce=int, empty_value=None)
    canal = forms.ChoiceField(label=_("Canal"), required=False,
                              choices=[("", _("Todos")), *Channel.choices])
    prioridad = forms.ChoiceField(label=_("Prioridad"), required=False,
                                  choices=[("", _("Todas")), *Priority.choices])
    agrupar = forms.ChoiceField(label=_("Agrupar por"), choices=list(GROUPINGS.items()),
                                required=False)

    def __init__(self, data, *, agents, may_choose_agent: bool):
        today = timezone.localdate()
        data = data.copy()
        data.setdefault("desde", (today - timedelta(days=29)).isoformat())
        data.setdefault("hasta", today.isoformat())
        super().__init__(data)
        if may_choose_agent:
            self.fields["agente"].choices = [("", _("Todos")),
                                             *[(a.pk, a.get_full_name()) for a in agents]]
        else:
            del self.fields["agente"]

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("desde"), cleaned.get("hasta")
        if start and end:
            if end < start:
                self.add_error("hasta", _("La fecha final no puede ser anterior a la inicial."))
            elif (end - start).days >= MAX_DAYS:
                self.add_error("hasta", _("Elige un periodo de como máximo %(days)s días.")
                               % {"days": MAX_DAYS})
        return cleaned

    def report_filter(self) -> ReportFilter:
        data = self.cleaned_data
        department = data.get("departamento")
        return ReportFilter(
            start=data["desde"], end=data["hasta"],
            department_id=department.pk if department else None,
            agent_id=data.get("agente"), channel=data.get("canal") or "",
            priority=data.get("prioridad") or "", group_by=data.get("agrupar") or "departamento",
        )

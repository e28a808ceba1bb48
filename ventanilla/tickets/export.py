"""CSV export of what a console queue tab or search shows, with each
ticket's category fields (issue 10: values are included in exports)."""

from collections import defaultdict

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.core.spreadsheet import safe_cell  # noqa: F401 (re-exported for callers)
from ventanilla.core.spreadsheet import writer as csv_writer
from ventanilla.fields.models import TicketFieldValue

from .selectors import console_ticket_page

# An export is a working list, not a backup: bounded like every console page.
MAX_ROWS = 5000
BATCH = 500
def _when(value) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def header() -> list[str]:
    return [_("Número"), _("Asunto"), _("Estado"), _("Prioridad"), _("Departamento"),
            _("Categoría"), _("Cliente"), _("Correo del cliente"), _("Asignado a"), _("Canal"),
            _("Creado"), _("Actualizado"), _("Campos")]


def _fields_text(values: list[TicketFieldValue]) -> str:
    return "; ".join(f"{value.label}: {value.text}" for value in values if value.text)


def rows(tickets: QuerySet, ordering, *, max_rows: int | None = None):
    """The export's rows in the console's order, two queries per BATCH
    tickets (the page and its field values); MAX_ROWS at most."""
    max_rows = MAX_ROWS if max_rows is None else max_rows
    cursor, written = None, 0
    while written < max_rows:
        page = console_ticket_page(tickets, ordering, cursor=cursor,
                                   page_size=min(BATCH, max_rows - written))
        values = defaultdict(list)
        for value in (TicketFieldValue.objects.filter(ticket__in=[t.pk for t in page.rows])
                      .order_by("ticket_id", "position", "id")):
            values[value.ticket_id].append(value)
        for ticket in page.rows:
            yield [
                ticket.number, ticket.subject, ticket.get_status_display(),
                ticket.get_priority_display(), ticket.department.name,
                str(ticket.category) if ticket.category else "",
                ticket.customer.name, ticket.customer.email,
                ticket.assignee.full_name or ticket.assignee.email if ticket.assignee else "",
                ticket.get_channel_display(), _when(ticket.created_at), _when(ticket.updated_at),
                _fields_text(values[ticket.pk]),
            ]
        written += len(page.rows)
        if page.next_cursor is None:
            return
        cursor = page.next_cursor


def write_csv(out, tickets: QuerySet, ordering, *, max_rows: int | None = None) -> None:
    writer = csv_writer(out)
    writer.writerow(header())
    writer.writerows(rows(tickets, ordering, max_rows=max_rows))

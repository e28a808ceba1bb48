"""The customer's ticket allowance: tickets one customer may open per window
(VENTANILLA_TICKET_CREATE_RATE, 20/h by default), one count shared by the
portal's «Abrir ticket» and the chat's «dejar la consulta como ticket».

What counts: tickets actually created. The use is taken, atomically, before
the ticket is created (ventanilla.core.ratelimit.consume) and given back
when the creation fails (an invalid form, a service error, a repeated
submission); a refused attempt never counts."""

from django.conf import settings

from ventanilla.core import ratelimit

ACTION = "ticket-create"


def ticket_create_consume(customer) -> ratelimit.Usage | None:
    """One ticket of `customer`'s allowance, or None when it is used up."""
    return ratelimit.consume(ACTION, str(customer.pk), settings.VENTANILLA["TICKET_CREATE_RATE"])

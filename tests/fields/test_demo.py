"""The fields demo sits on the core demo's tickets and runs twice harmlessly."""

import io

from django.core.management import call_command

from ventanilla.fields import demo
from ventanilla.fields.models import ConsentAnswer, ConsentRequest, TicketFieldValue
from ventanilla.tickets.models import Ticket


def test_the_demo_adds_values_and_consent_to_the_demo_customers_tickets():
    call_command("demo", stdout=io.StringIO())
    tickets = Ticket.objects.count()
    values = set(TicketFieldValue.objects.values_list("label", "text"))
    assert ("Importe", "1899.00 MXN") in values and ("Dominio", "clientedemo.mx") in values
    assert ConsentRequest.objects.count() == 2 and ConsentAnswer.objects.count() == 1
    assert ConsentAnswer.objects.get().text == demo.AUTHORIZED
    demo.seed_demo(io.StringIO())
    assert TicketFieldValue.objects.count() == len(values)
    assert ConsentRequest.objects.count() == 2 and Ticket.objects.count() == tickets

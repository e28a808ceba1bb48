from django.core.management import call_command

from ventanilla.accounts.models import Customer
from ventanilla.tickets.models import Department, Message, Status, Ticket
from ventanilla.tickets.services import ticket_create


def test_seed_scale_generates_tickets_of_every_status_with_two_to_six_messages():
    call_command("seed_scale", tickets=2000, seed=7, quiet=True)
    assert Ticket.objects.count() == 2000
    assert set(Ticket.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(Ticket.objects.values_list("channel", flat=True)) >= {"portal", "email", "chat"}
    assert Ticket.objects.values("department").distinct().count() == Department.objects.count()
    per_ticket = Message.objects.filter(ticket=Ticket.objects.first()).count()
    assert 1 <= per_ticket <= 6
    assert 2000 * 2 <= Message.objects.count() + Ticket.objects.filter(status="abierto").count() <= 2000 * 6
    assert Ticket.objects.values("number").distinct().count() == 2000


def test_the_app_keeps_working_on_top_of_generated_rows():
    call_command("seed_scale", tickets=300, seed=1, quiet=True)
    customer = Customer.objects.first()
    ticket = ticket_create(customer=customer, subject="Nuevo", body="Texto",
                           department=Department.objects.get(slug="soporte"))
    assert ticket.pk > 300
    assert ticket.messages.get().pk > Message.objects.exclude(ticket=ticket).order_by("-pk")[0].pk


def test_generated_tickets_are_in_the_console_search_index():
    from ventanilla.accounts.models import User
    from ventanilla.tickets.selectors import console_search

    call_command("seed_scale", tickets=300, seed=3, quiet=True)
    root = User.objects.create_superuser(email="root@example.com", password="x")
    with_word = set(Message.objects.filter(body__icontains="propagación")
                    .values_list("ticket_id", flat=True))
    assert with_word
    assert set(console_search(root, "propagacion").values_list("pk", flat=True)) == with_word

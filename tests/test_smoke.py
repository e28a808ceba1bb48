from ventanilla.tickets.models import Department


def test_the_seed_migration_creates_the_departments():
    assert set(Department.objects.values_list("slug", flat=True)) == {
        "soporte", "facturacion", "ventas", "operaciones", "abuso", "verificacion"}


def test_a_customer_can_open_a_ticket(alice, make_ticket, mailoutbox,
                                      django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        ticket = make_ticket(alice)
    assert len(ticket.number) == 8
    assert ticket.messages.count() == 1
    assert mailoutbox[0].subject.startswith(f"[#{ticket.number}]")
    assert mailoutbox[0].to == ["alice@example.com"]

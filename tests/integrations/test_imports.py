import base64
import json

import pytest
from django.core.management import CommandError, call_command

from ventanilla.accounts.models import Customer, Service
from ventanilla.integrations.models import ExternalRef
from ventanilla.tickets.models import Attachment, Message, Ticket

from .test_api import PNG

CUSTOMERS_CSV = """external_id,name,email,company,phone,time_zone,language
W-1,Ana Ruiz,ana@example.com,Ana SA,+52 55 1234,America/Mexico_City,es
W-2,Beto Paz,no-es-un-correo,,,,
W-3,Caro Díaz,caro@example.com,,,Europe/Madrid,en
"""

SERVICES_JSONL = "\n".join(json.dumps(r) for r in [
    {"external_id": "S-1", "customer": "W-1", "type": "hosting_negocios",
     "name": "Hosting Negocios - ana.mx", "order_number": "#9001", "domain": "ana.mx",
     "server_ip": "192.0.2.1"},
    {"external_id": "S-2", "customer": "W-404", "type": "vps", "name": "VPS", "order_number": "1"},
]) + "\n"


def run(capsys, *args, errors=False):
    if errors:
        with pytest.raises(SystemExit) as exit_info:
            call_command("import", *args)
        assert exit_info.value.code == 1
    else:
        call_command("import", *args)
    return capsys.readouterr().out


@pytest.fixture
def files(tmp_path):
    (tmp_path / "clientes.csv").write_text(CUSTOMERS_CSV)
    (tmp_path / "servicios.jsonl").write_text(SERVICES_JSONL)
    (tmp_path / "adjuntos").mkdir()
    (tmp_path / "adjuntos" / "log.txt").write_text("postfix: connection refused\n")
    tickets = [
        {"external_id": "T-1", "customer": "W-1", "subject": "No sale el correo",
         "department": "soporte", "status": "cerrado", "service": "S-1",
         "created_at": "2024-03-01T10:00:00-06:00",
         "messages": [
             {"kind": "cliente", "author": "ana@example.com", "body": "No puedo enviar.",
              "created_at": "2024-03-01T10:00:00-06:00",
              "attachments": [{"name": "log.txt", "path": "adjuntos/log.txt"}]},
             {"kind": "respuesta", "author": "carla@example.com", "body": "Listo, revisa.",
              "created_at": "2024-03-01T11:30:00-06:00",
              "attachments": [{"name": "captura.png",
                               "content_base64": base64.b64encode(PNG).decode()}]},
         ]},
        {"external_id": "T-2", "customer": "W-1", "subject": "Adjunto falso", "department": "soporte",
         "messages": [{"body": "x", "created_at": "2024-03-02T10:00:00Z",
                       "attachments": [{"name": "virus.png", "content_base64": "TVqQAAMAAAAEAAAA"}]}]},
        "{esto no es json",
        {"external_id": "T-3", "customer": "W-3", "subject": "Pendiente", "department": "facturacion",
         "status": "pendiente", "priority": "alta",
         "messages": [{"body": "¿Y mi factura?", "created_at": "2024-03-03T10:00:00Z"}]},
    ]
    lines = [t if isinstance(t, str) else json.dumps(t) for t in tickets]
    (tmp_path / "tickets.jsonl").write_text("\n".join(lines) + "\n")
    return tmp_path


def test_customers_import_reports_bad_lines_and_reruns_without_duplicates(files, capsys, whmcs):
    out = run(capsys, "customers", str(files / "clientes.csv"), errors=True)
    assert "2 creados, 0 actualizados" in out and "1 con errores" in out
    assert "línea 3: email:" in out
    assert Customer.objects.count() == 2
    out = run(capsys, "customers", str(files / "clientes.csv"), errors=True)
    assert "0 creados, 2 actualizados" in out
    assert Customer.objects.count() == 2
    assert Customer.objects.get(email="caro@example.com").time_zone == "Europe/Madrid"


def test_a_dry_run_saves_nothing(files, capsys, whmcs):
    out = run(capsys, "customers", str(files / "clientes.csv"), "--dry-run", errors=True)
    assert out.startswith("Simulación") and "2 creados" in out
    assert not Customer.objects.exists() and not ExternalRef.objects.exists()


def test_services_import_links_known_customers(files, capsys, whmcs):
    run(capsys, "customers", str(files / "clientes.csv"), errors=True)
    out = run(capsys, "services", str(files / "servicios.jsonl"), errors=True)
    assert "1 creados" in out and "línea 2: customer:" in out
    service = Service.objects.get()
    assert (service.order_number, service.customer.email) == ("9001", "ana@example.com")


def test_tickets_import_keeps_history_and_skips_bad_lines(files, capsys, whmcs, carla, mailoutbox):
    run(capsys, "customers", str(files / "clientes.csv"), errors=True)
    run(capsys, "services", str(files / "servicios.jsonl"), errors=True)
    out = run(capsys, "tickets", str(files / "tickets.jsonl"), errors=True)
    assert "2 creados" in out and "2 con errores" in out
    assert "línea 2:" in out and "línea 3: JSON no válido" in out
    closed = Ticket.objects.get(subject="No sale el correo")
    assert closed.status == "cerrado" and closed.created_at.year == 2024
    assert closed.closed_at.isoformat() == "2024-03-01T17:30:00+00:00"
    messages = list(closed.messages.order_by("created_at"))
    assert [m.kind for m in messages] == ["cliente", "respuesta"]
    assert messages[1].author == carla
    assert sorted(Attachment.objects.values_list("content_type", flat=True)) == ["image/png", "text/plain"]
    # The bad line left nothing behind: no ticket, no message, no ref.
    assert not Ticket.objects.filter(subject="Adjunto falso").exists()
    assert Message.objects.count() == 3
    pending = Ticket.objects.get(subject="Pendiente")
    assert pending.awaiting_customer_since is not None and pending.priority == "alta"
    assert mailoutbox == []  # history, not news: nobody is notified
    out = run(capsys, "tickets", str(files / "tickets.jsonl"), errors=True)
    assert "0 creados" in out and "2 ya importados" in out
    assert Ticket.objects.count() == 2


def test_the_progress_bar_goes_to_stderr(files, capsys, whmcs):
    run(capsys, "customers", str(files / "clientes.csv"), errors=True)
    with pytest.raises(SystemExit):
        call_command("import", "customers", str(files / "clientes.csv"))
    assert "3/3" in capsys.readouterr().err


def test_a_missing_file_is_a_clear_error(tmp_path, whmcs):
    with pytest.raises(CommandError, match="No existe el archivo"):
        call_command("import", "customers", str(tmp_path / "nada.csv"))


def test_imported_tickets_are_found_by_the_console_search(files, capsys, whmcs, carla):
    from ventanilla.tickets.selectors import console_search

    run(capsys, "customers", str(files / "clientes.csv"), errors=True)
    run(capsys, "services", str(files / "servicios.jsonl"), errors=True)
    run(capsys, "tickets", str(files / "tickets.jsonl"), errors=True)
    found = console_search(carla, "enviar revisa")  # one word from each message
    assert [t.subject for t in found] == ["No sale el correo"]

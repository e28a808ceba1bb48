"""Imports from a billing system or an older help desk: customers and
services (CSV or JSON Lines) and tickets with their conversation (JSON Lines).

Each line is one record, imported in its own transaction: a bad line is
rolled back whole, reported with its number, and the import goes on.
Records are matched by their external id (ExternalRef), so running the same
file twice creates nothing new: customers and services are updated, tickets
already imported are skipped. See docs/import.md for the formats."""

import base64
import binascii
import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from ventanilla.accounts.models import User
from ventanilla.tickets.attachments import check_upload
from ventanilla.tickets.models import (
    Attachment,
    Channel,
    Department,
    Message,
    Priority,
    Status,
    TicketEvent,
)
from ventanilla.tickets.search import index_ticket
from ventanilla.tickets.services import _create_with_unique_number

from . import services
from .models import ExternalRef, Integration


class LineError(Exception):
    """A record that cannot be imported, with a message for the report."""


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    skipped: int = 0
    errors: list[tuple[int, str]] = field(default_factory=list)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.skipped + len(self.errors)


def read_records(path: Path, fmt: str = "") -> Iterator[tuple[int, dict | None, str]]:
    """(line number, record or None, error) for each record of a CSV file
    (with a header row) or a JSON Lines file; blank lines are skipped."""
    fmt = fmt or ("csv" if path.suffix.lower() == ".csv" else "jsonl")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        if fmt == "csv":
            reader = csv.DictReader(handle)
            for row in reader:
                yield reader.line_num, {k.strip(): (v or "").strip() for k, v in row.items() if k}, ""
            return
        for number, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as error:
                yield number, None, _("JSON no válido: %(error)s") % {"error": error.msg}
                continue
            if not isinstance(record, dict):
                yield number, None, _("Cada línea debe ser un objeto JSON.")
                continue
            yield number, record, ""


def _text(record: dict, name: str, *, required: bool = False) -> str:
    value = record.get(name)
    value = "" if value is None else str(value).strip()
    if required and not value:
        raise LineError(_("falta «%(field)s»") % {"field": name})
    return value


def _describe(error: Exception) -> str:
    if isinstance(error, ValidationError):
        if hasattr(error, "error_dict"):
            return "; ".join(f"{name}: {' '.join(e.messages)}" for name, errors in error.error_dict.items()
                             for e in errors)
        return " ".join(error.messages)
    return str(error)


def run_import(records, import_one: Callable[[dict], str], *, dry_run: bool,
               progress: Callable[[int], None] = lambda n: None) -> ImportReport:
    """Import record by record, each in its own transaction (rolled back on
    error, and always in a dry run). import_one returns "created", "updated"
    or "skipped"."""
    report = ImportReport()
    for count, (number, record, error) in enumerate(records, start=1):
        if record is None:
            report.errors.append((number, error))
        else:
            try:
                with transaction.atomic():
                    outcome = import_one(record)
                    if dry_run:
                        transaction.set_rollback(True)
                setattr(report, outcome, getattr(report, outcome) + 1)
            except (LineError, ValidationError, ValueError, KeyError, TypeError) as failure:
                report.errors.append((number, _describe(failure)))
        progress(count)
    return report


# --- Customers and services ------------------------------------------------

def import_customer(integration: Integration, record: dict) -> str:
    _customer, created = services.customer_upsert(
        integration, _text(record, "external_id", required=True),
        services.CustomerData(
            name=_text(record, "name"), email=_text(record, "email"),
            company=_text(record, "company"), phone=_text(record, "phone"),
            time_zone=_text(record, "time_zone"), language=_text(record, "language"),
        ),
    )
    return "created" if created else "updated"


def import_service(integration: Integration, record: dict) -> str:
    _service, created = services.service_upsert(
        integration, _text(record, "external_id", required=True),
        services.ServiceData(
            customer_external_id=_text(record, "customer", required=True),
            type=_text(record, "type"), name=_text(record, "name"),
            order_number=_text(record, "order_number"), domain=_text(record, "domain"),
            server_ip=_text(record, "server_ip"),
            status=_text(record, "status") or "activo",
        ),
    )
    return "created" if created else "updated"


# --- Tickets ---------------------------------------------------------------

MESSAGE_KINDS = {Message.Kind.CUSTOMER, Message.Kind.REPLY, Message.Kind.NOTE, Message.Kind.SYSTEM}


def _when(value, name: str) -> datetime:
    moment = parse_datetime(str(value or ""))
    if moment is None:
        raise LineError(_("«%(field)s» no es una fecha ISO 8601") % {"field": name})
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


def _attachment_content(item: dict, base_dir: Path) -> bytes:
    if item.get("content_base64"):
        try:
            return base64.b64decode(item["content_base64"], validate=True)
        except (binascii.Error, ValueError):
            raise LineError(_("el adjunto «%(name)s» no está en base64 válido")
                            % {"name": item.get("name", "")}) from None
    if item.get("path"):
        path = (base_dir / item["path"]).resolve()
        if not path.is_file():
            raise LineError(_("no existe el archivo %(path)s") % {"path": item["path"]})
        return path.read_bytes()
    raise LineError(_("cada adjunto necesita «path» o «content_base64»"))


def _author(email: str, cache: dict) -> User | None:
    if not email:
        return None
    if email not in cache:
        cache[email] = User.objects.filter(email__lower=email.lower()).first()
    return cache[email]


def import_ticket(integration: Integration, record: dict, *, base_dir: Path,
                  authors: dict | None = None, store_files: bool = True) -> str:
    """One ticket with its whole conversation, as it was: original
    timestamps and status, no notifications and no webhooks (history, not news)."""
    authors = {} if authors is None else authors
    external_id = _text(record, "external_id", required=True)
    if services.ref_object_id(integration, ExternalRef.Kind.TICKET, external_id):
        return "skipped"
    customer = services.customer_by_external_id(integration, _text(record, "customer", required=True))
    if customer is None:
        raise LineError(_("no hay ningún cliente con el id «%(value)s»") % {"value": record["customer"]})
    department = Department.objects.filter(slug=_text(record, "department", required=True)).first()
    if department is None:
        raise LineError(_("no hay ningún departamento «%(value)s»") % {"value": record["department"]})
    status = _text(record, "status") or Status.CLOSED
    priority = _text(record, "priority") or Priority.REGULAR
    if status not in Status.values:
        raise LineError(_("estado desconocido «%(value)s»") % {"value": status})
    if priority not in Priority.values:
        raise LineError(_("prioridad desconocida «%(value)s»") % {"value": priority})
    service = None
    if _text(record, "service"):
        service = services.service_by_external_id(integration, _text(record, "service"))
        if service is None or service.customer_id != customer.pk:
            raise LineError(_("el servicio «%(value)s» no es de este cliente") % {"value": record["service"]})
    messages = record.get("messages") or []
    if not isinstance(messages, list) or not messages:
        raise LineError(_("un ticket necesita al menos un mensaje"))
    parsed = []
    for index, item in enumerate(messages, start=1):
        kind = str(item.get("kind") or Message.Kind.CUSTOMER)
        if kind not in MESSAGE_KINDS:
            raise LineError(_("mensaje %(n)s: tipo desconocido «%(value)s»") % {"n": index, "value": kind})
        if not str(item.get("body") or "").strip():
            raise LineError(_("mensaje %(n)s: sin texto") % {"n": index})
        files = []
        for attachment in item.get("attachments") or []:
            name = str(attachment.get("name") or "")
            content = _attachment_content(attachment, base_dir)
            checked = check_upload(name, content[:8192], len(content))
            files.append((checked, content))
        parsed.append((kind, item, _when(item.get("created_at"), f"messages.{index}.created_at"), files))
    parsed.sort(key=lambda entry: entry[2])
    created_at = _when(record.get("created_at") or parsed[0][2].isoformat(), "created_at")
    last = parsed[-1][2]
    customer_times = [when for kind, _i, when, _f in parsed if kind == Message.Kind.CUSTOMER]
    agent_times = [when for kind, _i, when, _f in parsed if kind == Message.Kind.REPLY]
    now = timezone.now()
    ticket = _create_with_unique_number(dict(
        subject=_text(record, "subject", required=True)[:200], customer=customer,
        requester=customer.user, department=department, service=service, priority=priority,
        status=status, channel=_text(record, "channel") if _text(record, "channel") in Channel.values
        else Channel.EMAIL,
        created_at=created_at, updated_at=last, status_changed_at=last,
        last_customer_message_at=max(customer_times) if customer_times else None,
        last_agent_message_at=max(agent_times) if agent_times else None,
        # An imported ticket that waits for the customer gets the full
        # auto-close period from the import, not from its old last message.
        awaiting_customer_since=now if status in (Status.PENDING, Status.RESOLVED) else None,
        closed_at=last if status == Status.CLOSED else None,
        assignee=_author(_text(record, "assignee"), authors),
    ))
    for kind, item, when, files in parsed:
        message = Message.objects.create(
            ticket=ticket, kind=kind, author=_author(str(item.get("author") or ""), authors),
            body=str(item["body"]), created_at=when, channel=ticket.channel,
        )
        for checked, content in files:
            attachment = Attachment(message=message, original_name=checked.name[:255],
                                    content_type=checked.content_type, size=checked.size,
                                    created_at=when)
            if store_files:  # a dry run checks the files but writes none
                attachment.file.save(checked.name, ContentFile(content), save=False)
                attachment.save()
    TicketEvent.objects.create(ticket=ticket, kind=TicketEvent.Kind.CREATED, to_value=ticket.channel,
                               created_at=created_at)
    index_ticket(ticket.pk)  # the console's full-text search (tickets/search.py)
    services.ref_set(integration, ExternalRef.Kind.TICKET, external_id, ticket.pk)
    return "created"


def importer_for(kind: str, integration: Integration, base_dir: Path, *,
                 dry_run: bool = False) -> Callable[[dict], str]:
    if kind == "customers":
        return lambda record: import_customer(integration, record)
    if kind == "services":
        return lambda record: import_service(integration, record)
    authors: dict = {}
    return lambda record: import_ticket(integration, record, base_dir=base_dir, authors=authors,
                                        store_files=not dry_run)



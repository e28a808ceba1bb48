"""`ventanilla demo`: load the demo data of ventanilla/core/demo_data.py.

Idempotent: people, services and canned responses are looked up by email or
title, and a ticket is skipped when its customer already has one with the
same subject. Tickets are built through the ticket services, so the
conversation and the event log are the real thing, then moved back in time
with queryset updates. Never run it on a production database."""

import contextlib
import random
from datetime import timedelta

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.test import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.accounts.models import AgentProfile, Customer, Service, User
from ventanilla.core import demo_data as data
from ventanilla.core.models import SiteSettings
from ventanilla.tickets import services
from ventanilla.tickets.models import (
    Attachment,
    CannedResponse,
    Category,
    Department,
    Message,
    Priority,
    Status,
    Ticket,
    TicketEvent,
)
from ventanilla.tickets.status import Role

# Ticket fields that hold "when something happened": moved back in time.
TIME_FIELDS = [
    "created_at", "updated_at", "status_changed_at", "last_customer_message_at",
    "last_agent_message_at", "awaiting_customer_since", "close_warning_sent_at", "closed_at",
]


@contextlib.contextmanager
def emails_muted():
    """The demo's tickets are history: their notification emails must reach
    nobody. The jobs run in this process (not queued for the real consumer)
    and send to the dummy backend. Effective when the command's transaction
    is the outermost one, as it is from the command line: emails go out from
    on-commit callbacks."""
    from huey.contrib.djhuey import HUEY

    was_immediate = HUEY.immediate
    HUEY.immediate = True
    try:
        with override_settings(EMAIL_BACKEND="django.core.mail.backends.dummy.EmailBackend"):
            yield
    finally:
        HUEY.immediate = was_immediate


class Command(BaseCommand):
    help = _("Carga datos de demostración (idempotente). Nunca en producción.")

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true",
            help=_("No hace nada si ya existe algún ticket (lo usa «make run»)."),
        )

    def handle(self, *args, if_empty=False, **options):
        if if_empty and Ticket.objects.exists():
            self.stdout.write(_("Ya hay tickets: no se cargan los datos de demostración."))
            if User.objects.filter(email=data.DEMO_CUSTOMER_EMAIL).exists():
                self.print_logins()
            return
        with emails_muted(), transaction.atomic():
            created = DemoBuilder().build()
            seed_feature_demos(self.stdout)
        self.stdout.write(self.style.SUCCESS(
            _("Datos de demostración listos: %(tickets)s tickets nuevos.") % {"tickets": created}
        ))
        self.print_logins()

    def print_logins(self):
        rows = [(_("Correo"), _("Rol"), _("Contraseña"))]
        departments = dict(Department.objects.values_list("slug", "name"))
        for member in data.STAFF:
            if member.superuser:
                role = _("Administrador (también /admin/)")
            elif member.supervisor:
                role = _("Supervisor (todos los departamentos)")
            else:
                names = ", ".join(departments.get(slug, slug) for slug in member.departments)
                role = _("Agente de %(departments)s") % {"departments": names}
            rows.append((member.email, role, data.PASSWORD))
        rows.insert(1, (data.DEMO_CUSTOMER_EMAIL, _("Cliente (Cliente Demo)"), data.PASSWORD))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        line = "  ".join("-" * w for w in widths)
        self.stdout.write("")
        self.stdout.write(_("Accesos de la demostración:"))
        self.stdout.write(line)
        for i, row in enumerate(rows):
            self.stdout.write("  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)))
            if i == 0:
                self.stdout.write(line)
        self.stdout.write(line)
        self.stdout.write(
            _("Los otros %(count)s clientes de la demostración entran con su correo y la misma "
              "contraseña.") % {"count": len(data.CUSTOMERS) - 1}
        )


def seed_feature_demos(stdout):
    """Each feature app may ship `<app>/demo.py` with `seed_demo(stdout)`,
    run after the core demo (people, services, tickets) exists."""
    from importlib import import_module
    from importlib.util import find_spec

    from django.apps import apps

    for config in apps.get_app_configs():
        if config.name.startswith("ventanilla.") and find_spec(f"{config.name}.demo"):
            import_module(f"{config.name}.demo").seed_demo(stdout)


class DemoBuilder:
    def __init__(self):
        self.now = timezone.now()
        # Everything the services write during the build is at or after this
        # instant; what was already moved back in time is before it.
        self.build_start = self.now
        self.password = make_password(data.PASSWORD)  # hashed once: Argon2 is slow on purpose
        self.random = random.Random(2025)

    def build(self) -> int:
        self.departments = {d.slug: d for d in Department.objects.all()}
        missing = {s.department for s in data.SCENARIOS.values()} - set(self.departments)
        if missing:
            raise CommandError(
                _("Faltan departamentos de la instalación inicial: %(slugs)s")
                % {"slugs": ", ".join(sorted(missing))}
            )
        self.categories = self._categories()
        self._site_settings()
        self.staff = {member.email: self._staff_member(member) for member in data.STAFF}
        self.agents_by_department = {
            slug: [self.staff[m.email] for m in data.STAFF if slug in m.departments]
            for slug in self.departments
        }
        self.supervisor = self.staff[data.SUPERVISOR_EMAIL]
        self.customer_specs = {c.key: c for c in data.CUSTOMERS}
        self.customers = {c.key: self._customer(c, i) for i, c in enumerate(data.CUSTOMERS)}
        self._canned_responses()
        return sum(self._ticket(i, spec) for i, spec in enumerate(data.TICKETS))

    # --- settings, people and services -----------------------------------

    def _site_settings(self):
        site = SiteSettings.load()
        if site.agents_require_2fa:
            # The demo is the only place where agents may skip two-factor.
            site.agents_require_2fa = False
            site.save(update_fields=["agents_require_2fa"])

    def _user(self, email: str, name: str, **extra) -> User:
        user, created = User.objects.get_or_create(
            email=email, defaults={"full_name": name, "password": self.password, **extra}
        )
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

    def _staff_member(self, member: data.StaffMember) -> User:
        extra = {"is_staff": True, "is_superuser": True} if member.superuser else {}
        user = self._user(member.email, member.name, **extra)
        if member.superuser:
            return user
        profile, _created = AgentProfile.objects.get_or_create(
            user=user, defaults={
                "is_supervisor": member.supervisor,
                "signature": f"{member.name}\n{self._signature_team(member)}",
            },
        )
        profile.departments.add(*(self.departments[slug] for slug in member.departments))
        return user

    def _signature_team(self, member: data.StaffMember) -> str:
        if member.supervisor:
            return _("Supervisión de soporte")
        return " / ".join(self.departments[slug].name for slug in member.departments)

    def _customer(self, spec: data.DemoCustomer, index: int) -> Customer:
        user = self._user(spec.email, spec.name, time_zone=spec.time_zone)
        customer, _created = Customer.objects.get_or_create(
            email=spec.email, defaults={
                "user": user, "name": spec.name, "company": spec.company, "phone": spec.phone,
                "time_zone": spec.time_zone,
                "created_at": self.now - timedelta(days=90 + 37 * index),
            },
        )
        for service in spec.services:
            Service.objects.get_or_create(
                customer=customer, order_number=service.order, defaults={
                    "type": service.type, "name": service.name, "domain": service.domain,
                    "server_ip": service.ip or None,
                },
            )
        return customer

    def _canned_responses(self):
        for title, slug, body in data.CANNED_RESPONSES:
            CannedResponse.objects.get_or_create(
                title=title, department=self.departments[slug] if slug else None,
                defaults={"body": body},
            )

    def _categories(self) -> dict:
        """(department slug, (name, child name)) -> Category, from the seed tree."""
        found = {}
        for category in Category.objects.select_related("department", "parent"):
            path = (category.parent.name, category.name) if category.parent_id else (
                category.name,)
            found[(category.department.slug, path)] = category
        return found

    # --- tickets -----------------------------------------------------------

    def _ticket(self, index: int, spec: data.DemoTicket) -> int:
        scenario = data.SCENARIOS[spec.scenario]
        customer = self.customers[spec.customer]
        service = self._service_for(customer, scenario.services)
        spec_customer = self.customer_specs[spec.customer]
        first_name = spec_customer.greeting or spec_customer.name.split()[0]
        main = service or customer.services.order_by("pk").first()
        fill = {
            "first": first_name, "service": service.name if service else "",
            "domain": main.domain if main else "", "order": main.order_number if main else "",
            "ip": (main.server_ip if main else None) or "",
        }
        subject = scenario.subject.format_map(fill)
        if Ticket.objects.filter(customer=customer, subject=subject).exists():
            return 0
        steps = scenario.steps if spec.steps is None else scenario.steps[:spec.steps]
        times = self._timeline(spec, len(steps))
        agents = self.agents_by_department[scenario.department]
        agent = agents[index % len(agents)] if index % 3 == 2 else agents[0]
        department = self.departments[scenario.department]

        files = []
        if scenario.attachment:
            name, text = scenario.attachment
            files = [SimpleUploadedFile(name, text.format_map(fill).encode(), "text/plain")]
        incident = None
        if scenario.priority == Priority.HIGH:
            incident = services.IncidentDetails(
                server_ip=fill["ip"] or None, order_number=fill["order"],
                service_name=main.name if main else "",
                started_at=times[0] - timedelta(minutes=25 + index % 50),
                time_zone=customer.time_zone, diagnostics=scenario.diagnostics.format_map(fill),
            )
        ticket = services.ticket_create(
            customer=customer, requester=customer.user, subject=subject,
            body=scenario.body.format_map(fill), department=department,
            category=self.categories.get((scenario.department, scenario.category)),
            service=service, priority=scenario.priority, incident=incident, files=files,
        )
        self._move_back(ticket, times[0], with_attachments=bool(files))
        for (kind, text), at in zip(steps, times[1:], strict=True):
            self._play(ticket, kind, text.format_map(fill), agent)
            self._move_back(ticket, at)
        return 1

    def _service_for(self, customer: Customer, types: tuple[str, ...]) -> Service | None:
        owned = list(customer.services.order_by("pk"))
        for service_type in types:
            for service in owned:
                if service.type == service_type:
                    return service
        return None

    def _timeline(self, spec: data.DemoTicket, steps: int) -> list:
        """When the ticket was opened and when each step happened: from
        opened_days_ago to last_days_ago, a little irregular, in order."""
        opened = self.now - timedelta(days=spec.opened_days_ago)
        last = self.now - timedelta(days=spec.last_days_ago)
        if steps == 0:
            return [opened]
        span = (last - opened) / steps
        times = [opened]
        for i in range(1, steps + 1):
            jitter = span * self.random.uniform(-0.3, 0.3) if i < steps else timedelta(0)
            times.append(opened + span * i + jitter)
        return times

    def _play(self, ticket: Ticket, kind: str, text: str, agent: User) -> None:
        customer_user = ticket.customer.user
        if kind == data.CUSTOMER:
            services.ticket_customer_reply(ticket, author=customer_user, body=text)
        elif kind == data.REPLY:
            services.ticket_agent_reply(ticket, agent=agent, body=text)
        elif kind == data.REPLY_OPEN:
            services.ticket_agent_reply(ticket, agent=agent, body=text, status=Status.OPEN)
        elif kind == data.RESOLVE:
            services.ticket_agent_reply(ticket, agent=agent, body=text, status=Status.RESOLVED)
        elif kind == data.NOTE:
            services.ticket_agent_reply(ticket, agent=agent, body=text, internal=True)
        elif kind == data.ASSIGN:
            services.ticket_assign(ticket, actor=self.supervisor, assignee=agent)
        elif kind == data.CUSTOMER_CLOSES:
            services.ticket_status_set(ticket, actor=customer_user, role=Role.CUSTOMER,
                                       status=Status.CLOSED)
        elif kind == data.AGENT_CLOSES:
            services.ticket_status_set(ticket, actor=agent, role=Role.AGENT, status=Status.CLOSED)
        else:
            raise ValueError(f"unknown demo step {kind!r}")

    def _move_back(self, ticket: Ticket, at, *, with_attachments: bool = False) -> None:
        """Date what the last step wrote (everything stamped since the build
        began) at `at`."""
        values = Ticket.objects.filter(pk=ticket.pk).values(*TIME_FIELDS).get()
        moved = {f: at for f, value in values.items() if value and value >= self.build_start}
        if moved:
            Ticket.objects.filter(pk=ticket.pk).update(**moved)
        recent = {"created_at__gte": self.build_start}
        Message.objects.filter(ticket=ticket, **recent).update(created_at=at)
        TicketEvent.objects.filter(ticket=ticket, **recent).update(created_at=at)
        if with_attachments:
            Attachment.objects.filter(message__ticket=ticket, **recent).update(created_at=at)

"""Demo data of the status page: components with the demo services on them,
one resolved incident in the history and one scheduled maintenance (which
the demo customer sees in the client-area banner). Idempotent."""

from datetime import timedelta

from django.utils import timezone

from ventanilla.accounts.models import AgentProfile, Service
from ventanilla.tickets.models import Department, Status, Ticket

from . import services
from .models import Component, ComponentService, Incident, IncidentTicket

COMPONENTS = [
    # name, kind, description, which services run on it
    ("web1.hosting.mx", Component.Kind.SERVER, "Servidor de hosting compartido (cPanel)", "web1"),
    ("web2.hosting.mx", Component.Kind.SERVER, "Servidor de hosting compartido (cPanel)", "web2"),
    ("Clúster VPS Querétaro", Component.Kind.SERVER, "Nodos de los VPS y servidores dedicados", "vps"),
    ("DNS", Component.Kind.DNS, "Servidores de nombres ns1 y ns2", "domains"),
    ("Correo", Component.Kind.MAIL, "Envío y recepción (SMTP, IMAP, webmail)", "hosting"),
    ("Panel de control", Component.Kind.PANEL, "cPanel y WHM", "hosting"),
    ("Red", Component.Kind.NETWORK, "Conectividad del centro de datos", "hosting"),
]
HOSTING = [t for t in Service.Type.values if t.startswith("hosting_") or t == Service.Type.RESELLER]


def _services_for(group: str):
    hosting = list(Service.objects.filter(type__in=HOSTING).order_by("pk"))
    if group == "web1":
        return hosting[::2]
    if group == "web2":
        return hosting[1::2]
    if group == "hosting":
        return hosting
    if group == "vps":
        return Service.objects.filter(type__in=[Service.Type.VPS, Service.Type.DEDICATED])
    return Service.objects.filter(type=Service.Type.DOMAIN)


def seed_demo(stdout) -> None:
    if Component.objects.exists():
        return
    components = {}
    for position, (name, kind, description, group) in enumerate(COMPONENTS):
        component = Component.objects.create(name=name, kind=kind, description=description,
                                             position=position)
        ComponentService.objects.bulk_create(
            ComponentService(component=component, service=service) for service in _services_for(group))
        components[group if group != "hosting" else name] = component
    agent = AgentProfile.objects.filter(is_supervisor=True).select_related("user").first()
    author = agent.user if agent else None
    now = timezone.now()

    # A resolved incident, 12 days ago, with its timeline and a linked ticket.
    incident = services.incident_publish(
        author=author, kind=Incident.Kind.INCIDENT, title="Correo lento en web1",
        impact=Incident.Impact.DEGRADED, components=[components["web1"], components["Correo"]],
        body="Algunos correos tardan varios minutos en llegar. Estamos investigando.")
    services.incident_update(incident, author=author, status=Incident.Status.IDENTIFIED,
                             body="La cola de salida de web1 está saturada por una cuenta comprometida.")
    ticket = (Ticket.objects.filter(service__component_links__component=components["web1"])
              .exclude(status=Status.CLOSED).order_by("created_at").first())
    if ticket is not None:
        IncidentTicket.objects.create(incident=incident, ticket=ticket, linked_by=author)
    services.incident_update(incident, author=author, status=Incident.Status.RESOLVED,
                             body="Bloqueamos la cuenta y vaciamos la cola; el correo llega con normalidad.")
    started = now - timedelta(days=12, hours=3)
    ended = started + timedelta(hours=2, minutes=40)
    Incident.objects.filter(pk=incident.pk).update(created_at=started, started_at=started,
                                                   ended_at=ended, updated_at=ended)
    for offset, update in zip((0, 50, 160), incident.updates.order_by("created_at", "id"), strict=False):
        type(update).objects.filter(pk=update.pk).update(created_at=started + timedelta(minutes=offset))

    # A maintenance in three days, announced yesterday: the demo customer's
    # hosting is on web1.
    start = (now + timedelta(days=3)).replace(hour=2, minute=0, second=0, microsecond=0)
    maintenance = services.incident_publish(
        author=author, kind=Incident.Kind.MAINTENANCE, title="Actualización de discos en web1",
        impact=Incident.Impact.MAINTENANCE, components=[components["web1"]],
        body="Cambiaremos los discos de web1 por NVMe. Los sitios pueden no responder durante "
             "unos minutos dentro de la ventana.",
        scheduled_start=start, scheduled_end=start + timedelta(hours=2))
    announced = now - timedelta(days=1, hours=5)
    Incident.objects.filter(pk=maintenance.pk).update(created_at=announced, updated_at=announced)
    maintenance.updates.update(created_at=announced)
    # The abuse and security team also verifies identities; one request waits.
    identity = Department.objects.filter(slug=services.IDENTITY_DEPARTMENT).first()
    if identity is not None:
        for profile in AgentProfile.objects.filter(departments__slug="abuso"):
            profile.departments.add(identity)
        services.contact_cannot_login(
            name="Cliente Demo", identifier="clientedemo.mx", ip="192.0.2.200",
            description="Cambié de celular y perdí la verificación en dos pasos; no puedo entrar.")
    stdout.write(f"Estado del servicio: {len(COMPONENTS)} componentes, 1 incidente resuelto, "
                 "1 mantenimiento programado.")

"""Synthetic history at scale for benchmarks (`ventanilla seed-scale`).

Rows are generated as plain tuples and written with executemany (SQLite) or
COPY (PostgreSQL): building a million model instances would cost more than
the inserts themselves. Content is realistic Spanish hosting support text,
combined from fragments so that text search has real words to find."""

import random
import secrets
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import connection, transaction
from django.utils import timezone

from ventanilla.accounts.models import Customer, Service
from ventanilla.sla import timers as sla_timers
from ventanilla.sla.policies import targets_for
from ventanilla.tickets import search as ticket_search
from ventanilla.tickets.models import (
    NO_DUE,
    Category,
    Channel,
    Department,
    Message,
    Priority,
    Status,
    Ticket,
)

TOPICS = [
    ("Mi dominio {domain} no resuelve", "Cambié los DNS de {domain} hace dos días y todavía no apunta al hosting. ¿Pueden revisar la zona DNS?"),
    ("No me llegan los correos de {domain}", "Desde ayer no recibo correos en contacto@{domain}; los remitentes reciben un rebote 550."),
    ("Certificado SSL vencido en {domain}", "El navegador marca el sitio {domain} como no seguro; el certificado SSL venció y no se renovó solo."),
    ("WordPress muestra pantalla blanca", "Después de actualizar un plugin, {domain} muestra una pantalla en blanco y el panel de WordPress no abre."),
    ("Error 500 en mi sitio", "Al entrar a {domain} aparece un error 500 Internal Server Error desde esta mañana."),
    ("Base de datos MySQL llena", "phpMyAdmin indica que la base de datos de {domain} alcanzó el límite y la tienda dejó de guardar pedidos."),
    ("No puedo conectar por FTP", "FileZilla rechaza la conexión FTP al servidor de {domain}: tiempo de espera agotado."),
    ("Cargo duplicado en mi factura", "Me cobraron dos veces la renovación del plan de {domain}; adjunto el comprobante de pago."),
    ("Renovación del dominio {domain}", "Quiero renovar {domain} por dos años más y cambiar el método de pago."),
    ("Transferencia de dominio", "Necesito transferir {domain} desde otro registrador; ya tengo el código de autorización EPP."),
    ("Sitio comprometido con malware", "Google marca {domain} como peligroso y encontramos archivos PHP extraños en public_html."),
    ("Correos marcados como spam", "Los correos que enviamos desde {domain} llegan a la carpeta de spam de Gmail; ¿está bien el SPF y DKIM?"),
    ("Migración de mi sitio", "Quiero migrar {domain} desde otro proveedor a mi plan de hosting sin perder los correos."),
    ("Acceso a cPanel", "No puedo entrar a cPanel de {domain}; el sistema dice que la cuenta está suspendida."),
]
AGENT_REPLIES = [
    "Hola, gracias por escribirnos. Revisamos la zona DNS y los registros están correctos; la propagación puede tardar hasta 48 horas.",
    "Hola, encontramos que el buzón superó su cuota de almacenamiento. Liberamos espacio y los correos ya deberían llegar. ¿Puedes confirmarlo?",
    "Reinstalamos el certificado SSL y forzamos la renovación automática. Por favor verifica que el candado aparezca en tu navegador.",
    "Desactivamos el plugin que causaba el error desde la base de datos. Tu sitio vuelve a cargar; te recomendamos actualizarlo antes de reactivarlo.",
    "Aplicamos el reembolso del cargo duplicado; verás el abono en 5 a 10 días hábiles según tu banco.",
    "Necesitamos que nos confirmes el nombre de la base de datos y el usuario afectado para continuar con la revisión.",
    "Limpiamos los archivos infectados y cambiamos los permisos de las carpetas. Te sugerimos actualizar WordPress y sus plugins.",
]
CUSTOMER_REPLIES = [
    "Gracias, ya funciona correctamente.",
    "Sigue igual, el problema continúa. Adjunto captura de pantalla.",
    "¿Cuánto tiempo más tardará? Es urgente porque es el sitio de la empresa.",
    "Les confirmo el dato que pidieron: la base de datos es tienda_prod.",
    "Perfecto, muchas gracias por la ayuda tan rápida.",
]
NAMES = ["María", "José", "Lucía", "Carlos", "Ana", "Luis", "Sofía", "Miguel", "Valeria", "Jorge",
         "Daniela", "Andrés", "Fernanda", "Ricardo", "Paola", "Héctor", "Camila", "Raúl"]
SURNAMES = ["García", "Hernández", "López", "Martínez", "González", "Rodríguez", "Pérez",
            "Sánchez", "Ramírez", "Torres", "Flores", "Rivera", "Gómez", "Díaz", "Morales"]
TLDS = [".mx", ".com", ".com.mx", ".es", ".net", ".org", ".co"]
WORDS = ["tienda", "consultorio", "taller", "estudio", "café", "despacho", "clinica", "viajes",
         "hotel", "colegio", "abogados", "diseño", "panaderia", "ferreteria", "fotografia"]

# Status mix of a real history: 1 % open (waiting for an agent), a little
# waiting for the customer or just resolved, the rest closed long ago.
STATUS_WEIGHTS = [(Status.OPEN, 1), (Status.PENDING, 2), (Status.RESOLVED, 2), (Status.CLOSED, 95)]
CHANNEL_WEIGHTS = [(Channel.PORTAL, 60), (Channel.EMAIL, 30), (Channel.CHAT, 8), (Channel.API, 2)]


@dataclass
class Progress:
    total: int
    label: str
    out: Callable[[str], None] = sys.stderr.write
    started: float = 0.0

    def __post_init__(self):
        self.started = time.monotonic()

    def update(self, done: int) -> None:
        width = 30
        filled = int(width * done / max(self.total, 1))
        rate = done / max(time.monotonic() - self.started, 1e-6)
        self.out(f"\r{self.label} [{'#' * filled}{'.' * (width - filled)}] "
                 f"{done:>9,}/{self.total:,} ({rate:,.0f}/s)")
        if done >= self.total:
            self.out("\n")


def _weighted(rng: random.Random, pairs):
    values, weights = zip(*pairs, strict=True)
    return rng.choices(values, weights=weights)[0]


def _insert(table: str, columns: list[str], rows: list[tuple]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join(["%s"] * len(columns))
            cursor.executemany(f"INSERT INTO {table} ({', '.join(columns)}) VALUES ({marks})", rows)


def _next_id(model) -> int:
    last = model.objects.order_by("-pk").values_list("pk", flat=True).first()
    return (last or 0) + 1


def _fix_sequences(*models) -> None:
    """COPY with explicit ids leaves PostgreSQL's sequences behind."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for model in models:
            table = model._meta.db_table
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"COALESCE((SELECT MAX(id) FROM {table}), 1))"
            )


def make_customers(count: int, rng: random.Random, start: datetime) -> list[tuple[int, int, str]]:
    """Create customers with 1–3 services; returns (customer_id, service_id, domain)."""
    customer_id, service_id = _next_id(Customer), _next_id(Service)
    customers, services, owned = [], [], []
    service_types = [t for t, _ in Service.Type.choices]
    tag = secrets.token_hex(3)
    for i in range(count):
        name = f"{rng.choice(NAMES)} {rng.choice(SURNAMES)}"
        domain = f"{rng.choice(WORDS)}{i}{tag}{rng.choice(TLDS)}"
        email = f"cliente{i}.{tag}@{domain}"
        customers.append((customer_id, name, "", email, "", "America/Mexico_City", "",
                          start + timedelta(minutes=i), False))
        for _ in range(rng.randint(1, 3)):
            kind = rng.choice(service_types)
            ip = f"203.0.113.{rng.randint(1, 254)}" if kind in {"vps", "dedicado"} or kind.startswith("hosting") else None
            services.append((service_id, customer_id, kind, f"{kind.replace('_', ' ').title()} - {domain}",
                             domain, str(100000 + service_id), ip, "activo", ""))
            owned.append((customer_id, service_id, domain))
            service_id += 1
        customer_id += 1
    _insert(Customer._meta.db_table,
            ["id", "name", "company", "email", "phone", "time_zone", "external_id", "created_at",
             "unverified"],
            customers)
    _insert(Service._meta.db_table,
            ["id", "customer_id", "type", "name", "domain", "order_number", "server_ip", "status",
             "external_id"], services)
    return owned


def _incident(domain: str, created: datetime) -> tuple:
    return ("203.0.113.10", "", f"Hosting - {domain}", created - timedelta(minutes=30),
            "America/Mexico_City", "El sitio no responde; ping al servidor sin respuesta.")


SLA_COLUMNS = [
    "first_response_due_at", "first_response_at", "next_response_since", "next_response_due_at",
    "resolution_due_at", "resolved_at", "sla_paused_at", "due_at", "due_warning_at", "sla_check_at",
]


def _sla_values(targets: dict, status, channel, priority, created, last, first_agent,
                last_customer, last_agent, now) -> tuple:
    """The response-time fields as the timers would have left them, sweeps
    included: open tickets carry their due times, and the sweep's next check
    is only a threshold still to come."""
    key = (channel, priority)
    if key not in targets:
        targets[key] = targets_for(channel, priority)
    target = targets[key]
    first_due = created + timedelta(seconds=target.first_response)
    resolution_due = created + timedelta(seconds=target.resolution) if target.resolution else None
    if status == Status.CLOSED:
        return _db_values((first_due, first_agent, None, None, resolution_due, last, last, NO_DUE,
                           None, None))
    probe = Ticket(status=status, created_at=created, first_response_due_at=first_due,
                   first_response_at=first_agent, resolution_due_at=resolution_due,
                   resolved_at=last if status == Status.RESOLVED else None)
    if status == Status.OPEN and first_agent and target.next_response and last_customer:
        if not last_agent or last_customer > last_agent:
            probe.next_response_since = last_customer
            probe.next_response_due_at = last_customer + timedelta(seconds=target.next_response)
    if status != Status.OPEN:
        probe.sla_paused_at = last
    sla_timers.refresh(probe, target, None, after=now)
    return _db_values(tuple(getattr(probe, column) for column in SLA_COLUMNS))


def _db_values(values: tuple) -> tuple:
    """SQLite compares datetimes as text: store them as Django does, so that
    `due_at = NO_DUE` matches (PostgreSQL's COPY takes them as they are)."""
    if connection.vendor == "postgresql":
        return values
    adapt = connection.ops.adapt_datetimefield_value
    return tuple(adapt(v) if isinstance(v, datetime) else v for v in values)


def generate_tickets(total: int, *, batch: int = 10_000, seed: int | None = None,
                     progress: bool = True, now: datetime | None = None) -> int:
    """Insert `total` tickets (2–6 messages each) spread over two years."""
    rng = random.Random(seed)
    now = now or timezone.now()
    span = timedelta(days=730)
    departments = list(Department.objects.values_list("id", flat=True))
    categories: dict[int, list[int]] = {}
    for cat_id, dept_id in Category.objects.filter(is_active=True).values_list("id", "department_id"):
        categories.setdefault(dept_id, []).append(cat_id)
    owned = make_customers(max(total // 20, 10), rng, now - span)
    taken = set(Ticket.objects.values_list("number", flat=True))
    numbers = (n for n in (str(x) for x in rng.sample(range(10_000_000, 100_000_000), total + len(taken)))
               if n not in taken)
    ticket_id, message_id = _next_id(Ticket), _next_id(Message)
    bar = Progress(total, "tickets") if progress else None
    done = 0
    ticket_cols = [
        "id", "number", "subject", "customer_id", "requester_id", "department_id", "category_id",
        "service_id", "priority", "status", "channel", "assignee_id", "created_at", "updated_at",
        "status_changed_at", "last_customer_message_at", "last_agent_message_at",
        "awaiting_customer_since", "close_warning_sent_at", "closed_at", "merged_into_id",
        "follow_up_of_id", "incident_server_ip", "incident_order_number", "incident_service_name",
        "incident_started_at", "incident_time_zone", "incident_diagnostics",
        *SLA_COLUMNS,
    ]
    targets = {}  # (channel, priority) → the SLA policy's targets
    message_cols = ["id", "ticket_id", "kind", "author_id", "body", "created_at", "channel"]
    while done < total:
        size = min(batch, total - done)
        tickets, messages = [], []
        for _ in range(size):
            customer_id, service_id, domain = rng.choice(owned)
            department = rng.choice(departments)
            category = rng.choice(categories.get(department) or [None])
            status = _weighted(rng, STATUS_WEIGHTS)
            channel = _weighted(rng, CHANNEL_WEIGHTS)
            priority = Priority.HIGH if rng.random() < 0.08 else Priority.REGULAR
            subject, body = rng.choice(TOPICS)
            # Open tickets are recent; closed ones anywhere in the two years.
            age = timedelta(seconds=rng.randint(0, int(span.total_seconds())))
            if status != Status.CLOSED:
                age = timedelta(seconds=rng.randint(0, 5 * 86400))
            created = now - age
            n_messages = rng.randint(2, 6)
            if status == Status.OPEN and n_messages % 2 == 0:
                n_messages -= 1  # the customer wrote last
            t = created
            last_customer = last_agent = first_agent = None
            for i in range(n_messages):
                t = min(t + timedelta(minutes=rng.randint(5, 600)), now)
                from_customer = i % 2 == 0
                text = (body.format(domain=domain) if i == 0 else
                        rng.choice(CUSTOMER_REPLIES if from_customer else AGENT_REPLIES))
                messages.append((message_id, ticket_id, "cliente" if from_customer else "respuesta",
                                 None, text, t, channel))
                message_id += 1
                if from_customer:
                    last_customer = t
                else:
                    last_agent = t
                    first_agent = first_agent or t
            waiting = t if status in (Status.PENDING, Status.RESOLVED) else None
            closed = t if status == Status.CLOSED else None
            tickets.append((
                ticket_id, next(numbers), subject.format(domain=domain), customer_id, None,
                department, category, service_id, priority, status, channel, None, created, t, t,
                last_customer, last_agent, waiting, None, closed, None, None,
                *(_incident(domain, created) if priority == Priority.HIGH else (None, "", "", None, "", "")),
                *_sla_values(targets, status, channel, priority, created, t, first_agent,
                             last_customer, last_agent, now),
            ))
            ticket_id += 1
        with transaction.atomic():
            _insert(Ticket._meta.db_table, ticket_cols, tickets)
            _insert(Message._meta.db_table, message_cols, messages)
            # The console's full-text index, set-based per batch.
            ticket_search.bulk_index_range(tickets[0][0], tickets[-1][0])
        done += size
        if bar:
            bar.update(done)
    _fix_sequences(Customer, Service, Ticket, Message)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # fresh planner statistics for the new volume
    return done

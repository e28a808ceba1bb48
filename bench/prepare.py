"""Create the people and tickets the benchmark scenarios use (idempotent)
and print them as JSON. Runs inside the app's environment:
`python bench/prepare.py` with DJANGO_SETTINGS_MODULE and the backend's
DATABASE_URL / VENTANILLA_DATA_DIR set."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ventanilla.settings")
django.setup()

from allauth.account.models import EmailAddress  # noqa: E402
from django.db import transaction  # noqa: E402

from ventanilla.accounts.models import AgentProfile, Customer, Service, User  # noqa: E402
from ventanilla.core.models import SiteSettings  # noqa: E402
from ventanilla.tickets import services  # noqa: E402
from ventanilla.tickets.models import Category, Department, Ticket  # noqa: E402

PASSWORD = "bench-clave-1234"
CUSTOMER_EMAIL = "bench-cliente@example.com"
AGENT_EMAIL = "bench-agente@example.com"
LONG_TICKET_SUBJECT = "Bench: conversación de 20 mensajes"


def person(email: str, name: str) -> User:
    user, created = User.objects.get_or_create(email=email, defaults={"full_name": name})
    if created:
        user.set_password(PASSWORD)
        user.save()
        EmailAddress.objects.create(user=user, email=email, verified=True, primary=True)
    return user


@transaction.atomic
def prepare() -> dict:
    site = SiteSettings.load()
    site.agents_require_2fa = False
    site.save()
    soporte = Department.objects.get(slug="soporte")
    category = Category.objects.filter(department=soporte, is_active=True).first()
    agent = person(AGENT_EMAIL, "Agente de Carga")
    profile, _ = AgentProfile.objects.get_or_create(user=agent)
    profile.departments.add(soporte)
    user = person(CUSTOMER_EMAIL, "Cliente de Carga")
    customer, _ = Customer.objects.get_or_create(
        email=CUSTOMER_EMAIL, defaults={"name": "Cliente de Carga", "user": user})
    Service.objects.get_or_create(customer=customer, order_number="990001", defaults={
        "type": Service.Type.SHARED_NEGOCIOS, "name": "Hosting Negocios - carga.mx",
        "domain": "carga.mx", "server_ip": "203.0.113.99"})
    # A realistic history: 50 tickets.
    for n in range(Ticket.objects.filter(customer=customer).count(), 50):
        services.ticket_create(customer=customer, requester=user, department=soporte,
                               category=category, subject=f"Consulta de carga {n}",
                               body="El sitio carga.mx tarda mucho en responder.")
    long_ticket = Ticket.objects.filter(customer=customer, subject=LONG_TICKET_SUBJECT).first()
    if long_ticket is None:
        long_ticket = services.ticket_create(
            customer=customer, requester=user, department=soporte, category=category,
            subject=LONG_TICKET_SUBJECT, body="Primer mensaje: el correo no llega.")
        for i in range(19):
            if i % 2 == 0:
                services.ticket_agent_reply(long_ticket, agent=agent,
                                            body=f"Respuesta {i}: revisamos los registros MX.")
            else:
                services.ticket_customer_reply(long_ticket, author=user,
                                               body=f"Mensaje {i}: sigue sin llegar.")
    return {
        "customer_email": CUSTOMER_EMAIL, "agent_email": AGENT_EMAIL, "password": PASSWORD,
        "department_id": soporte.pk, "department_slug": soporte.slug,
        "category_id": category.pk if category else "",
        "ticket_number": long_ticket.number, "search_text": "propagación",
    }


if __name__ == "__main__":
    json.dump(prepare(), sys.stdout)

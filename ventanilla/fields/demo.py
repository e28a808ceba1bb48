"""Demo data of the fields app, on the core demo's tickets of
cliente@example.com (it adds no tickets): category values on three of them,
a consent request the customer authorized (and the restore done under it)
and one still waiting for the customer's answer in the portal. Idempotent."""

from django.utils.translation import gettext as _

from ventanilla.accounts.models import Customer, User
from ventanilla.core.demo_data import DEMO_CUSTOMER_EMAIL
from ventanilla.tickets.models import Ticket

from . import services
from .forms import category_fields_form
from .models import ConsentAction, ConsentChannel, ConsentDecision, TicketFieldValue

# (department slug, category name) of a demo ticket: its answers by label.
ANSWERS = {
    ("operaciones", "DNS"): {"Dominio": "clientedemo.mx"},
    ("facturacion", "Pagos"): {
        "Método de pago": "Tarjeta de crédito o débito",
        "Fecha y hora del pago": ["2025-03-14T09:30", "America/Mexico_City"],
        "Importe": ["1,899.00", "MXN"],
    },
    ("abuso", "Malware y seguridad"): {"Dominio afectado": "clientedemo.mx"},
}
AUTHORIZED = ("Restaurar desde CodeGuard la carpeta wp-content/plugins/contact-form/ a la copia "
              "del día anterior a la infección y cambiar las claves de WordPress")
PENDING = ("Actualizar WordPress y WooCommerce a la última versión y desactivar los plugins "
           "incompatibles en clientedemo.mx")


def seed_demo(stdout) -> None:
    customer = Customer.objects.filter(email=DEMO_CUSTOMER_EMAIL).first()
    agent = User.objects.filter(email="agente@example.com").first()
    if customer is None or agent is None:
        return
    tickets = list(Ticket.objects.filter(customer=customer)
                   .select_related("category__parent", "department").order_by("created_at"))
    if TicketFieldValue.objects.filter(ticket__in=tickets).exists():
        return
    by_category = {(t.department.slug, t.category.name): t for t in tickets if t.category_id}
    for key, answers in ANSWERS.items():
        if key in by_category:
            _answer(by_category[key], customer, answers)
    malware = by_category.get(("abuso", "Malware y seguridad"))
    kinds = {kind.name: kind for kind in ConsentAction.objects.all()}
    if malware is not None and not malware.is_closed:
        restore = kinds.get("Restaurar una copia de seguridad")
        request = services.consent_request_create(malware, agent=agent, action=AUTHORIZED,
                                                  kind=restore)
        services.consent_answer(request, decision=ConsentDecision.AUTHORIZED,
                                channel=ConsentChannel.EMAIL)
        if restore is not None:
            services.consent_action_done(malware, agent=agent, kind=restore,
                                         note="Restaurada la copia del día 12 desde CodeGuard.")
    website = by_category.get(("soporte", "Sitio web"))
    if website is not None and not website.is_closed:
        services.consent_request_create(website, agent=agent, action=PENDING,
                                        kind=kinds.get("Actualizar WordPress, temas o plugins"))
    stdout.write(_("Campos: valores de categoría en los tickets del cliente de la demostración, "
                   "una autorización concedida y otra esperando respuesta."))


def _answer(ticket, customer, answers: dict) -> None:
    form = category_fields_form(ticket.category, customer=customer)
    names = {spec.label: name for name, spec in form.specs.items()}
    data = {}
    for label, value in answers.items():
        name = form.add_prefix(names[label])
        if isinstance(value, list):
            data.update({f"{name}_{i}": part for i, part in enumerate(value)})
        else:
            data[name] = value
    services.ticket_values_save(ticket, category_fields_form(ticket.category, customer=customer,
                                                             data=data))

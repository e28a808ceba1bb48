"""Demo chats: a finished, rated conversation of the demo customer and a
visitor waiting in Ventas. Agents are available only with their console
open, as anywhere else."""

from django.db import transaction

from ventanilla.accounts.models import Customer, User
from ventanilla.core import demo_data
from ventanilla.tickets.models import Department

from . import services
from .models import Chat, ChatMessage


def seed_demo(stdout) -> None:
    if Chat.objects.exists():
        return
    soporte = Department.objects.filter(slug="soporte").first()
    ventas = Department.objects.filter(slug="ventas").first()
    agent = User.objects.filter(email="agente@example.com").first()
    customer = Customer.objects.filter(email=demo_data.DEMO_CUSTOMER_EMAIL).select_related("user").first()
    if not (soporte and ventas and agent and customer and customer.user):
        return
    with transaction.atomic():
        chat = services.chat_start(department=soporte, user=customer.user,
                                   first_message="¿Cómo apunto mi dominio a otro servidor?")
        services.chat_take(chat, agent=agent)
        services.chat_post(chat, kind=ChatMessage.Kind.AGENT, author=agent, body=(
            "Cambia los registros A de tu dominio en la Zona DNS del cPanel; la propagación "
            "tarda hasta 24 horas."))
        services.chat_post(chat, kind=ChatMessage.Kind.CUSTOMER, author=customer.user,
                           body="Listo, gracias.")
        services.chat_close(chat, actor=agent)
        services.chat_rate(chat, rating=5, comment="Muy claro")
        services.chat_start(department=ventas, name="Valeria Ruiz", email="valeria@example.org",
                            visitor_reason=Chat.VisitorReason.NOT_A_CUSTOMER,
                            first_message="¿Qué plan me conviene para una tienda en línea?")
    # No agent is seeded as available: an agent takes chats only while their
    # console is open (presence.py), so the widget never promises a person
    # who is not there.
    stdout.write("Chat: 2 chats de demostración. Para atender chats, abre /consola/chat/ "
                 "como agente y elige «Disponible».")

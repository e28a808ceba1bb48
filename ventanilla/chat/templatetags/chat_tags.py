from django import template
from django.urls import reverse
from django.utils.html import json_script
from django.utils.translation import gettext as _

register = template.Library()


@register.filter
def ids_of_chat(form, chat):
    """The console shows several chats' sidebars in one page: a form's
    element ids (and the labels pointing at them) carry the chat's number,
    so no two chats share one. Field names stay as they are."""
    if form is not None:
        form.auto_id = f"chat{chat.pk}_%s"
    return form


@register.simple_tag
def chat_strings():
    """The widget's and console's words, translated, as a JSON data block
    for chat.js (CSP forbids inline scripts; a data block is not one)."""
    return json_script({
        "you": _("Tú"),
        "system": _("Aviso"),
        "note": _("Nota interna"),
        "waiting": _("Estás en el lugar %(position)s de la fila. Espera estimada: %(minutes)s min."),
        "with_agent": _("Te atiende %(agent)s."),
        "assigned": _("Tu chat llegó a un agente; se unirá en un momento."),
        "offer": _("No hay agentes disponibles o la espera es larga. Puedes dejar tu consulta como ticket y te responderemos por correo."),
        "unanswered": _("Nadie ha podido atenderte todavía. Puedes dejar tu consulta como ticket y te responderemos por correo, o seguir esperando aquí."),
        "closed": _("El chat terminó."),
        "typing": _("%(name)s está escribiendo…"),
        "reconnecting": _("Conexión perdida. Reconectando…"),
        "sending": _("Enviando…"),
        "ticket_created": _("Creamos el ticket #%(number)s. Te responderemos por correo."),
        "transcript_sent": _("Te enviamos la transcripción a %(email)s."),
        "rated": _("¡Gracias por tu valoración!"),
        "start_chat": _("Iniciar chat"),
        "leave_ticket": _("Dejar como ticket"),
        "no_agents": _("Ahora no hay agentes disponibles. Deja tu consulta y te responderemos por correo."),
        "new_chat": _("Nuevo chat en espera"),
        "chat_opened": _("Chat con %(name)s abierto."),
        "open_chats": _("Chats abiertos"),
        "take": _("Tomar"),
        "open": _("Abrir"),
        "empty": _("Nada por ahora."),
        "viewing": _("%(name)s está viendo este ticket"),
        "replying": _("%(name)s está escribiendo una respuesta"),
        "only_you": _("Solo tú tienes abierto este ticket."),
        "new_message": _("Mensaje nuevo"),
        "converted": _("Ticket #%(number)s creado."),
        "unknown_chat": _("Este chat ya no está disponible."),
        "no_articles": _("Ningún artículo publicado coincide."),
        "consent_title": _("Te pedimos autorización para:"),
        "consent_yes": _("Autorizo"),
        "consent_no": _("No autorizo"),
        # Links under this path (the help centre's articles, which agents
        # insert) are made clickable in messages; nothing else is.
        "help_prefix": reverse("kb:help_home"),
    }, "chat-strings")

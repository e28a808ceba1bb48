"""Writes of the fields app: saving a ticket's values, agents' edits, and
consent requests and answers. One transaction each; emails after commit."""

from datetime import timedelta

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ventanilla.tickets.models import Ticket

from . import selectors, types
from .forms import FieldsForm
from .models import (
    ActionRecord,
    CategoryField,
    ConsentAction,
    ConsentAnswer,
    ConsentChannel,
    ConsentDecision,
    ConsentRequest,
    FieldType,
    FieldValueChange,
    TicketFieldValue,
)

CONSENT_SALT = "ventanilla.fields.consent"


def _has_answer(kind: str, value) -> bool:
    return kind == FieldType.CHECKBOX or not types.is_empty(value)


def ticket_values_save(ticket: Ticket, form: FieldsForm) -> list[TicketFieldValue]:
    """Store the answers of a validated category_fields_form on a new
    ticket, each with a snapshot of its field. Call it inside the
    transaction that creates the ticket so both commit or neither does
    (it checks everything before its one write, so a refusal leaves that
    transaction usable)."""
    if not form.is_valid():
        raise ValidationError(_("Revisa los datos de la categoría."))
    answered = [(position, spec, value) for position, (spec, value) in enumerate(form.answers())
                if _has_answer(spec.type, value)]
    if not answered:
        return []
    ids = [int(spec.key) for _p, spec, _v in answered]
    # The form was built from the category's cached fields: usually all here.
    fields = {f.pk: f for f in selectors.category_fields(ticket.category)} \
        if ticket.category_id else {}
    if missing := [pk for pk in ids if pk not in fields]:
        fields.update(CategoryField.objects.in_bulk(missing))
    rows = []
    for position, spec, value in answered:
        field = fields.get(int(spec.key))
        if field is None:
            continue
        category = ticket.category
        if category is None or field.category_id not in (category.pk, category.parent_id):
            raise ValidationError(_("Esos datos no corresponden a la categoría del ticket."))
        rows.append(TicketFieldValue(
            ticket=ticket, field=field, label=spec.label, type=spec.type,
            options=list(spec.options), value=value, text=types.display_text(spec.type, value)[:1000],
            position=position, updated_at=ticket.created_at,
        ))
    return TicketFieldValue.objects.bulk_create(rows)


@transaction.atomic
def ticket_values_update(ticket: Ticket, *, agent, form: FieldsForm) -> int:
    """An agent's edit of the values (see forms.ticket_values_form). Each
    changed value is logged in FieldValueChange; returns how many changed."""
    if not form.is_valid():
        raise ValidationError(_("Revisa los datos marcados."))
    ticket = Ticket.objects.select_for_update().get(pk=ticket.pk)
    existing = {f"v{value.pk}": value for value in TicketFieldValue.objects.filter(ticket=ticket)}
    next_position = max((value.position for value in existing.values()), default=-1) + 1
    now = timezone.now()
    changed = 0
    for spec, value in form.answers():
        new_text = types.display_text(spec.type, value)[:1000] if _has_answer(spec.type, value) else ""
        current = existing.get(spec.key)
        if current is not None:
            if new_text == current.text and value == current.value:
                continue
            old_text = current.text
            if new_text:
                current.value, current.text, current.updated_at = value, new_text, now
                current.save(update_fields=["value", "text", "updated_at"])
            else:
                current.delete()
        else:
            if not new_text or spec.key.startswith("v"):
                continue
            field = CategoryField.objects.filter(pk=int(spec.key)).first()
            if field is None:
                continue
            old_text = ""
            TicketFieldValue.objects.create(
                ticket=ticket, field=field, label=spec.label, type=spec.type,
                options=list(spec.options), value=value, text=new_text, position=next_position,
                updated_at=now,
            )
            next_position += 1
        FieldValueChange.objects.create(ticket=ticket, actor=agent, label=spec.label,
                                        from_text=old_text, to_text=new_text, created_at=now)
        changed += 1
    if changed:
        ticket.updated_at = now
        ticket.save(update_fields=["updated_at"])
    return changed


# --- Consent ----------------------------------------------------------------


def consent_lifetime() -> timedelta:
    return timedelta(hours=settings.VENTANILLA_FIELDS["CONSENT_EXPIRY_HOURS"])


def consent_token(request: ConsentRequest) -> str:
    """The signed, expiring token of the email link (one per request)."""
    return signing.TimestampSigner(salt=CONSENT_SALT).sign_object({"c": request.pk})


class ConsentLinkError(ValidationError):
    pass


def consent_from_token(token: str) -> ConsentRequest:
    """The request a link names, or ConsentLinkError when the link was
    tampered with or is older than the requests' lifetime."""
    signer = signing.TimestampSigner(salt=CONSENT_SALT)
    try:
        payload = signer.unsign_object(token, max_age=consent_lifetime())
    except signing.SignatureExpired:
        raise ConsentLinkError(_("Este enlace venció. Entra a tu Área de cliente para ver el "
                                 "ticket."), code="expired") from None
    except signing.BadSignature:
        raise ConsentLinkError(_("Este enlace no es válido. Entra a tu Área de cliente para ver "
                                 "el ticket."), code="invalid") from None
    request = (ConsentRequest.objects.select_related("ticket__customer", "requested_by")
               .filter(pk=payload.get("c")).first())
    if request is None:
        raise ConsentLinkError(_("Este enlace no es válido."), code="invalid")
    return request


def consent_request_create(ticket: Ticket, *, agent, action: str,
                           kind: ConsentAction | None = None) -> ConsentRequest:
    action = action.strip()
    if not action:
        raise ValidationError(_("Describe la acción que el cliente debe autorizar."))
    if ticket.is_closed:
        raise ValidationError(_("El ticket está cerrado: no se pueden pedir autorizaciones."))
    from . import notifications

    now = timezone.now()
    with transaction.atomic():
        request = ConsentRequest.objects.create(
            ticket=ticket, kind=kind, action=action, requested_by=agent, created_at=now,
            expires_at=now + consent_lifetime(),
            sent_to=", ".join(notifications.consent_recipients(ticket))[:1000],
        )
        transaction.on_commit(lambda: notifications.consent_requested(request.pk))
    return request


def consent_request_from_chat(chat, *, agent, action: str,
                              kind: ConsentAction | None = None) -> ConsentRequest:
    """The same request from a live chat: the customer sees it highlighted
    in the chat with Autorizo / No autorizo and answers there. Only a
    logged-in customer's chat: a visitor's identity is not verified. If
    the chat already became a ticket, the request belongs to it too; else
    it counts for the ticket the chat becomes."""
    from ventanilla.chat import services as chat_services

    action = action.strip()
    if not action:
        raise ValidationError(_("Describe la acción que el cliente debe autorizar."))
    chat = type(chat).objects.get(pk=chat.pk)  # as it is now, not as the caller read it
    if chat.is_closed:
        raise ValidationError(_("El chat terminó: pide la autorización desde su ticket."))
    if chat.user_id is None or chat.customer_id is None:
        raise ValidationError(_("Quien escribe no inició sesión: no podemos saber si es el "
                                "titular. Pide la autorización desde un ticket de la cuenta."))
    now = timezone.now()
    with transaction.atomic():
        request = ConsentRequest.objects.create(
            ticket_id=chat.ticket_id, chat=chat, kind=kind, action=action, requested_by=agent,
            created_at=now, expires_at=now + consent_lifetime(), sent_to=_("chat"),
        )
        chat_services.chat_system_message(chat, _(
            "%(agent)s te pide autorización para: «%(action)s». Responde con los botones "
            "Autorizo o No autorizo.") % {"agent": agent.get_short_name(), "action": action})
    return request


def consent_answer_in_chat(chat, request_id, *, decision: str, user) -> ConsentAnswer:
    """The chat's customer answers one of its requests from the widget."""
    from ventanilla.chat import services as chat_services

    if decision not in ConsentDecision.values:
        raise ValidationError(_("Responde «Autorizo» o «No autorizo»."), code="invalid")
    request = ConsentRequest.objects.filter(pk=request_id, chat=chat).first() \
        if str(request_id).isdigit() else None
    if request is None or user is None or not user.is_authenticated or chat.user_id != user.pk:
        raise ValidationError(_("Esa solicitud de autorización no es de este chat."),
                              code="not_found")
    with transaction.atomic():
        answer = consent_answer(request, decision=decision, channel=ConsentChannel.CHAT,
                                user=user)
        # Both sides read it: in the third person.
        said = _("%(name)s autorizó: «%(action)s».") if answer.authorized \
            else _("%(name)s no autorizó: «%(action)s».")
        chat_services.chat_system_message(chat, said % {"name": user.get_short_name(),
                                                        "action": answer.text})
    return answer


def consent_answer(request: ConsentRequest, *, decision: str, channel: str, user=None,
                   ip_address: str | None = None) -> ConsentAnswer:
    """Record the customer's answer, once. Refuses an expired or answered
    request. `user` is the logged-in customer (portal) or None (email link,
    answered on behalf of the customer the link was sent to)."""
    decision = ConsentDecision(decision)
    channel = ConsentChannel(channel)
    now = timezone.now()
    with transaction.atomic():
        request = (ConsentRequest.objects.select_for_update(of=("self",))
                   .select_related("ticket__customer", "chat__customer").get(pk=request.pk))
        if ConsentAnswer.objects.filter(request=request).exists():
            raise ValidationError(_("Esta solicitud ya fue respondida; la respuesta no se puede "
                                    "cambiar."), code="answered")
        if request.is_expired(now):
            raise ValidationError(_("Esta solicitud venció. Si aún hace falta, el equipo de "
                                    "soporte te enviará una nueva."), code="expired")
        customer = request.ticket.customer if request.ticket_id else request.chat.customer
        if user is not None:
            name = f"{user.get_full_name()} <{user.email}>"
        else:
            name = f"{customer.name} <{request.sent_to or customer.email}>"
        return ConsentAnswer.objects.create(
            request=request, decision=decision, text=request.action, answered_by=user,
            answered_by_name=name[:300], channel=channel, ip_address=ip_address or None,
            answered_at=now,
        )


def consent_action_done(ticket: Ticket, *, agent, kind: ConsentAction, note: str = "") -> ActionRecord:
    """Record that the agent did an action that needs consent. Refused
    unless the customer accepted a request of that kind on this ticket that
    no earlier action used (one consent, one action)."""
    with transaction.atomic():
        consent = (
            ConsentRequest.objects.select_for_update(of=("self",))
            .filter(Q(ticket=ticket) | Q(chat__ticket=ticket), kind=kind,
                    answer__decision=ConsentDecision.AUTHORIZED, record__isnull=True)
            .order_by("created_at", "id").first()
        )
        if consent is None:
            raise ValidationError(
                _("«%(action)s» necesita la autorización del cliente en este ticket: pídela y "
                  "espera a que responda «Autorizo» antes de realizarla.") % {"action": kind.name},
                code="needs_consent")
        return ActionRecord.objects.create(consent=consent, done_by=agent, note=note.strip()[:500])

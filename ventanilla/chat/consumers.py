"""The chat's WebSocket endpoints: thin adapters from JSON frames to
services (run in a thread through db_call) and from layer
events back to the socket. Who may read what is decided in access.py.

Close codes: 4403 for a console socket of someone who is not (or no longer)
an agent, and for any socket of an agent who must first set up two-factor
authentication (accounts.two_factor); 4404 for a chat or ticket that does
not exist for this person (never a hint which), also once an open ticket
page's agent may no longer see its ticket."""

import time
from collections import deque
from urllib.parse import parse_qs

from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _

from ventanilla.tickets.access import (
    agent_department_ids,
    is_console_user,
    sees_all_departments,
    ticket_for_agent,
)
from ventanilla.tickets.models import Department

from . import access, events, presence, selectors, services
from .db import db_call
from .models import Chat, ChatMessage
from .sensitive import masked_notice


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def _error(error: ValidationError) -> dict:
    return {"type": "error", "message": " ".join(error.messages)}


class Flood:
    """At most `limit` messages in `seconds` on one socket: a person does
    not type faster; a script that does is told to slow down."""

    def __init__(self, limit: int = 20, seconds: float = 10.0):
        self.limit, self.seconds, self.times = limit, seconds, deque()

    def exceeded(self) -> bool:
        now = time.monotonic()
        while self.times and now - self.times[0] > self.seconds:
            self.times.popleft()
        if len(self.times) >= self.limit:
            return True
        self.times.append(now)
        return False


def _too_fast() -> ValidationError:
    return ValidationError(_("Vas muy rápido: espera unos segundos antes de enviar más mensajes."))


def _without_nul(value):
    """A frame's strings without NUL characters (PostgreSQL refuses them in
    text; no message means one), at any depth."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(item) for item in value]
    if isinstance(value, dict):
        return {_without_nul(key): _without_nul(item) for key, item in value.items()}
    return value


class JsonConsumer(AsyncJsonWebsocketConsumer):
    @classmethod
    async def decode_json(cls, text_data):
        return _without_nul(await super().decode_json(text_data))


class CustomerChatConsumer(JsonConsumer):
    """ws/chat/<token>/?after=N: one customer's chat. On (re)connect it
    sends every message after N (the last one the page saw), then the state."""

    async def connect(self):
        try:
            self.chat = await db_call(access.chat_for_customer)(
                self.scope["user"], self.scope.get("session"), self.scope["url_route"]["kwargs"]["token"])
        except access.ChatNotFound:
            await self.close(code=4404)
            return
        self.flood = Flood()
        self.queue = events.queue_group(self.chat.department_id)
        await self.channel_layer.group_add(events.chat_group(self.chat.pk), self.channel_name)
        await self.channel_layer.group_add(self.queue, self.channel_name)
        await self.accept()
        after = _int(parse_qs(self.scope.get("query_string", b"").decode()).get("after", ["0"])[0])
        await self.send_history(after)
        await self.send_state()

    async def disconnect(self, code):
        if hasattr(self, "queue"):
            await self.channel_layer.group_discard(events.chat_group(self.chat.pk), self.channel_name)
            await self.channel_layer.group_discard(self.queue, self.channel_name)

    async def send_history(self, after: int):
        messages = await db_call(selectors.history)(self.chat, after=after,
                                                                   for_agent=False)
        await self.send_json({"type": "history",
                              "messages": [events.message_payload(m) for m in messages]})

    @db_call
    def _state(self):
        self.chat = Chat.objects.select_related("department", "agent", "ticket").get(pk=self.chat.pk)
        return selectors.customer_state(self.chat)

    async def send_state(self):
        previous = self.chat.department_id
        state = await self._state()
        if self.chat.department_id != previous:  # transferred to another queue
            await self.channel_layer.group_discard(self.queue, self.channel_name)
            self.queue = events.queue_group(self.chat.department_id)
            await self.channel_layer.group_add(self.queue, self.channel_name)
        await self.send_json(state)

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        try:
            if kind == "message":
                if self.flood.exceeded():
                    raise _too_fast()
                await self.post(str(content.get("body", "")), str(content.get("client_id", "")))
            elif kind == "typing":
                await self.channel_layer.group_send(events.chat_group(self.chat.pk), {
                    "type": "chat.typing", "who": "cliente", "name": self.chat.name,
                    "chat": self.chat.pk, "sender": self.channel_name})
            elif kind == "state":  # the widget asks now and then while waiting
                await self.send_state()
            elif kind == "resume":
                await self.send_history(_int(content.get("after")))
                await self.send_state()
            elif kind == "close":
                await db_call(services.chat_close)(self.chat, by_customer=True)
            elif kind == "rate":
                await db_call(services.chat_rate)(
                    self.chat, rating=_int(content.get("rating"), -1),
                    comment=str(content.get("comment", "")))
                await self.send_json({"type": "rated"})
            elif kind == "transcript":
                await db_call(services.chat_transcript_send)(self.chat)
                await self.send_json({"type": "transcript_sent", "email": self.chat.email})
            elif kind == "ticket":
                ticket = await self._leave_ticket(str(content.get("body", "")))
                await self.send_json({"type": "ticket_created", "number": ticket.number})
            elif kind == "consent":  # Autorizo / No autorizo (ventanilla.fields)
                await self._consent(content.get("id"), str(content.get("decision", "")))
        except ValidationError as error:
            await self.send_json(_error(error))

    @db_call
    def _consent(self, request_id, decision: str):
        from ventanilla.fields.services import consent_answer_in_chat

        return consent_answer_in_chat(self.chat, request_id, decision=decision,
                                      user=self.scope["user"])

    @db_call
    def _post(self, body: str, client_id: str):
        return services.chat_post(self.chat, kind=ChatMessage.Kind.CUSTOMER, body=body,
                                  author=self.chat.user, client_id=client_id)

    @db_call
    def _leave_ticket(self, body: str):
        return services.chat_leave_ticket(department=self.chat.department, body=body,
                                          user=self.scope["user"], chat=self.chat)

    async def post(self, body: str, client_id: str):
        posted = await self._post(body, client_id)
        # Stored (committed) before this acknowledgement leaves.
        # The stored (masked) text: the sender's bubble shows it at once.
        ack = {"type": "ack", "client_id": client_id, "seq": posted.message.seq,
               "body": posted.message.body, "at": posted.message.created_at.isoformat()}
        if posted.masked.changed:
            ack["notice"] = masked_notice(posted.masked.found)
        await self.send_json(ack)

    async def chat_message(self, event):
        # Notes go to the agents' group only (events.message_added); twice sure.
        if event["message"]["kind"] != ChatMessage.Kind.NOTE:
            await self.send_json({"type": "message", **event["message"]})

    async def chat_typing(self, event):
        if event["sender"] != self.channel_name and event["who"] != "cliente":
            await self.send_json({"type": "typing", "name": event["name"]})

    async def chat_changed(self, event):
        await self.send_state()

    async def console_changed(self, event):
        pass


class AgentConsoleConsumer(JsonConsumer):
    """ws/consola/chat/: one agent's console. It hears its departments'
    queues (supervisors: every queue), its own assignments, and the chats it
    opened; actions arrive as frames {"type": ..., "chat": id, ...}."""

    async def connect(self):
        user = self.scope["user"]
        if not await db_call(is_console_user)(user):
            await self.close(code=4403)
            return
        self.user = user
        self.flood = Flood(limit=40)
        self.groups_joined, self.queue_groups = set(), set()
        await self.join_queue_groups()
        await self.accept()
        await db_call(services.agent_console_seen)(user, key=self.channel_name)
        await self.send_console()

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)
        if hasattr(self, "user"):
            # Seen until now: a reload reconnects within the live period; a
            # closed browser does not, and the agent stops receiving chats.
            await db_call(presence.console_seen)(self.user.pk, self.channel_name)

    async def join_queue_groups(self):
        """Hear the agent's own group and their departments' queues (every
        queue for supervisors); leave those they no longer work."""
        wanted = await db_call(console_groups)(self.user)
        for group in self.queue_groups - wanted:
            self.groups_joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)
        for group in wanted - self.queue_groups:
            self.groups_joined.add(group)
            await self.channel_layer.group_add(group, self.channel_name)
        self.queue_groups = wanted

    async def agent_again(self) -> bool:
        """The agent read again (the socket outlives changes to them: a
        department removed, demoted, deactivated). No longer an agent: the
        socket stops hearing anything and closes."""
        user = await db_call(access.console_user)(self.user.pk)
        if user is None:
            await leave_all_groups(self)
            await self.close(code=4403)
            return False
        self.user = user
        await self.join_queue_groups()
        return True

    async def still_reads(self, chat_id) -> bool:
        """Asked before each chat event is delivered: after a transfer (or
        any change of what the agent may read) the chat's events stop, its
        group is left and its pane is told."""
        if await db_call(access.agent_may_still_read)(self.user.pk, chat_id):
            return True
        groups = {events.chat_group(chat_id), events.chat_notes_group(chat_id)} & self.groups_joined
        for group in groups:
            self.groups_joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)
        if groups:
            await self.send_json({"type": "error", "chat": chat_id, "message": _(
                "Este chat ya no está a tu cargo: no verás más mensajes suyos.")})
        return False

    async def send_console(self):
        await self.send_json(await db_call(selectors.console_state)(self.user))

    async def chat_for(self, content) -> Chat:
        return await db_call(access.chat_for_agent)(self.user, content.get("chat"))

    async def receive_json(self, content, **kwargs):
        kind = content.get("type")
        # (A heartbeat changes nothing the agent may read; routing checks
        # the account itself.)
        if kind != "heartbeat" and not await self.agent_again():
            return
        try:
            if kind == "heartbeat":  # the console is open (presence.py)
                await db_call(services.agent_console_seen)(self.user, key=self.channel_name)
                return
            if kind == "availability":
                max_chats = content.get("max_chats")
                await db_call(services.agent_availability_set)(
                    self.user, status=str(content.get("status", "")),
                    max_chats=None if max_chats in (None, "") else _int(max_chats, -1))
                return
            chat = await self.chat_for(content)
            if kind == "open":
                await self.open(chat, _int(content.get("after")))
            elif kind == "message":
                if self.flood.exceeded():
                    raise _too_fast()
                posted = await db_call(services.chat_post)(
                    chat, kind=ChatMessage.Kind.AGENT, body=str(content.get("body", "")),
                    author=self.user, client_id=str(content.get("client_id", "")))
                ack = {"type": "ack", "chat": chat.pk, "client_id": content.get("client_id", ""),
                       "seq": posted.message.seq, "body": posted.message.body,
                       "at": posted.message.created_at.isoformat()}
                if posted.masked.changed:
                    ack["notice"] = masked_notice(posted.masked.found)
                await self.send_json(ack)
            elif kind == "typing":
                await self.channel_layer.group_send(events.chat_group(chat.pk), {
                    "type": "chat.typing", "who": "agente", "name": self.user.get_short_name(),
                    "chat": chat.pk, "sender": self.channel_name})
            elif kind == "take":
                await db_call(services.chat_take)(chat, agent=self.user)
                await self.open(chat, 0)
            elif kind == "transfer":
                await self.transfer(chat, content)
            elif kind == "close":
                await db_call(services.chat_close)(chat, actor=self.user)
            elif kind == "convert":
                ticket = await db_call(services.chat_convert_to_ticket)(
                    chat, agent=self.user)
                await self.send_json({"type": "converted", "chat": chat.pk, "number": ticket.number})
        except access.ChatNotFound:
            await self.send_json({"type": "error", "chat": content.get("chat"),
                                  "message": _("Ese chat no existe o ya no está a tu cargo.")})
        except ValidationError as error:
            await self.send_json({**_error(error), "chat": content.get("chat")})

    async def open(self, chat: Chat, after: int):
        for group in (events.chat_group(chat.pk), events.chat_notes_group(chat.pk)):
            if group not in self.groups_joined:
                self.groups_joined.add(group)
                await self.channel_layer.group_add(group, self.channel_name)
        if chat.agent_id == self.user.pk and chat.joined_at is None:
            await db_call(services.chat_join)(chat, agent=self.user)
        messages = await db_call(selectors.history)(chat, after=after, for_agent=True)
        await self.send_json({"type": "history", "chat": chat.pk,
                              "messages": [events.message_payload(m) for m in messages]})

    async def transfer(self, chat: Chat, content):
        @db_call
        def run():
            to_agent = to_department = None
            if content.get("agent"):
                to_agent = next((a for a in selectors.transfer_agents(chat)
                                 if a.pk == _int(content["agent"])), None)
                if to_agent is None:
                    raise ValidationError(_("Ese agente no atiende el departamento de este chat."))
                if not presence.is_live(to_agent.pk):
                    # Routing would hand it straight back (services._requeue_unjoined)
                    # while the customer reads that someone will join.
                    raise ValidationError(_(
                        "%(agent)s no tiene abierta la consola de chats y no recibiría el chat. "
                        "Transfiérelo a su departamento o a un agente disponible."
                    ) % {"agent": to_agent.get_short_name()})
            elif content.get("department"):
                to_department = Department.objects.filter(
                    pk=_int(content["department"]), is_active=True).first()
                if to_department is None:
                    raise ValidationError(_("Ese departamento no existe."))
            return services.chat_transfer(chat, actor=self.user, to_agent=to_agent,
                                          to_department=to_department,
                                          note=str(content.get("note", "")))
        await run()

    async def chat_message(self, event):
        if await self.still_reads(event["message"]["chat"]):
            await self.send_json({"type": "message", **event["message"]})

    async def chat_typing(self, event):
        if event["sender"] != self.channel_name and await self.still_reads(event["chat"]):
            await self.send_json({"type": "typing", "chat": event["chat"], "name": event["name"],
                                  "who": event["who"]})

    async def chat_changed(self, event):
        # Transferred, taken by someone else...: is it still ours to read?
        # (console.changed carries what the console's lists need.)
        if event.get("chat"):
            await self.still_reads(event["chat"])

    async def console_changed(self, event):
        if await self.agent_again():
            await self.send_console()


def console_groups(user) -> set[str]:
    """The groups an agent's console hears besides the chats it opened."""
    groups = {events.agent_group(user.pk)}
    if sees_all_departments(user):
        groups.add(events.SUPERVISORS_GROUP)
    groups.update(events.department_group(department_id)
                  for department_id in agent_department_ids(user))
    return groups


async def leave_all_groups(consumer) -> None:
    """Hear nothing more (before closing for lost access: events could
    still arrive until the client acknowledges the close)."""
    for group in consumer.groups_joined:
        await consumer.channel_layer.group_discard(group, consumer.channel_name)
    consumer.groups_joined = set()


class TicketPresenceConsumer(JsonConsumer):
    """ws/consola/tickets/<number>/: who else has the ticket open or is
    typing a reply, and its new messages as they are stored."""

    async def connect(self):
        user = self.scope["user"]
        try:
            ticket = await db_call(ticket_for_agent)(
                user, self.scope["url_route"]["kwargs"]["number"])
        except Http404:
            await self.close(code=4404)
            return
        self.user = user
        self.ticket_id = ticket.pk
        self.group = events.ticket_group(ticket.pk)
        self.groups_joined = {self.group}
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.announce("viewing", join=True)

    async def disconnect(self, code):
        if getattr(self, "groups_joined", None):  # not refused, nor closed for lost access
            await self.announce("left")
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def still_sees(self) -> bool:
        """Asked before each event is delivered and each frame is heard:
        once the ticket moves to a department the agent does not work (or
        the agent loses the department or their account), the page is told
        and the socket closes."""
        if not self.groups_joined:
            return False
        if await db_call(access.agent_may_still_see_ticket)(self.user.pk, self.ticket_id):
            return True
        await self.announce("left")
        await leave_all_groups(self)
        await self.send_json({"type": "access_lost", "message": _(
            "Ya no tienes acceso a este ticket: no verás sus mensajes nuevos.")})
        await self.close(code=4404)
        return False

    def me(self, state: str, **extra) -> dict:
        return {"type": "ticket.presence", "user": self.user.pk, "name": self.user.get_full_name(),
                "state": state, "sender": self.channel_name, **extra}

    async def announce(self, state: str, join: bool = False):
        await self.channel_layer.group_send(self.group, self.me(state, join=join))

    async def receive_json(self, content, **kwargs):
        if content.get("type") in {"typing", "viewing"} and await self.still_sees():
            await self.announce(content["type"])

    async def ticket_presence(self, event):
        if event["sender"] == self.channel_name or not await self.still_sees():
            return
        await self.send_json({"type": "presence", "user": event["user"], "name": event["name"],
                              "state": event["state"], "id": event["sender"][-12:]})
        if event.get("join"):
            # Tell the newcomer we are here too (only to them).
            await self.channel_layer.send(event["sender"], self.me("viewing"))

    async def ticket_message(self, event):
        if await self.still_sees():
            await self.send_json({"type": "message", **event["message"]})

    async def ticket_access(self, event):
        await self.still_sees()  # moved to another department


class EchoConsumer(AsyncJsonWebsocketConsumer):
    """The benchmark's floor: a bare echo on the same server, routed only
    when VENTANILLA_CHAT_ECHO=1."""

    async def receive(self, text_data=None, bytes_data=None):
        await self.send(text_data=text_data, bytes_data=bytes_data)

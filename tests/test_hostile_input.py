"""Every page without URL arguments, as a visitor, a customer, an agent and
a supervisor, with NUL characters and nonsense in the query string: a page,
a redirect or a clear error, never a server error (PostgreSQL refuses NUL in
text: before NulFreeQueryMiddleware the console search, its CSV export and
the knowledge-base console answered 500 there)."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

HOSTILE = ("q=a%00b&page=abc&pagina=-1&cursor=%00zz&departamento=%00&estado=zz%00"
           "&desde=2026-13-45&hasta=99999-01-01&categoria=99999999999999999999"
           "&limit=-5&after=abc&lang=%00&next=%00&%00=%00"
           # Characters str.isdigit() accepts and int() refuses:
           "&department=%C2%B2&category=%C2%B2&revision=%C2%B2")

# Not pages: logging out or streaming would only test themselves.
SKIP_PREFIXES = ("admin/", "api/", "cuenta/logout", "static/", "media/", "salud/")


def plain_paths(resolver=None, prefix=""):
    """Paths of the URL patterns that take no arguments."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if "<" in route or "(?P" in route or route.startswith("^"):
            continue
        if isinstance(pattern, URLResolver):
            yield from plain_paths(pattern, route)
        elif isinstance(pattern, URLPattern) and not route.startswith(SKIP_PREFIXES):
            yield "/" + route


@pytest.fixture
def paths():
    found = sorted(set(plain_paths()))
    assert "/consola/" in found and "/cliente/tickets/" in found and "/ayuda/" in found
    return found


@pytest.mark.parametrize("who", ["visitor", "customer", "agent", "supervisor"])
def test_no_page_fails_on_nul_and_nonsense_in_its_query(client, paths, who, alice, carla, sofia,
                                                         alice_ticket):
    client.raise_request_exception = False
    user = {"visitor": None, "customer": alice.user, "agent": carla, "supervisor": sofia}[who]
    if user is not None:
        client.force_login(user)
    failures = []
    for path in paths:
        status = client.get(f"{path}?{HOSTILE}").status_code
        if status >= 500:
            failures.append((path, status))
    assert failures == []


def test_the_search_still_finds_the_text_around_a_nul(client, carla, alice_ticket):
    client.force_login(carla)
    page = client.get("/consola/?q=enviar%00 correos").content.decode()
    assert alice_ticket.subject in page


def test_a_nul_in_a_form_is_a_clear_error_and_nothing_typed_is_lost(client, alice, soporte):
    from ventanilla.tickets.models import Ticket

    client.force_login(alice.user)
    response = client.post("/cliente/tickets/nuevo/", {
        "department": soporte.pk, "priority": "regular", "subject": "Correo\x00 caído",
        "body": "No llegan los correos desde ayer a ventas@alicia.mx",
    })
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "caracteres nulos" in page
    assert "No llegan los correos desde ayer a ventas@alicia.mx" in page
    assert not Ticket.objects.exists()


# Pages with arguments in the path: each argument as an existing ticket's
# number and as hostile values (a NUL, an integer past 64 bits, a long or
# non-ASCII word), as a visitor, a customer and a supervisor.
ARGUMENT = re.compile(r"<(?:(\w+):)?(\w+)>")
HOSTILE_ARGUMENTS = {"int": ("0", str(2**64)), "path": ("%00", "..%2F..%2Fetc%2Fpasswd")}
HOSTILE_WORDS = ("%00", "%C3%B1and%C3%BA%00", "x" * 300, str(2**64))


def argument_routes(resolver=None, prefix=""):
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        route = prefix + str(pattern.pattern)
        if route.startswith("^") or "(?P" in route:
            continue
        if isinstance(pattern, URLResolver):
            yield from argument_routes(pattern, route)
        elif "<" in route and not route.startswith(SKIP_PREFIXES):
            yield "/" + route


def fill(route: str, ticket_number: str) -> set[str]:
    """The route with every argument set to each candidate value in turn."""
    paths = set()
    for converter, name in ARGUMENT.findall(route):
        values = HOSTILE_ARGUMENTS.get(converter, HOSTILE_WORDS)
        if name == "number":
            values = (*values, ticket_number)
        for value in values:
            path = route
            for other_converter, other in ARGUMENT.findall(route):
                replacement = value if other == name else (
                    ticket_number if other == "number" else "1")
                path = re.sub(rf"<(?:{other_converter}:)?{other}>", replacement, path, count=1)
            paths.add(path)
    return paths


@pytest.mark.parametrize("who", ["visitor", "customer", "supervisor"])
def test_no_page_fails_on_hostile_path_arguments(client, who, alice, sofia, alice_ticket):
    client.raise_request_exception = False
    user = {"visitor": None, "customer": alice.user, "supervisor": sofia}[who]
    if user is not None:
        client.force_login(user)
    routes = sorted(set(argument_routes()))
    assert "/cliente/tickets/<str:number>/" in routes or any("tickets/<" in r for r in routes)
    failures = []
    for route in routes:
        for path in sorted(fill(route, alice_ticket.number)):
            status = client.get(f"{path}?{HOSTILE}").status_code
            if status >= 500:
                failures.append((path[:120], status))
    assert failures == []


def test_a_nul_in_a_reply_or_the_login_is_a_clear_error(client, alice, alice_ticket):
    page = client.post("/cuenta/login/", {"login": "alice@example.com\x00",
                                          "password": "x"}).content.decode()
    assert "caracteres nulos" in page and "alice@example.com" in page
    client.force_login(alice.user)
    response = client.post(f"/cliente/tickets/{alice_ticket.number}/responder/",
                           {"body": "Sigue sin funcionar\x00 el correo."})
    assert response.status_code in (200, 400)
    page = response.content.decode()
    assert "caracteres nulos" in page and "Sigue sin funcionar" in page
    assert alice_ticket.messages.count() == 1


def test_ids_from_user_input():
    from ventanilla.core.ids import parse_id

    assert [parse_id(v) for v in ("12", " 7 ", 5, "0012")] == [12, 7, 5, 12]
    assert [parse_id(v) for v in ("²", "1²", "-3", "1.0", "", None, "x", "9" * 19, "\x00")] \
        == [None] * 9


def test_hostile_ids_in_posted_forms(client, alice, sofia, alice_ticket):
    client.raise_request_exception = False
    client.force_login(alice.user)
    assert client.post("/cliente/avisos/leidos/", {"ids": ["²", "1"]}).status_code < 500
    client.force_login(sofia)
    response = client.post(f"/consola/estado/tickets/{alice_ticket.number}/vincular/",
                           {"incident": "²"})
    assert response.status_code == 404
    assert client.post("/consola/estado/vincular/", {"incident": "²", "tickets": [
        alice_ticket.number]}).status_code == 200  # asks which incident again

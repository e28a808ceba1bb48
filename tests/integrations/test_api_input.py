"""Input no text column can store: a NUL character anywhere (query, path,
JSON body) is a 422 naming the field, on every route, never a server error
(PostgreSQL refuses NUL in text)."""

from django.test import Client

from ventanilla.tickets.models import Ticket

from .test_api_schema import schema


def _list_routes():
    for route, methods in schema.raw_schema["paths"].items():
        if "get" in methods and "{" not in route:
            yield route, [p["name"] for p in methods["get"].get("parameters", [])
                          if p["in"] == "query"]


def test_a_nul_in_any_query_parameter_is_a_422(make_key):
    client, key = Client(raise_request_exception=False), make_key()
    answers = {}
    for route, names in _list_routes():
        for name in names:
            r = client.get(route, {name: "a\x00b"}, headers={"Authorization": f"Bearer {key}"})
            answers[route, name] = (r.status_code, r.json()["errors"][0]["field"])
    assert answers and set(answers.values()) == {(422, name) for _route, name in answers}


def test_a_nul_in_the_body_or_the_path_is_a_422_and_nothing_is_created(api, alice, whmcs):
    from ventanilla.integrations.services import CustomerData, customer_upsert

    customer_upsert(whmcs, "C-ALICE", CustomerData(name=alice.name, email=alice.email))
    r = api.post("/tickets", {"customer": "C-ALICE", "subject": "Hola\x00",
                              "body": "ok", "department": "soporte"})
    assert r.status_code == 422
    assert r.json()["errors"] == [{"field": "subject", "code": "null_character",
                                   "message": "El texto no puede contener el carácter nulo."}]
    assert not Ticket.objects.exists()
    r = api.put("/customers/C%00X", {"name": "X", "email": "x@example.com"})
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "external_id"
    # An escaped backslash followed by "u0000" is ordinary text.
    r = api.post("/tickets", {"customer": "C-ALICE", "subject": "ruta C:\\u0000",
                              "body": "ok", "department": "soporte"})
    assert r.status_code == 201, r.content

"""Every API call is authenticated before its body is read, bodies nest a
bounded number of levels, and calls without a valid key are limited per
address and logged a bounded number of times (issue 17 A8)."""

import json

import pytest

from ventanilla.integrations.models import ApiCall
from ventanilla.integrations.urls import MAX_JSON_DEPTH, json_too_deep


def deep(depth: int, leaf='"\\u0000"') -> str:
    return "[" * depth + leaf + "]" * depth


@pytest.mark.parametrize("depth", [900, 100_000])
def test_deep_json_without_a_key_is_refused_before_it_is_parsed(client, depth):
    response = client.post("/api/v1/tickets", deep(depth), content_type="application/json")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "unauthenticated"


@pytest.mark.parametrize("route", ["/api/v1/tickets", "/api/v1/customers/C-1",
                                   "/api/v1/billing-events", "/api/v1/status/incidents"])
@pytest.mark.parametrize("leaf", ['"\\u0000"', "1"])
def test_deep_json_with_a_key_is_a_400_problem_on_every_route(client, make_key, route, leaf):
    body = '{"a":' * 5000 + leaf + "}" * 5000
    response = client.post(route, body, content_type="application/json",
                           headers={"Authorization": f"Bearer {make_key()}"})
    assert response.status_code == 400
    problem = response.json()
    assert problem["code"] == "json_too_deep" and str(MAX_JSON_DEPTH) in problem["detail"]


def test_the_old_billing_url_refuses_deep_json_in_its_own_format(client, make_key):
    response = client.post("/api/v1/facturacion/eventos/", deep(5000), content_type="application/json",
                           headers={"Authorization": f"Bearer {make_key()}"})
    assert response.status_code == 400 and "error" in response.json()


def test_the_depth_bound():
    assert not json_too_deep(deep(MAX_JSON_DEPTH, "1").encode())
    assert json_too_deep(deep(MAX_JSON_DEPTH + 1, "1").encode())
    # Brackets inside strings (escaped quotes included) are text, not nesting.
    text = json.dumps({"subject": '[' * 100 + '"{' * 100}).encode()
    assert not json_too_deep(text)


def test_a_valid_call_is_counted_once_against_its_key(client, make_key, sofia):
    key = make_key(rate="2/m")
    headers = {"Authorization": f"Bearer {key}"}
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert client.get("/api/v1/tickets", headers=headers).status_code == 200
    assert client.get("/api/v1/tickets", headers=headers).status_code == 429


def test_a_thousand_calls_without_a_key_write_a_bounded_log_and_get_429(client, settings, make_key):
    settings.VENTANILLA_API_UNAUTHENTICATED_RATE = "30/m"
    codes = [client.post("/api/v1/tickets", "{}", content_type="application/json",
                         headers={"Authorization": "Bearer vt_nope_nope"}).status_code
             for _ in range(1000)]
    assert codes[:30] == [401] * 30 and set(codes[30:]) == {429}
    assert ApiCall.objects.count() == 31  # 30 refusals and the first 429
    limited = client.get("/api/v1/tickets")
    assert limited.status_code == 429 and limited["Retry-After"] == "60"
    assert limited.json()["code"] == "rate_limited"
    # A valid key from the same address still works.
    assert client.get("/api/v1/tickets", headers={"Authorization": f"Bearer {make_key()}"}
                      ).status_code == 200


def test_the_old_billing_url_keeps_its_own_401(client):
    response = client.post("/api/v1/facturacion/eventos/", "{}", content_type="application/json")
    assert response.status_code == 401
    assert response.json() == {"error": "Invalid or missing API key."}

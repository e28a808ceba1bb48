import pytest

from ventanilla.integrations.models import SCOPE_CHOICES, Integration
from ventanilla.integrations.services import api_key_create

ALL_SCOPES = [scope for scope, _label in SCOPE_CHOICES]


@pytest.fixture
def whmcs(sofia):
    """The billing system's integration; it acts as sofia (a supervisor)."""
    return Integration.objects.create(name="WHMCS", slug="whmcs", agent=sofia)


@pytest.fixture
def make_key(whmcs):
    def _make(scopes=ALL_SCOPES, integration=None, rate="600/m"):
        _key, raw = api_key_create(integration or whmcs, name="pruebas", scopes=list(scopes),
                                   rate=rate)
        return raw

    return _make


@pytest.fixture
def api(client, make_key):
    """A client that sends a full-scope key: api.get("/tickets"), api.post(...)."""
    return ApiClient(client, make_key())


class ApiClient:
    def __init__(self, client, key):
        self.client, self.key = client, key

    def _headers(self, extra):
        return {"Authorization": f"Bearer {self.key}", **(extra or {})}

    def get(self, path, headers=None, **params):
        return self.client.get(f"/api/v1{path}", params, headers=self._headers(headers))

    def post(self, path, data, headers=None):
        return self.client.post(f"/api/v1{path}", data, content_type="application/json",
                                headers=self._headers(headers))

    def put(self, path, data, headers=None):
        return self.client.put(f"/api/v1{path}", data, content_type="application/json",
                               headers=self._headers(headers))

    def patch(self, path, data, headers=None):
        return self.client.patch(f"/api/v1{path}", data, content_type="application/json",
                                 headers=self._headers(headers))


@pytest.fixture
def synced(api, alice, bob):
    """alice and bob known to the billing system as C-ALICE and C-BOB."""
    for external_id, customer in (("C-ALICE", alice), ("C-BOB", bob)):
        r = api.put(f"/customers/{external_id}", {"name": customer.name, "email": customer.email})
        assert r.status_code == 200, r.content  # linked by email, not created
    return api


def new_ticket(api, customer="C-ALICE", **extra):
    body = {"customer": customer, "subject": "El correo no sale", "body": "Desde ayer.",
            "department": "soporte", **extra}
    r = api.post("/tickets", body)
    assert r.status_code == 201, r.content
    return r.json()

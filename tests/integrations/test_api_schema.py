"""Schemathesis against the OpenAPI schema, through the WSGI app: no server
errors, and every response matches the schema (status code, content type,
body). Examples are bounded to keep the suite fast."""

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from ventanilla.integrations.services import CustomerData, customer_upsert

# The coverage phase alone sends hundreds of requests: the bounded examples
# and fuzzing phases keep the suite fast.
CONFIG = SchemathesisConfig.from_dict({"phases": {"coverage": {"enabled": False}}})
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application(),
                                        config=CONFIG)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance,
          response_schema_conformance]


@pytest.fixture
def wsgi_in_test_transaction():
    """Requests go through the real WSGI handler, which closes the database
    connection at the start and end of each request; inside the test's
    transaction that connection must stay (Django's test client does the same)."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def key(make_key, whmcs, alice, make_ticket, wsgi_in_test_transaction):
    customer_upsert(whmcs, "C-ALICE", CustomerData(name=alice.name, email=alice.email))
    make_ticket(alice)
    return make_key()


@schema.parametrize()
@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=list(HealthCheck))
def test_the_api_honours_its_schema(case, key):
    case.call_and_validate(headers={"Authorization": f"Bearer {key}"}, checks=CHECKS)


def test_the_schema_documents_errors_as_problem_documents():
    raw = schema.raw_schema
    responses = raw["paths"]["/api/v1/tickets"]["post"]["responses"]
    assert "application/problem+json" in responses["422"]["content"]

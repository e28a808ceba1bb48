"""The seed guidance and fields come from a data migration; transactional
(browser) tests flush them, so put them back like tests/conftest.py does for
the departments."""

import pytest
from django.test import Client

from ventanilla.fields.models import CategoryField, CategoryGuidance, ConsentAction
from ventanilla.fields.seed import seed_category_fields, seed_consent_actions
from ventanilla.tickets.models import Category


@pytest.fixture(autouse=True)
def _seed_fields(_isolated):
    seed_category_fields(Category, CategoryGuidance, CategoryField)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice.user)
    return client


@pytest.fixture
def carla_client(carla):
    client = Client()
    client.force_login(carla)
    return client


@pytest.fixture(autouse=True)
def _seed_consent_actions(_isolated):
    seed_consent_actions(ConsentAction)

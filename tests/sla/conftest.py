import pytest

from ventanilla.sla.models import SlaPolicy
from ventanilla.sla.seed import seed_policies


@pytest.fixture(autouse=True)
def _default_policies(db):
    # Transactional and browser tests flush the seeded policies.
    seed_policies(SlaPolicy)

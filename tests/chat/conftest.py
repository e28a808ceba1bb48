import pytest
from django.apps import apps

from ventanilla.chat.seed import seed_chat_departments


@pytest.fixture(autouse=True)
def _chat_scope(_isolated):
    # Transactional tests flush the seeded chat settings with everything else.
    seed_chat_departments(apps.get_model("chat", "ChatDepartment"),
                          apps.get_model("tickets", "Department"))

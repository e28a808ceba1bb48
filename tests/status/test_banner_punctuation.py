"""The client area's maintenance banner ends its window with one full stop:
in English the time already ends in «p.m.» and the banner read
«10 p.m.. See the details» (found reviewing issue 17)."""

import re
from datetime import datetime, timedelta

from django.utils import timezone

from ventanilla.status.models import Incident


def _window_text(page: str) -> str:
    banner = page[page.index('data-testid="status-banner"'):]
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", banner[:banner.index("</div>")]))


def test_the_maintenance_window_ends_with_a_single_full_stop(client, alice, web1, publish):
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(datetime.combine(timezone.localdate() + timedelta(days=2),
                                                 datetime.min.time().replace(hour=20)), zone)
    publish([web1], kind=Incident.Kind.MAINTENANCE, title="Cambio de discos",
            scheduled_start=start, scheduled_end=start + timedelta(hours=2))
    client.force_login(alice.user)

    spanish = _window_text(client.get("/cliente/").content.decode())
    assert re.search(r"22:00\. ", spanish), spanish

    client.cookies["django_language"] = "en"
    english = _window_text(client.get("/cliente/").content.decode())
    assert "p.m.." not in english, english
    assert re.search(r"10 p\.m\. See the details", english), english


def test_an_incident_banner_still_closes_its_component_list(client, alice, web1, publish):
    publish([web1], title="web1 no responde")
    client.force_login(alice.user)
    text = _window_text(client.get("/cliente/").content.decode())
    assert re.search(r"\. Ya estamos trabajando en ello\.", text), text

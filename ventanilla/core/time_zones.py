"""The time-zone list people pick from (their account, the Alta form's
"hora de inicio", the admin): first the zones our customers are most likely
in, by country, then every canonical zone.

Canonical means the zones of the tz database's zone.tab, the list made "for
user selection": one name per region, none of the backward-compatible
aliases (Africa/Asmera, America/Atka, US/Eastern...) that
zoneinfo.available_timezones() also returns. A value saved under an alias
still works everywhere (ZoneInfo accepts it); canonical_time_zone() gives
the name the list shows for it."""

import zoneinfo
from functools import cache
from pathlib import Path

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

# Where our customers are (Mexico, Spain, South and Central America, the US).
LIKELY_TIME_ZONES = [
    ("America/Mexico_City", _("México (centro)")),
    ("America/Cancun", _("México (Quintana Roo)")),
    ("America/Mazatlan", _("México (Pacífico)")),
    ("America/Hermosillo", _("México (Sonora)")),
    ("America/Tijuana", _("México (Baja California)")),
    ("Europe/Madrid", _("España (península y Baleares)")),
    ("Atlantic/Canary", _("España (Canarias)")),
    ("America/Bogota", _("Colombia")),
    ("America/Argentina/Buenos_Aires", _("Argentina")),
    ("America/Santiago", _("Chile")),
    ("America/Lima", _("Perú")),
    ("America/Caracas", _("Venezuela")),
    ("America/Guayaquil", _("Ecuador")),
    ("America/La_Paz", _("Bolivia")),
    ("America/Asuncion", _("Paraguay")),
    ("America/Montevideo", _("Uruguay")),
    ("America/Guatemala", _("Guatemala")),
    ("America/El_Salvador", _("El Salvador")),
    ("America/Tegucigalpa", _("Honduras")),
    ("America/Managua", _("Nicaragua")),
    ("America/Costa_Rica", _("Costa Rica")),
    ("America/Panama", _("Panamá")),
    ("America/Havana", _("Cuba")),
    ("America/Santo_Domingo", _("República Dominicana")),
    ("America/Puerto_Rico", _("Puerto Rico")),
    ("America/New_York", _("Estados Unidos (este)")),
    ("America/Chicago", _("Estados Unidos (centro)")),
    ("America/Denver", _("Estados Unidos (montaña)")),
    ("America/Phoenix", _("Estados Unidos (Arizona)")),
    ("America/Los_Angeles", _("Estados Unidos (pacífico)")),
    ("Etc/UTC", "UTC"),
]


def _tz_files(name: str) -> list[Path]:
    return [Path(directory) / name for directory in zoneinfo.TZPATH
            if (Path(directory) / name).is_file()]


@cache
def _links() -> dict[str, str]:
    """Backward-compatible alias -> its zone, from the tz database's
    compiled source ("L TARGET ALIAS" lines)."""
    links = {}
    for path in _tz_files("tzdata.zi")[:1]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.startswith("L "):
                _kind, target, alias = line.split()[:3]
                links[alias] = target
    return links


@cache
def canonical_time_zones() -> tuple[str, ...]:
    """Every zone a person may choose, sorted: zone.tab's (the list for
    user selection), else every available zone but the aliases."""
    available = zoneinfo.available_timezones()
    for path in _tz_files("zone.tab")[:1]:
        names = {line.split("\t")[2] for line in path.read_text(encoding="utf-8").splitlines()
                 if line and not line.startswith("#")}
        return tuple(sorted(names & available))
    links = _links()
    return tuple(sorted(name for name in available if "/" in name and name not in links
                        and not name.startswith(("Etc/", "SystemV/"))))


def canonical_time_zone(name: str) -> str:
    """The name the list shows for a saved zone (an alias's target)."""
    return _links().get(name, name)


def is_time_zone(name: str) -> bool:
    return name in zoneinfo.available_timezones()


def time_zone_choices():
    """The grouped choices of a time-zone <select>: likely zones labelled by
    country, then all the canonical ones. Callable, so that forms build it
    (and translate it) when they render."""
    likely = [(zone, format_lazy("{} · {}", where, zone)) for zone, where in LIKELY_TIME_ZONES]
    shown = {zone for zone, _where in LIKELY_TIME_ZONES}
    return [
        (_("Frecuentes"), likely),
        (_("Todas las zonas"), [(zone, zone.replace("_", " ")) for zone in canonical_time_zones()
                                if zone not in shown]),
    ]

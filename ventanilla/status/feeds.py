from django.contrib.syndication.views import Feed
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext_lazy as _

from ventanilla.core.models import SiteSettings

from . import selectors


class StatusFeed(Feed):
    """Every update of every incident and maintenance, newest first."""

    feed_type = Atom1Feed
    description = _("Incidentes y mantenimientos programados")

    def title(self):
        return _("Estado del servicio · %(site)s") % {"site": SiteSettings.load().site_name}

    def link(self):
        return reverse("status:status_page")

    def items(self):
        return selectors.feed_updates()

    def item_title(self, item):
        return f"{item.incident.title} — {item.get_status_display()}"

    def item_description(self, item):
        return item.body

    def item_link(self, item):
        return reverse("status:incident_detail", args=[item.incident_id]) + f"#update-{item.pk}"

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.created_at

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PortalConfig(AppConfig):
    name = "jineng.portal"
    label = "portal"
    verbose_name = _("Public site and overview")

    def ready(self) -> None:
        # The public search index follows saves of classes, institutions, occupations and plans.
        from jineng.portal.services import search

        search.connect_signals()

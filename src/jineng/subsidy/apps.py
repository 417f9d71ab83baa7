from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "jineng.subsidy"
    label = "subsidy"
    verbose_name = _("Subsidies and funds")

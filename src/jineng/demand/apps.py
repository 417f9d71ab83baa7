from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "jineng.demand"
    label = "demand"
    verbose_name = _("Demand and matching")

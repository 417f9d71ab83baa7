from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "jineng.demand"
    label = "demand"
    verbose_name = _("Demand and matching")

    def ready(self) -> None:
        from jineng.core import hooks
        from jineng.demand.selectors import demand_lists

        hooks.work_items.register("demand.lists", demand_lists.work_items)

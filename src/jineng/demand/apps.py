from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "jineng.demand"
    label = "demand"
    verbose_name = _("Demand and matching")

    def ready(self) -> None:
        from jineng.core import hooks
        from jineng.demand.selectors import demand_lists
        from jineng.demand.services import forecasts
        from jineng.outcomes.selectors import labour_market

        hooks.work_items.register("demand.lists", demand_lists.work_items)
        # New hires from the social-insurance records feed the forecasts' observed demand.
        if labour_market.hires_by_occupation not in forecasts.HIRING_SOURCES:
            forecasts.HIRING_SOURCES.append(labour_market.hires_by_occupation)

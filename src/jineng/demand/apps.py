from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DemandConfig(AppConfig):
    name = "jineng.demand"
    label = "demand"
    verbose_name = _("Demand and matching")

    def ready(self) -> None:
        from jineng.core import hooks
        from jineng.demand.selectors import demand_lists
        from jineng.demand.services import forecasts, matching_refresh
        from jineng.outcomes import hooks as outcomes_hooks
        from jineng.outcomes.selectors import labour_market
        from jineng.training import hooks as training_hooks

        hooks.work_items.register("demand.lists", demand_lists.work_items)
        # New hires from the social-insurance records feed the forecasts' observed demand.
        if labour_market.hires_by_occupation not in forecasts.HIRING_SOURCES:
            forecasts.HIRING_SOURCES.append(labour_market.hires_by_occupation)
        # The outcomes job's demand match asks which classes train for a demand-list occupation.
        outcomes_hooks.demand_matched_classes.register("demand.lists",
                                                       demand_lists.classes_on_demand_lists)
        # A class approved, cancelled, suspended, finished or redeclared: its wish matches follow.
        training_hooks.class_changed.register("demand.wish_matches",
                                              matching_refresh.on_class_changed)

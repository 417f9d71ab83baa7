from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubsidyConfig(AppConfig):
    name = "jineng.subsidy"
    label = "subsidy"
    verbose_name = _("Subsidies and funds")

    def ready(self) -> None:
        from jineng.subsidy.warnings import enrollment_warnings
        from jineng.training.hooks import enrollment_warnings as hook

        hook.register("subsidy.limits", enrollment_warnings)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SupervisionConfig(AppConfig):
    name = "jineng.supervision"
    label = "supervision"
    verbose_name = _("Supervision")

    def ready(self) -> None:
        # A person barred by a sanction: the subsidy rules refuse with `person_barred`.
        from jineng.subsidy import hooks
        from jineng.subsidy.services import bulk
        from jineng.supervision.services.oversight import person_barred_until, persons_bars

        hooks.person_barred_until.register("supervision.sanctions", person_barred_until)
        bulk.persons_bars.register("supervision.sanctions", persons_bars)  # a batch at once

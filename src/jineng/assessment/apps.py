from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssessmentConfig(AppConfig):
    name = "jineng.assessment"
    label = "assessment"
    verbose_name = _("Assessment and certificates")

    def ready(self) -> None:
        from django.core import checks

        from jineng.assessment.checks import check_number_patterns
        from jineng.assessment.views.records import skill_record_links
        from jineng.registry.hooks import person_page_links, persons_served
        from jineng.training.hooks import class_finished

        persons_served.register("assessment.candidate", assessed_by)
        person_page_links.register("assessment.skill_record", skill_record_links)
        checks.register(check_number_patterns, "assessment")
        class_finished.register("assessment.class_step", class_finished_step)


def assessed_by(organization_id: int):
    """Persons who are candidates of an evaluator's sittings: its operators may read them."""
    from jineng.assessment.models import Candidate

    return Candidate.objects.filter(sitting__evaluator_id=organization_id).values("person_id")


def class_finished_step(*, actor, training_class) -> None:
    """A class finishing after its sittings all closed is assessed now (services.class_step)."""
    from jineng.assessment.services import class_step

    class_step.assess_class_if_done(actor, training_class.pk)

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

        persons_served.register("assessment.candidate", assessed_by)
        person_page_links.register("assessment.skill_record", skill_record_links)
        checks.register(check_number_patterns, "assessment")


def assessed_by(organization_id: int):
    """Persons who are candidates of an evaluator's sittings: its operators may read them."""
    from jineng.assessment.models import Candidate

    return Candidate.objects.filter(sitting__evaluator_id=organization_id).values("person_id")

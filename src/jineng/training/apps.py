from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "jineng.training"
    label = "training"
    verbose_name = _("Training")

    def ready(self) -> None:
        from jineng.registry.hooks import person_reference_movers, persons_served

        person_reference_movers.register("training.enrollment", move_enrollments)
        persons_served.register("training.enrollment", enrolled_with)


def enrolled_with(organization_id: int):
    """Persons enrolled in an institution's classes: its operators may read them."""
    from jineng.training.models import Enrollment

    return Enrollment.objects.filter(
        training_class__institution_id=organization_id).values("person_id")


def move_enrollments(*, duplicate, survivor, actor) -> int:
    """A merged person's enrollments move to the survivor (registry.hooks). Both enrolled in
    the same class cannot be combined: the merge is refused, naming the class."""
    from jineng.core.errors import Conflict
    from jineng.training.models import Enrollment

    rows = list(Enrollment.objects.select_for_update().filter(person=duplicate))
    classes = {e.training_class_id for e in rows}
    both = (Enrollment.objects.filter(person=survivor, training_class_id__in=classes)
            .values_list("training_class_id", flat=True).first())
    if both is not None:
        raise Conflict(_("Both persons are enrolled in class %(id)s; withdraw one enrollment "
                         "before merging.") % {"id": both}, field="survivor",
                       code="enrolled_twice")
    return Enrollment.objects.filter(pk__in=[e.pk for e in rows]).update(person=survivor)

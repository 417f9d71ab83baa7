"""Choice lists of the plans app."""

from django.db import models
from django.utils.translation import gettext_lazy as _

# The fact contract's vocabulary, for the apps that feed plan facts (plans.services.facts):
# the sectors and key groups a fact may name (codes → the policies' Chinese names).
from jineng.plans.rules.vocabulary import KEY_GROUPS as FACT_KEY_GROUPS  # noqa: F401
from jineng.plans.rules.vocabulary import SECTORS as FACT_SECTORS  # noqa: F401


class Comparator(models.TextChoices):
    AT_LEAST = "at_least", _("at least")
    ABOUT = "about", _("about")
    AT_MOST = "at_most", _("at most")
    EXACTLY = "exactly", _("exactly")


class DecompositionMethod(models.TextChoices):
    MANUAL = "manual", _("By hand")
    PROPORTIONAL = "proportional", _("In proportion to a base")
    EQUAL = "equal", _("Equal shares")


class DecompositionBase(models.TextChoices):
    LAST_YEAR = "last_year", _("Last year's volume (same metric)")
    PERSONS = "persons", _("Registered persons")
    CUSTOM = "custom", _("Figures entered here (e.g. population)")


class ChecklistStatus(models.TextChoices):
    OPEN = "open", _("Not started")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("In place")


class ReportStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for changes")
    REVIEWED = "reviewed", _("Reviewed")


class ProgressStatus(models.TextChoices):
    """Mirrors rules.progress statuses, with their labels."""

    DONE = "done", _("Reached")
    AHEAD = "ahead", _("Ahead")
    ON_TRACK = "on_track", _("On track")
    BEHIND = "behind", _("Behind")
    FAR_BEHIND = "far_behind", _("Far behind")
    NOT_STARTED = "not_started", _("Not started")
    NO_DATA = "no_data", _("No data yet")
    NO_TARGET = "no_target", _("Not decomposed")
    MET = "met", _("Met")
    BELOW = "below", _("Below target")
    EXCEEDED = "exceeded", _("Exceeded")


DIMENSION_LABELS = {
    "sector": _("sector"),
    "key_group": _("key group"),
    "training_type": _("training type"),
    "program": _("program"),
}

"""Translated sentences for the problems the pure rules report (rules return codes only)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.catalog.rules.problems import Problem

MESSAGES = {
    "end_before_start": gettext_lazy("The end date %(end)s is before the start date %(start)s."),
    "not_a_number": gettext_lazy("%(value)s is not a number."),
    "not_positive": gettext_lazy("Must be greater than zero (got %(value)s)."),
    "above_cap": gettext_lazy(
        "%(value)s is above the plausible maximum of %(cap)s; check the figure."),
    "too_many_decimals": gettext_lazy("Use at most two decimal places (got %(value)s)."),
    "hours_range": gettext_lazy("Class hours must be between 1 and %(max)s (got %(value)s)."),
    "share_range": gettext_lazy(
        "Must be a share between 0 and 1, such as 0.8 or 80%% (got %(value)s)."),
    "shares_sum": gettext_lazy(
        "The government, enterprise and individual shares must add up to 1; "
        "they add up to %(total)s."),
    "material_above_amount": gettext_lazy(
        "The material cost %(value)s is more than the standard amount %(amount)s."),
    "level_order": gettext_lazy("The lowest level is above the highest level."),
    "self_evaluation_not_enterprise": gettext_lazy(
        "Only an enterprise can be listed for enterprise self-evaluation."),
    "enterprise_needs_self_evaluation": gettext_lazy(
        "An enterprise can be listed only for enterprise self-evaluation."),
    "top_filing_required": gettext_lazy(
        "Assessing 特级技师 or 首席技师 needs the filing (备案) number and date."),
    "overlaps_row": gettext_lazy(
        "Overlaps row %(other)s for the same entry (%(label)s) from %(start)s."),
    "overlaps_existing": gettext_lazy(
        "Overlaps an entry already in this draft (%(label)s) from %(start)s."),
    "contradicts_base": gettext_lazy(
        "Contradicts the base catalog entry %(base)s (%(fields)s differ). Mark the row as "
        "overriding the base catalog and give a reason, or remove it."),
    "override_nothing": gettext_lazy(
        "Marked as overriding the base catalog, but the base catalog has no such entry in "
        "force at that time."),
    "override_without_reason": gettext_lazy("Give the reason for overriding the base catalog."),
    "before_version": gettext_lazy("Starts before the version takes effect (%(start)s)."),
    "after_version": gettext_lazy("Ends after the version ends (%(end)s), or has no end."),
    "not_after_previous": gettext_lazy(
        "A new version must take effect after the current version began (%(previous)s)."),
}


def message(problem: Problem, labels: dict[str, str] | None = None) -> str:
    """The sentence for a problem; `labels` maps field names to column titles."""
    labels = labels or {}
    params = {k: (", ".join(labels.get(f, f) for f in v) if isinstance(v, list | tuple) else v)
              for k, v in problem.params.items()}
    template = MESSAGES.get(problem.code)
    if template is None:
        return _("Invalid value (%(code)s).") % {"code": problem.code}
    return str(template) % params

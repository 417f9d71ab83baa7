"""Sentences for the codes the subsidy rules return (the rules stay free of Django and return
codes with parameters). `explain_step`, `refusal_sentence` and `issue_sentence` fill them in."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from jineng.subsidy.choices import ClaimKind, PayeeKind
from jineng.subsidy.rules.parameters import Issue
from jineng.subsidy.rules.types import Decision, Step

# Refusals: the code is the rule's name (stable; the API returns it beside the sentence).
REFUSALS = {
    "no_parameters": gettext_lazy(
        "No subsidy parameters are in force for region %(region)s on %(day)s."),
    "kind_not_granted": gettext_lazy("This region does not grant this kind of subsidy."),
    "person_barred": gettext_lazy(
        "The person is barred from subsidies until %(until)s (a sanction after confirmed "
        "fraud)."),
    "institution_unlisted": gettext_lazy(
        "The training institution is suspended or removed from the catalog: no new claim."),
    "payee_not_allowed": gettext_lazy(
        "This subsidy is not paid to a payee of this kind (%(payee)s) here."),
    "standard_missing": gettext_lazy(
        "There is no subsidy standard for occupation %(occupation)s at level %(level)s."),
    "certificate_missing": gettext_lazy(
        "This subsidy needs a certificate: give its number and date."),
    "claim_before_certificate": gettext_lazy(
        "The claim date %(claim_date)s is before the certificate date %(certificate_date)s."),
    "outside_province": gettext_lazy(
        "Certificates earned outside the province are not subsidized here."),
    "claim_window": gettext_lazy(
        "The claim is late: it had to be made within %(months)s months of the certificate "
        "date %(certificate_date)s, by %(last_day)s at the latest (claimed %(claim_date)s)."),
    "same_certificate": gettext_lazy(
        "Certificate %(certificate)s has already been subsidized (%(kind)s, claimed "
        "%(claim_date)s); a certificate is paid once, by one kind only."),
    "same_occupation_level": gettext_lazy(
        "This occupation (%(occupation)s) at this level (%(level)s) has already been "
        "subsidized (%(kind)s, claimed %(claim_date)s)."),
    "lower_after_higher": gettext_lazy(
        "A higher level (%(higher)s) of this occupation (%(occupation)s) has already been "
        "subsidized; a lower level (%(level)s) is not subsidized after it."),
    "yearly_limit": gettext_lazy(
        "The person has already had %(used)s subsidies in %(year)s (all kinds, also those paid "
        "to an institution or enterprise); at most %(allowed)s a year."),
    "insured_months": gettext_lazy(
        "%(months)s months of unemployment-insurance contributions; at least %(required)s are "
        "needed."),
    "upskilling_per_year": gettext_lazy(
        "The upskilling subsidy has already been granted %(used)s time(s) in %(year)s; at most "
        "%(allowed)s."),
    "apprenticeship_per_year": gettext_lazy(
        "The apprenticeship subsidy for this apprentice has already been granted %(used)s "
        "time(s) in %(year)s; at most %(allowed)s."),
    "key_group_required": gettext_lazy(
        "The living allowance is granted only to the key groups the region names."),
    "days_missing": gettext_lazy("No training day attended is known (the living allowance "
                                 "is paid by the days attended)."),
    "uplift_too_early": gettext_lazy(
        "The employment window of %(months)s months after the class end (%(class_end)s) runs "
        "until %(window_end)s; claim after it."),
    "uplift_window_mismatch": gettext_lazy(
        "The employment count used a %(used)s-month window; the rule needs %(required)s "
        "months."),
    "uplift_share": gettext_lazy(
        "%(employed)s of %(trainees)s trainees (%(share)s) were stably employed within "
        "%(months)s months; at least %(required)s are needed."),
    "uplift_once_per_class": gettext_lazy(
        "The employment uplift for this class has already been claimed."),
    "uplift_counts_invalid": gettext_lazy(
        "%(employed)s stably employed of %(trainees)s trainees is not a possible count."),
    "class_subsidy_missing": gettext_lazy(
        "The class's training subsidies (the base of the uplift) are missing."),
}

# Steps: checks passed and stages of the amount.
STEPS = {
    "outside_province_ok": gettext_lazy(
        "Certificate earned outside the province: accepted here."),
    "claim_window_ok": gettext_lazy(
        "Claimed on %(claim_date)s, within %(months)s months of the certificate date "
        "%(certificate_date)s (last day %(last_day)s)."),
    "insured_months_ok": gettext_lazy(
        "%(months)s months of unemployment-insurance contributions (at least %(required)s)."),
    "key_group_ok": gettext_lazy("Key group entitled to the allowance."),
    "uplift_share_ok": gettext_lazy(
        "%(employed)s of %(trainees)s trainees (%(share)s) stably employed within %(months)s "
        "months (at least %(required)s)."),
    "occupation_level_ok": gettext_lazy(
        "No earlier subsidy for this occupation at this or a higher level."),
    "upskilling_per_year_ok": gettext_lazy(
        "Upskilling subsidies in %(year)s: %(used)s of %(allowed)s."),
    "apprenticeship_per_year_ok": gettext_lazy(
        "Apprenticeship subsidies for this apprentice in %(year)s: %(used)s of %(allowed)s."),
    "yearly_limit_ok": gettext_lazy("Subsidies in %(year)s so far: %(used)s of %(allowed)s."),
    "base_catalog": gettext_lazy("Catalog subsidy standard: %(amount)s yuan."),
    "base_level_amount": gettext_lazy("Amount for the level: %(amount)s yuan."),
    "base_per_day": gettext_lazy(
        "%(rate)s yuan a day × %(counted)s days = %(amount)s yuan."),
    "base_class_share": gettext_lazy(
        "%(rate)s of the class's training subsidies of %(total)s yuan = %(amount)s yuan."),
    "level_factor": gettext_lazy("× %(factor)s for the level."),
    "material_cost": gettext_lazy(
        "× %(factor)s for the material cost (class %(class)s, material at least %(min_share)s "
        "of the standard)."),
    "urgent_uplift": gettext_lazy("+ %(rate)s for an urgently-needed occupation."),
    "key_group_uplift": gettext_lazy("+ %(rate)s for a key group."),
    "capped": gettext_lazy("Capped at %(factor)s × the base: %(cap)s yuan."),
    "rounded": gettext_lazy("Rounded to the cent: %(amount)s yuan."),
    "cost_sharing": gettext_lazy(
        "Cost sharing: government %(government)s (%(government_share)s), enterprise "
        "%(enterprise)s (%(enterprise_share)s), individual %(individual)s "
        "(%(individual_share)s); the subsidy is the government's part."),
}

# Parameter-file issues.
ISSUES = {
    "yaml_syntax": gettext_lazy("YAML syntax error: %(problem)s"),
    "too_long": gettext_lazy("The file is too long (at most %(max)s characters)."),
    "not_a_mapping": gettext_lazy("A parameter file is a YAML mapping of keys to values."),
    "duplicate_key": gettext_lazy("Duplicate key %(key)s."),
    "unknown_key": gettext_lazy("Unknown key %(key)s."),
    "missing_key": gettext_lazy("Missing key %(key)s."),
    "wrong_type": gettext_lazy("%(field)s must be %(expected)s, not %(value)s."),
    "out_of_range": gettext_lazy("%(field)s is out of range (%(low)s–%(high)s): %(value)s."),
    "too_many_places": gettext_lazy(
        "%(field)s has too many decimal places (at most %(places)s): %(value)s."),
    "unknown_value": gettext_lazy("%(field)s: unknown value %(value)s (allowed: %(allowed)s)."),
    "duplicate_value": gettext_lazy("%(field)s: %(value)s appears twice."),
    "shares_sum": gettext_lazy(
        "The government, enterprise and individual shares must add up to 1, not %(total)s."),
    "urgent_times_below": gettext_lazy(
        "Times a year for urgently-needed occupations (%(urgent)s) is below the normal "
        "times (%(normal)s)."),
    "bad_schema": gettext_lazy("schema must be %(expected)s, not %(value)s."),
    "bad_version": gettext_lazy(
        "version must be lower-case letters, digits, dots, dashes or underscores: %(value)s."),
    "bad_region": gettext_lazy(
        "region must be a six-digit region code (or empty for the national default): "
        "%(value)s."),
    "bad_date": gettext_lazy("%(field)s is not a date: %(value)s."),
    "period_order": gettext_lazy("The period ends (%(end)s) before it starts (%(start)s)."),
    "empty_source": gettext_lazy("The source of %(path)s is empty."),
    "source_unused": gettext_lazy("The source %(path)s names no value of this file."),
    "source_missing": gettext_lazy(
        "%(path)s has no source: cite the clause (or say it is illustrative) under sources."),
    "overlap": gettext_lazy(
        "Version %(version)s of region %(region)s starts on %(start)s, while version "
        "%(other)s (%(other_file)s) is still in force (until %(other_end)s)."),
    "duplicate_version": gettext_lazy("Version %(version)s is used twice (%(other)s)."),
}


# Parameters holding a code that has a label in the user's language.
_LABELS = {"kind": ClaimKind, "payee": PayeeKind}


def _label(name: str, value):
    choices = _LABELS.get(name)
    if choices is None or value not in choices.values:
        return value
    return str(choices(value).label)


def _fill(template, params: dict) -> str:
    flat = {k: (", ".join(str(_label(k, x)) for x in v) if isinstance(v, list | tuple)
                else _label(k, v))
            for k, v in params.items()}
    try:
        return str(template) % flat
    except (KeyError, TypeError, ValueError):
        return str(template)


def refusal_sentence(code: str | None, params: dict) -> str:
    if not code:
        return ""
    template = REFUSALS.get(code)
    if template is None:
        return _("Refused (%(code)s).") % {"code": code}
    return _fill(template, params)


def explain_step(step: Step) -> str:
    if step.code.startswith("refused_"):
        return refusal_sentence(step.rule, dict(step.params))
    template = STEPS.get(step.code)
    if template is None:
        return step.code
    return _fill(template, dict(step.params))


def explain(decision: Decision) -> list[dict]:
    """The steps of a decision with their sentences (for the page and the API)."""
    return [{**s.as_dict(), "text": explain_step(s)} for s in decision.steps]


def issue_sentence(issue: Issue) -> str:
    template = ISSUES.get(issue.code)
    text = _fill(template, issue.params) if template is not None else issue.code
    if issue.line:
        return _("Line %(line)s: %(text)s") % {"line": issue.line, "text": text}
    return text

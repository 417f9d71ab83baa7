"""Words for the rules' results: the pure rules return codes and figures, these functions say
them in the user's language."""

from __future__ import annotations

from django.utils.translation import gettext as _

from jineng.core.errors import DomainError, Forbidden
from jineng.registry.choices import KeyGroup
from jineng.training.rules import lifecycle
from jineng.training.rules.eligibility import Check
from jineng.training.rules.xapi import StatementInvalid


def _group(code: str) -> str:
    try:
        return str(KeyGroup(code).label)
    except ValueError:
        return code


def explain(check: Check | dict) -> str:
    """One sentence for one eligibility check, with its figures."""
    c = check.as_dict() if isinstance(check, Check) else check
    p, code, ok = c.get("params", {}), c["code"], c["passed"]
    if code == "minimum_age":
        text = (_("Aged %(age)s on %(on)s, at least %(minimum)s: eligible.") if ok else
                _("Aged %(age)s on %(on)s: below the minimum age of %(minimum)s."))
        return text % p
    if code == "retirement_age":
        if ok:
            return _("Statutory retirement age %(retirement_age)s, reached on %(reached_on)s: "
                     "not reached on %(on)s.") % p
        text = _("Statutory retirement age %(retirement_age)s (born %(birth_month)s, original "
                 "age %(original_age)s plus %(delay_months)s months) was reached on "
                 "%(reached_on)s, before the class starts on %(on)s.") % p
        if p.get("exception_available"):
            text += " " + _("The region admits workers past it who draw no pension: declare "
                            "that the person draws none.")
        return text
    if code == "retirement_age_exception":
        return _("Past the statutory retirement age (%(retirement_age)s, reached on "
                 "%(reached_on)s) but draws no pension: admitted by the regional "
                 "exception.") % p
    if code == "key_group":
        if not p.get("target_group"):
            return _("The class is open to every eligible worker.")
        label = _group(p["target_group"])
        if ok:
            return _("Belongs to the class's key group %(group)s.") % {"group": label}
        return _("The class is for %(group)s; the person is not registered in that group on "
                 "the start date.") % {"group": label}
    if code == "schedule_overlap":
        if ok:
            return _("No other class at the same time.")
        names = "、".join(f"“{x['name']}”" for x in p.get("classes", []))
        return _("Already enrolled in %(classes)s, whose sessions overlap this class's "
                 "(first at %(when)s).") % {
                     "classes": names,
                     "when": (p.get("classes") or [{}])[0].get("first_overlap", "")}
    if code == "subsidy_frequency":
        return _("Subsidy limit: %(message)s") % p
    return code


def check_view(check: Check | dict) -> dict:
    """One eligibility check as the pages and the API show it: its code, whether it passed
    and blocks, the sentence that explains it, the rule and the figures."""
    c = check.as_dict() if isinstance(check, Check) else check
    return {"code": c["code"], "passed": c["passed"], "blocking": c.get("blocking", True),
            "text": explain(c), "rule": c.get("rule", ""), "params": c.get("params", {})}


TRANSITION_MESSAGES = {
    "not_permitted": lambda: _("You may not take this action on this class."),
    "not_allowed_from": lambda: _("This action is not possible while the class is "
                                  "%(status)s."),
    "reason_required": lambda: _("Give a reason for this action."),
    "unknown_action": lambda: _("Unknown action."),
}


def transition_error(refused: lifecycle.TransitionRefused, cls) -> DomainError:
    if refused.code == "not_permitted" and refused.action == "assess":
        return Forbidden(_("A class becomes assessed when its assessments are closed and "
                           "their certificates issued, not by hand."))
    text = TRANSITION_MESSAGES[refused.code]() % {"status": cls.get_status_display()}
    if refused.code == "not_permitted":
        return Forbidden(text)
    field = "reason" if refused.code == "reason_required" else "action"
    return DomainError(text, field=field, code=refused.code)


XAPI_MESSAGES = {
    "id": lambda: _("Each statement needs its UUID id (the idempotency key)."),
    "actor.account.name": lambda: _("actor.account.name must carry the enrollment number."),
    "verb.id": lambda: _("Only completed and progressed statements carry learning time; "
                         "answered, interacted, attempted, commented and responded are kept "
                         "as interactions."),
    "object.id": lambda: _("Name the class as urn:jineng:class:<number>."),
    "timestamp": lambda: _("timestamp must be an ISO 8601 date-time with a time-zone offset."),
}


def xapi_message(bad: StatementInvalid) -> str:
    if bad.field == "result.duration":
        if bad.code == "out_of_range":
            return _("result.duration must be more than 0 and at most 24 hours.")
        return _("result.duration must be an ISO 8601 duration such as PT1H30M.")
    maker = XAPI_MESSAGES.get(bad.field)
    return maker() if maker else _("A statement must be a JSON object.")

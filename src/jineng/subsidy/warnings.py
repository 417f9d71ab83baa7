"""The training app's enrollment warning (training.hooks.enrollment_warnings): when a person is
checked for a class, the subsidy limits they have used — "已享受补贴 2/3 次", the same occupation
and level already subsidized, a lower level after a higher one. Warnings only: the rules decide
when the claim is filed. Read against the person's history in jineng and imported, with the
parameters in force in the person's region on the class's first day."""

from __future__ import annotations

import datetime as dt

from django.utils.translation import gettext as _

from jineng.subsidy import evaluation
from jineng.subsidy.rules import engine

__all__ = ["enrollment_warnings"]


def enrollment_warnings(*, person, occupation, level, training_type, day: dt.date) -> list[str]:
    """Sentences in the user's language (none when nothing is used up, or no parameters)."""
    params = evaluation.parameters_for(person.region, day)
    if params is None:
        return []
    history = [p for p in evaluation.history_for([person.pk]).get(person.pk, []) if p.counts]
    if not history:
        return []
    out: list[str] = []
    usage = engine.year_usage(str(person.pk), history, params, day)
    if usage["used"]:
        if usage["left"] <= 0:
            out.append(_("Subsidies used in %(year)s: %(used)s of %(limit)s. The yearly limit "
                         "is reached: a subsidy for this class would be refused.") % usage)
        else:
            out.append(_("Subsidies used in %(year)s: %(used)s of %(limit)s.") % usage)
    code = (getattr(occupation, "code", "") or "") if occupation is not None else ""
    if code and level is not None:
        same = [p for p in history if p.occupation_code == code and p.level == level.code]
        higher = [p for p in history if p.occupation_code == code and p.level_rank is not None
                  and level.rank is not None and p.level_rank > level.rank]
        if same:
            out.append(_("Already subsidized for this occupation at this level (%(day)s): the "
                         "same occupation and level is subsidized once.")
                       % {"day": max(p.claim_date for p in same).isoformat()})
        elif higher:
            out.append(_("Already subsidized for this occupation at a higher level: a lower "
                         "level is not subsidized after a higher one."))
    return out

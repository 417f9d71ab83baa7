"""Parameter sets of the subsidy rules: uploaded as YAML (checked strictly by the rules'
loader: unknown keys, wrong types, bad dates, each with its line number), then published.
Publishing refuses a period that overlaps a published set of the same region. A published set
never changes but for its end: `parameter_set_close` ends it on a day (today or later; it is
then "superseded") so that a new version takes over the next day.

Province HRSS staff upload and publish their province's sets and its cities'; city staff
their city's; the national default (region "") is a system administrator's."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from jineng.core import audit
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction
from jineng.core.scoping import scope_of
from jineng.subsidy import messages
from jineng.subsidy.choices import ParameterStatus
from jineng.subsidy.models import ParameterSet
from jineng.subsidy.rules import parameters as loader
from jineng.subsidy.services.common import governs_as_city, is_hrss, region_by_code

__all__ = ["parameter_set_close", "parameter_set_publish", "parameter_set_upload"]

MAX_YAML_CHARS = 200_000


def _ensure_may_set(actor, region_code: str) -> None:
    if not is_hrss(actor):
        raise Forbidden(_("Only HRSS staff set subsidy parameters."))
    if region_code == "":
        if not scope_of(actor).everything:
            raise Forbidden(_("Only a system administrator sets the national default."))
        return
    if not governs_as_city(actor, region_code):
        raise Forbidden(_("Only the province or city HRSS office over %(code)s sets its "
                          "parameters.") % {"code": region_code})


def _issue_error(issues: list) -> DomainError:
    first = issues[0]
    text = "; ".join(messages.issue_sentence(i) for i in issues[:5])
    return DomainError(text, field="yaml_text", code=first.code)


def parameter_set_upload(*, actor, yaml_text: str) -> ParameterSet:
    """A draft parameter set from its YAML text, checked strictly; the errors name their
    lines. The region and the version come from the text."""
    text = yaml_text or ""
    if not text.strip():
        raise DomainError(_("Paste or upload the parameter file."), field="yaml_text",
                          code="required")
    if len(text) > MAX_YAML_CHARS:
        raise DomainError(_("The parameter file is longer than %(n)s characters.")
                          % {"n": MAX_YAML_CHARS}, field="yaml_text", code="too_long")
    result = loader.check_parameters(text)
    if not result.ok:
        # Who may set the region is checked first when the file names one.
        raise _issue_error(result.issues)
    raw = result.raw
    region = region_by_code(raw.region_code, field="yaml_text") if raw.region_code else None
    _ensure_may_set(actor, raw.region_code)
    try:
        with transaction.atomic():
            row = ParameterSet.objects.create(
                region=region, version=raw.version, valid_from=raw.valid_from,
                valid_to=raw.valid_to, yaml_text=text, parsed=raw.to_json(),
                uploaded_by=actor if getattr(actor, "is_authenticated", False) else None)
            audit.record(actor=actor, action=AuditAction.CREATE, instance=row,
                         after={"version": row.version, "region": raw.region_code,
                                "valid_from": row.valid_from.isoformat(),
                                "valid_to": row.valid_to.isoformat() if row.valid_to else None})
    except IntegrityError as clash:
        raise Conflict(_("Version %(version)s of this region exists already; give the new "
                         "set another version.") % {"version": raw.version}, field="yaml_text",
                       code="duplicate_version") from clash
    return row


def parameter_set_publish(*, actor, parameter_set_id: int) -> ParameterSet:
    """Publish a draft: from its first day the rules use it for its region (and the regions
    below that have no set of their own). Refused when its period overlaps a published set of
    the same region (`overlap`)."""
    row = (ParameterSet.objects.visible_to(actor).select_related("region")
           .filter(pk=parameter_set_id).first())
    if row is None:
        raise NotFound()
    _ensure_may_set(actor, row.region_code)
    with transaction.atomic():
        # The region's sets are locked: two publications at once cannot both miss the other.
        same_region = ParameterSet.objects.select_for_update().filter(
            region=row.region) if row.region_id else ParameterSet.objects.select_for_update(
            ).filter(region__isnull=True)
        rows = list(same_region.order_by("pk"))
        row = next(r for r in rows if r.pk == parameter_set_id)
        if row.status != ParameterStatus.DRAFT:
            raise Conflict(_("Only a draft is published."), field="status",
                           code="not_draft")
        published = [loader.raw_from_json(r.parsed) for r in rows
                     if r.status in (ParameterStatus.PUBLISHED, ParameterStatus.SUPERSEDED)]
        mine = loader.raw_from_json(row.parsed)
        issues = [i for i in loader.check_overlaps([*published, mine])
                  if i.code == "overlap" and mine.version in (i.params.get("version"),
                                                              i.params.get("other"))]
        if issues:
            raise Conflict(messages.issue_sentence(issues[0]), field="valid_from",
                           code="overlap")
        row.status = ParameterStatus.PUBLISHED
        row.published_by = actor if getattr(actor, "is_authenticated", False) else None
        row.published_at = timezone.now()
        row.save(update_fields=["status", "published_by", "published_at"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=row,
                     before={"status": ParameterStatus.DRAFT},
                     after={"status": ParameterStatus.PUBLISHED})
    return row


def parameter_set_close(*, actor, parameter_set_id: int, last_day: dt.date,
                        today: dt.date | None = None) -> ParameterSet:
    """End a published set on `last_day` (today or later, not before its first day), so that
    a new version of the region can take over the next day; the set becomes "superseded".
    Days already past keep the set they had: a closing never reaches into the past."""
    row = (ParameterSet.objects.visible_to(actor).select_related("region")
           .filter(pk=parameter_set_id).first())
    if row is None:
        raise NotFound()
    _ensure_may_set(actor, row.region_code)
    today = today or timezone.localdate()
    if not isinstance(last_day, dt.date):
        raise DomainError(_("The last day is a date."), field="last_day", code="invalid")
    with transaction.atomic():
        row = ParameterSet.objects.select_for_update().get(pk=row.pk)
        if row.status != ParameterStatus.PUBLISHED:
            raise Conflict(_("Only a published set is closed."), field="status",
                           code="not_published")
        if last_day < today or last_day < row.valid_from:
            raise DomainError(_("The last day is today or later, and not before the set's "
                                "first day (%(first)s).") % {"first": row.valid_from},
                              field="last_day", code="in_past")
        if row.valid_to is not None and last_day >= row.valid_to:
            raise DomainError(_("The set already ends on %(end)s.") % {"end": row.valid_to},
                              field="last_day", code="not_shorter")
        before = row.valid_to
        row.valid_to = last_day
        row.status = ParameterStatus.SUPERSEDED
        row.parsed = {**row.parsed, "valid_to": last_day.isoformat()}
        row.save(update_fields=["valid_to", "status", "parsed"])
        audit.record(actor=actor, action=AuditAction.TRANSITION, instance=row,
                     before={"status": ParameterStatus.PUBLISHED,
                             "valid_to": before.isoformat() if before else None},
                     after={"status": ParameterStatus.SUPERSEDED,
                            "valid_to": last_day.isoformat()})
    return row

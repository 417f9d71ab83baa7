"""Reads of the demand app: enterprise demand lists and Guizhou's 四张清单. Scoped to the actor:
an enterprise sees its own lists, HRSS staff their region's, industry-department staff their
region's lists of their sector (DemandList.objects.visible_to). Out of scope answers NotFound.

四张清单 (Guizhou (一), (十三)) as views over records, per region and quarter:
- demand list (需求清单): the filed lines (submitted or accepted lists) aggregated by
  occupation × level;
- training list (培训清单): the classes of those occupations running in the quarter (training's
  selectors, scoped);
- evaluation list (评价清单): assessment sittings held and certificates issued in the quarter for
  those occupations (assessment's selectors, scoped);
- employment list (就业清单): referrals and hires against those lines (demand.Referral).
"""

from __future__ import annotations

import datetime as dt
import io
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Max, Min, Q, QuerySet, Sum
from django.utils.translation import gettext as _

from jineng.assessment import selectors as assessment_selectors
from jineng.core.errors import NotFound
from jineng.core.scoping import scope_of
from jineng.demand.models import DemandLine, DemandList, DemandListStatusChange, Referral
from jineng.demand.rules import demand_lists as rules
from jineng.training import selectors as training_selectors
from jineng.training.choices import ClassStatus

__all__ = [
    "DemandListFilters",
    "FourLists",
    "demand_line_get",
    "demand_line_list",
    "demand_list_get",
    "demand_list_history",
    "demand_list_list",
    "demand_lists_awaiting_review",
    "demand_lists_to_file",
    "four_lists",
    "four_lists_xlsx",
    "work_items",
]


@dataclass(frozen=True)
class DemandListFilters:
    year: int | None = None
    quarter: int | None = None
    status: str = ""
    region_code: str = ""  # a subtree prefix
    sector: str = ""
    q: str = ""  # enterprise or alliance name


def _base(actor) -> QuerySet[DemandList]:
    return DemandList.objects.visible_to(actor).select_related("organization", "region")


def demand_list_list(*, actor, filters: DemandListFilters | None = None,
                     ) -> QuerySet[DemandList]:
    """Lists in the actor's scope, newest quarter first, with their line count and people."""
    f = filters or DemandListFilters()
    qs = _base(actor)
    if f.year:
        qs = qs.filter(year=f.year)
    if f.quarter:
        qs = qs.filter(quarter=f.quarter)
    if f.status:
        qs = qs.filter(status=f.status)
    if f.region_code:
        qs = qs.filter(region__code__startswith=f.region_code.rstrip("0") or f.region_code)
    if f.sector:
        qs = qs.filter(sector=f.sector)
    if f.q.strip():
        term = f.q.strip()
        qs = qs.filter(Q(organization__name__icontains=term) | Q(alliance_name__icontains=term))
    return (qs.annotate(line_count=Count("lines", distinct=True),
                        people=Sum("lines__headcount"))
            .order_by("-year", "-quarter", "organization__name", "id"))


def demand_list_get(*, actor, pk: int) -> DemandList:
    found = _base(actor).filter(pk=pk).first()
    if found is None:
        raise NotFound()
    return found


def demand_line_list(*, actor, demand_list: DemandList) -> QuerySet[DemandLine]:
    return (DemandLine.objects.filter(demand_list__in=DemandList.objects.visible_to(actor),
                                      demand_list_id=demand_list.pk)
            .select_related("occupation", "level").order_by("id"))


def demand_line_get(*, actor, pk: int) -> DemandLine:
    found = (DemandLine.objects.filter(demand_list__in=DemandList.objects.visible_to(actor))
             .select_related("demand_list__region", "demand_list__organization", "occupation",
                             "level").filter(pk=pk).first())
    if found is None:
        raise NotFound()
    return found


def demand_list_history(*, actor, demand_list: DemandList) -> QuerySet[DemandListStatusChange]:
    return DemandListStatusChange.objects.visible_to(actor).filter(
        demand_list_id=demand_list.pk).order_by("at", "id")


def demand_lists_awaiting_review(*, actor) -> QuerySet[DemandList]:
    """Submitted lists of the HRSS office's region, oldest first; empty for anyone else."""
    if not getattr(actor, "is_hrss_staff", False):
        return DemandList.objects.none()
    return (demand_list_list(actor=actor).filter(status__in=rules.REVIEW_STATES)
            .order_by("status_changed_at", "id"))


def demand_lists_to_file(*, actor) -> QuerySet[DemandList]:
    """An enterprise's own lists still to file: drafts and returned ones, oldest quarter
    first; empty for anyone else."""
    org_id = getattr(actor, "organization_id", None)
    if getattr(actor, "role", "") != "enterprise" or not org_id:
        return DemandList.objects.none()
    return (demand_list_list(actor=actor).filter(organization_id=org_id,
                                                 status__in=rules.EDITABLE_STATES)
            .order_by("year", "quarter", "id"))


# --- 四张清单 ------------------------------------------------------------------------------------

@dataclass
class FourLists:
    region_code: str
    year: int
    quarter: int
    first: dt.date
    last: dt.date
    demand: list[dict] = field(default_factory=list)
    training: list[dict] = field(default_factory=list)
    evaluation: list[dict] = field(default_factory=list)
    employment: list[dict] = field(default_factory=list)


UNRUN = (ClassStatus.REJECTED, ClassStatus.CANCELLED, ClassStatus.RETURNED)


def four_lists(*, actor, region_code: str, year: int, quarter: int) -> FourLists:
    """The four lists of a region (a subtree) and quarter, as the actor may see them (every
    part through its own app's scoped reads: an enterprise sees its own lines and the classes
    it may see). A region outside a staff user's answers NotFound."""
    scope = scope_of(actor)
    if scope.public:
        raise NotFound()
    prefix = region_code.rstrip("0") or region_code
    if len(prefix) % 2:
        prefix += "0"
    if scope.region_prefix is not None and not prefix.startswith(scope.region_prefix):
        raise NotFound()
    first, last = rules.quarter_bounds(year, quarter)
    out = FourLists(region_code=region_code, year=year, quarter=quarter, first=first, last=last)
    lines = (DemandLine.objects
             .filter(demand_list__in=DemandList.objects.visible_to(actor),
                     demand_list__year=year, demand_list__quarter=quarter,
                     demand_list__status__in=rules.FILED_STATES,
                     demand_list__region__code__startswith=prefix))
    rows = (lines.values("occupation_id", "occupation__code", "occupation__name", "level_id",
                         "level__name")
            .annotate(enterprises=Count("demand_list__organization", distinct=True),
                      people=Sum("headcount"),
                      order_people=Sum("headcount", filter=Q(order_class_wanted=True)),
                      wage_low=Min("wage_min"), wage_high=Max("wage_max"),
                      earliest=Min("needed_by"))
            .order_by("-people", "occupation__code", "level_id"))
    out.demand = [{**r, "order_people": r["order_people"] or 0} for r in rows]
    occupation_ids = sorted({r["occupation_id"] for r in out.demand})
    names = {r["occupation_id"]: r["occupation__name"] for r in out.demand}
    if not occupation_ids:
        return out
    classes = (training_selectors.class_list(actor=actor, region_code=prefix)
               .filter(occupation_id__in=occupation_ids, start_date__lte=last,
                       end_date__gte=first).exclude(status__in=UNRUN)
               .order_by("occupation__code", "start_date", "id"))
    out.training = [{"class_id": c.pk, "name": c.name, "occupation": c.occupation.name,
                     "level": c.level.name if c.level_id else "",
                     "institution": c.institution.name, "start_date": c.start_date,
                     "end_date": c.end_date, "planned_size": c.planned_size,
                     "enrolled": c.enrolled, "status": c.get_status_display(),
                     "order_class": bool(c.employer_id)} for c in classes[:2000]]
    sittings = (assessment_selectors.sitting_list(actor=actor, filters=assessment_selectors
                                                  .SittingFilters(region_code=prefix,
                                                                  date_from=first,
                                                                  date_to=last))
                .filter(occupation_id__in=occupation_ids))
    certificates = (assessment_selectors.issued_certificate_list(
        actor=actor, filters=assessment_selectors.CertificateFilters(issued_from=first,
                                                                     issued_to=last))
        .filter(occupation_id__in=occupation_ids, region__code__startswith=prefix))
    per = defaultdict(lambda: {"sittings": 0, "candidates": 0, "certificates": 0})
    for s in sittings:
        per[s.occupation_id]["sittings"] += 1
        per[s.occupation_id]["candidates"] += s.candidate_count
    for row in certificates.values("occupation_id").annotate(n=Count("id")):
        per[row["occupation_id"]]["certificates"] += row["n"]
    out.evaluation = [{"occupation": names[o], **per[o]} for o in occupation_ids if o in per]
    referrals = (Referral.objects.visible_to(actor)
                 .filter(demand_line__in=lines)
                 .values("demand_line__occupation_id")
                 .annotate(referred=Count("id"),
                           hired=Count("id", filter=Q(status__in=("hired", "confirmed"))),
                           confirmed=Count("id", filter=Q(status="confirmed"))))
    by_occ = {r["demand_line__occupation_id"]: r for r in referrals}
    out.employment = [{"occupation": names[o], "referred": by_occ[o]["referred"],
                       "hired": by_occ[o]["hired"], "confirmed": by_occ[o]["confirmed"]}
                      for o in occupation_ids if o in by_occ]
    return out


def four_lists_xlsx(lists: FourLists) -> bytes:
    """One workbook, one sheet per list; every text cell stored as text."""
    import openpyxl
    from openpyxl.styles import Font

    from jineng.core.tabular import xlsx_cell

    book = openpyxl.Workbook(write_only=True)
    sheets = (
        (_("Demand list"), [_("Occupation code"), _("Occupation"), _("Skill level"),
                            _("Enterprises"), _("People needed"), _("Of which by order class"),
                            _("Lowest wage"), _("Highest wage"), _("Earliest date needed")],
         [[r["occupation__code"] or "", r["occupation__name"], r["level__name"] or "",
           r["enterprises"], r["people"], r["order_people"], r["wage_low"],
           r["wage_high"], r["earliest"].isoformat() if r["earliest"] else ""]
          for r in lists.demand]),
        (_("Training list"), [_("Class"), _("Occupation"), _("Skill level"), _("Institution"),
                              _("From"), _("To"), _("Planned size"), _("Enrolled"),
                              _("Status"), _("Order class")],
         [[r["name"], r["occupation"], r["level"], r["institution"],
           r["start_date"].isoformat(), r["end_date"].isoformat(), r["planned_size"],
           r["enrolled"], str(r["status"]), _("yes") if r["order_class"] else _("no")]
          for r in lists.training]),
        (_("Evaluation list"), [_("Occupation"), _("Sittings"), _("Candidates"),
                                _("Certificates issued")],
         [[r["occupation"], r["sittings"], r["candidates"], r["certificates"]]
          for r in lists.evaluation]),
        (_("Employment list"), [_("Occupation"), _("Referred"), _("Hired"),
                                _("Confirmed by insurance records")],
         [[r["occupation"], r["referred"], r["hired"], r["confirmed"]]
          for r in lists.employment]),
    )
    for title, headers, rows in sheets:
        sheet = book.create_sheet(title=str(title)[:31])
        sheet.freeze_panes = "A2"
        head = []
        for h in headers:
            cell = xlsx_cell(sheet, str(h))
            cell.font = Font(bold=True)
            head.append(cell)
        sheet.append(head)
        for row in rows:
            sheet.append([xlsx_cell(sheet, v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def work_items(*, actor) -> list[dict]:
    """The portal landing page's work of an enterprise user (core.hooks.work_items): its
    demand lists returned for correction and its drafts still to file."""
    from django.urls import reverse

    lists = list(demand_lists_to_file(actor=actor)[:50])
    if getattr(actor, "role", "") != "enterprise":
        return []

    def rows(items):
        return [{"url": reverse("demand:lists_detail", args=[d.pk]),
                 "label": f"{d.year} Q{d.quarter}"
                          + (f" · {d.alliance_name}" if d.alliance_name else ""),
                 "sub": _("%(n)s line(s), %(people)s people") % {"n": d.line_count,
                                                                "people": d.people or 0},
                 "note": ""} for d in items[:5]]
    returned = [d for d in lists if d.status == rules.RETURNED]
    drafts = [d for d in lists if d.status == rules.DRAFT]
    url = reverse("demand:lists_index")
    return [
        {"key": "lists-returned", "label": _("Demand lists returned: correct and resubmit"),
         "count": len(returned), "url": f"{url}?status=returned", "rows": rows(returned)},
        {"key": "lists-draft", "label": _("Demand lists to file"), "count": len(drafts),
         "url": f"{url}?status=draft", "rows": rows(drafts)},
    ]


def classes_on_demand_lists(classes: list) -> set[int]:
    """For the outcomes job's demand match (outcomes.hooks.demand_matched_classes): of the
    (class_id, occupation_id, region_code, start_date) given, the classes whose occupation is
    on an accepted enterprise demand list of the quarter of the class start, filed in the
    class's city (same first four region digits). One query for all classes."""
    from jineng.demand.choices import DemandListStatus

    if not classes:
        return set()
    years = {start.year for _c, _o, _r, start in classes if start}
    lines = (DemandLine.objects.filter(demand_list__status=DemandListStatus.ACCEPTED,
                                       demand_list__year__in=years)
             .values_list("occupation_id", "demand_list__region__code", "demand_list__year",
                          "demand_list__quarter").distinct())
    listed = {(occ, region[:4], year, quarter) for occ, region, year, quarter in lines}
    return {cid for cid, occ, region, start in classes
            if start and (occ, (region or "")[:4], start.year, (start.month - 1) // 3 + 1)
            in listed}

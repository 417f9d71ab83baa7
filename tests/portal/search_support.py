"""Helpers of the search tests: a small public world (an open class, an upcoming one, a declared
one, a listed institution, an enterprise, the Guizhou plan) built through the real services."""

from __future__ import annotations

from dataclasses import dataclass

from jineng.plans import services as plan_services
from jineng.plans.rules.packs import read_shipped
from jineng.portal.services import search as index
from jineng.registry.models import Organization
from jineng.training.models import TrainingClass
from tests import factories as f
from tests.training import helpers as h


@dataclass
class SearchWorld:
    w: h.World
    open_class: TrainingClass
    upcoming: TrainingClass
    declared: TrainingClass
    enterprise: Organization
    plan: object


def search_world() -> SearchWorld:
    w = h.world()
    w.org.name = "南明区阳光职业技能培训学校"
    w.org.save()
    open_class = h.open_class(w, name="养老护理员（初级）就业技能培训第1期")
    upcoming = h.declare(w, name="居家养老照护技能提升班第2期",
                         sessions=h.sessions(start=h.D(2026, 4, 6)))
    from jineng.training import services as training

    training.class_transition(actor=w.county_staff, training_class=upcoming, action="approve")
    declared = h.declare(w, name="失能老人照护秘密筹备班",
                         sessions=h.sessions(start=h.D(2026, 5, 4)))
    enterprise = f.OrganizationFactory(kind="enterprise", institution_type="",
                                       name="贵阳秘密电子科技有限公司")
    plan = plan_services.plan_load_pack(actor=f.staff(), text=read_shipped("guizhou-2025-2027"))
    return SearchWorld(w=w, open_class=open_class, upcoming=upcoming, declared=declared,
                       enterprise=enterprise, plan=plan)


def rebuild() -> index.IndexReport:
    return index.search_index_rebuild(actor=None)

"""Every write of the plans app: one transaction each, checked, audited.

Split by sub-domain; every public name is re-exported here, so `from jineng.plans import
services` and `services.<name>` keep working for the other apps:

- `packs`: loading a policy pack as a plan; the checklist.
- `decomposition`: splitting targets among the regions below.
- `facts`: the fact contract training and the later apps feed (`actual_fact_add`,
  `actual_facts_add_many`, `actual_facts_insert_select`) and the rollup.
- `reports`: quarterly reports.
- `store`: the app's raw SQL (set-based inserts), in one small module.
- `access`: who may write (built on `plans.rules.permissions`).
- `system`: writes made by the system, not a user (the demo builder in `jineng.demo`).
"""

from jineng.plans.services.access import (
    actor_facts,
    ensure_governs,
    ensure_staff_of,
    may_decompose,
    may_edit_checklist,
    may_load_packs,
    may_prepare_report,
    may_see_region,
)
from jineng.plans.services.decomposition import (
    DecompositionInput,
    child_regions,
    decomposition_message,
    decomposition_weights,
    plan_decompose_all,
    target_decompose,
    target_value_for,
)
from jineng.plans.services.facts import (
    FACT_COLUMNS,
    FACT_SELECT_COLUMNS,
    FactInput,
    actual_fact_add,
    actual_facts_add_many,
    actual_facts_insert_select,
    rollup_rebuild,
)
from jineng.plans.services.packs import (
    PackInvalid,
    checklist_item_update,
    issue_message,
    plan_load_pack,
)
from jineng.plans.services.reports import (
    LineInput,
    may_edit_report,
    may_review_report,
    plan_departments,
    prefill_figures,
    report_export_recorded,
    report_prepare,
    report_review,
    report_submit,
    report_update,
)
from jineng.plans.services.system import (
    actual_facts_remove,
    demo_plans_remove,
    plan_install_shipped,
    report_move_system,
    report_prepare_system,
    target_split_system,
)

__all__ = [
    "FACT_COLUMNS",
    "FACT_SELECT_COLUMNS",
    "DecompositionInput",
    "FactInput",
    "LineInput",
    "PackInvalid",
    "actor_facts",
    "actual_fact_add",
    "actual_facts_add_many",
    "actual_facts_insert_select",
    "actual_facts_remove",
    "checklist_item_update",
    "child_regions",
    "decomposition_message",
    "decomposition_weights",
    "demo_plans_remove",
    "ensure_governs",
    "ensure_staff_of",
    "issue_message",
    "may_decompose",
    "may_edit_checklist",
    "may_edit_report",
    "may_load_packs",
    "may_prepare_report",
    "may_review_report",
    "may_see_region",
    "plan_decompose_all",
    "plan_departments",
    "plan_install_shipped",
    "plan_load_pack",
    "prefill_figures",
    "report_export_recorded",
    "report_move_system",
    "report_prepare",
    "report_prepare_system",
    "report_review",
    "report_submit",
    "report_update",
    "rollup_rebuild",
    "target_decompose",
    "target_split_system",
    "target_value_for",
]

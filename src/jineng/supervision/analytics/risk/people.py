"""R08, R09, R15, R16: who the trainees are (contacts, employment, insured cities,
exclusion lists, ages). Pure."""

from __future__ import annotations

import ibis
import ibis.expr.types as ir
import pyarrow as pa

from jineng.supervision.analytics.risk.common import (
    ALERT_ARROW,
    LIST_KINDS,
    GraphRule,
    _out,
)


def r08_ring_edges(contacts: ir.Table, enrollments: ir.Table) -> tuple[ir.Table, ir.Table]:
    """The edges of the ring graph: trainees sharing a keyed-hashed phone or payee account.
    Each shared value links its holders to the smallest person id holding it (a star, so a
    value shared by n people gives n - 1 edges, not n²); the components are the same. Nodes:
    the classes and institutions of every linked trainee.

    A value has two holders or more exactly when its smallest and largest holder differ (no
    distinct count); trainees are a semi-join (no distinct over the enrollments); the nodes
    are the holders of shared values (the hubs and the others: the same people as the edges'
    ends) without evaluating the edges again."""
    c = contacts.filter(contacts.value_hash.notnull() & (contacts.value_hash != ""))
    c = c.semi_join(enrollments, "person_id").select("person_id", "kind", "value_hash")
    hub = c.group_by(["kind", "value_hash"]).aggregate(hub=c.person_id.min(),
                                                      top=c.person_id.max())
    hub = hub.filter(hub.hub < hub.top).select("kind", "value_hash", "hub")
    e = c.join(hub, ["kind", "value_hash"])
    e = e.filter(e.person_id != e.hub)
    edges = e.select(a=e.hub, b=e.person_id).distinct()
    linked = c.semi_join(hub, ["kind", "value_hash"]).select("person_id")
    nodes = enrollments.semi_join(linked, "person_id").select(
        "person_id", "class_id", "institution_id").distinct()
    return edges, nodes


def r08_rings(contacts: ir.Table, enrollments: ir.Table, *, min_people: int = 5,
              min_classes: int = 2, min_institutions: int = 1) -> GraphRule:
    """Rings: connected components of trainees linked by shared phone numbers or payee
    accounts (keyed hashes) with at least `min_people` people over at least `min_classes`
    classes and `min_institutions` institutions. Edges on the backend (Ibis), components in
    networkx; one row per component: subject its smallest person id, the measure its size."""
    edges, nodes = r08_ring_edges(contacts, enrollments)

    def finish(edge_rows: pa.Table, node_rows: pa.Table) -> pa.Table:
        import networkx as nx

        g = nx.Graph()
        g.add_edges_from(zip(edge_rows.column("a").to_pylist(),
                             edge_rows.column("b").to_pylist(), strict=True))
        where: dict[int, list[tuple[int, int]]] = {}
        for p, c, i in zip(*(node_rows.column(n).to_pylist()
                             for n in ("person_id", "class_id", "institution_id")), strict=True):
            where.setdefault(p, []).append((c, i))
        rows = []
        for comp in nx.connected_components(g):
            if len(comp) < int(min_people):
                continue
            cls = {c for p in comp for c, _ in where.get(p, ())}
            inst = {i for p in comp for _, i in where.get(p, ()) if i is not None}
            if len(cls) < int(min_classes) or len(inst) < int(min_institutions):
                continue
            rows.append({"rule": "R08", "subject_kind": "person", "subject_ref": str(min(comp)),
                         "class_id": min(cls) if cls else None,
                         "institution_id": min(inst) if inst else None,
                         "ref_a": len(cls), "ref_b": len(inst), "measure": float(len(comp))})
        return pa.Table.from_pylist(rows, schema=ALERT_ARROW)

    return GraphRule(edges=edges, nodes=nodes, finish=finish)



def r09_employees_trained(enrollments: ir.Table, classes: ir.Table, institutions: ir.Table,
                          employment: ir.Table, *, min_months: int = 1) -> ir.Table:
    """Trainees insured by the institution that trains them during the class (at least
    `min_months` contribution months between the class's first and last month)."""
    c = classes.select("class_id", "start_month", "end_month")
    e = enrollments.join(c, "class_id")
    e = e.join(institutions, "institution_id")
    j = e.join(employment, [e.person_id == employment.person_id,
                            e.credit_code == employment.employer_code,
                            employment.month >= e.start_month,
                            employment.month <= e.end_month])
    j = j.select(pid=e.person_id, enr=e.enrollment_id, cls=e.class_id, inst=e.institution_id,
                 month=employment.month)
    g = j.group_by(["pid", "enr", "cls", "inst"]).aggregate(months=j.month.nunique())
    g = g.filter(g.months >= int(min_months))
    return _out(g, "R09", "person", g.pid, g.cls, g.inst, g.enr, g.cls, g.months)



def r15_insured_elsewhere(enrollments: ir.Table, classes: ir.Table, site_cities: ir.Table,
                          insured_cities: ir.Table, *, min_months: int = 1) -> ir.Table:
    """Trainees of an on-site class whose social-insurance records show work in another city
    during the class (at least `min_months` months between its first and last month with an
    employer outside the site's city). ref_b is the employer's city code."""
    c = classes.filter(classes.site_id.notnull() & classes.start_month.notnull()
                       & classes.end_month.notnull()).select(
        "class_id", "site_id", "start_month", "end_month")
    c = c.join(site_cities, "site_id")
    e = enrollments.join(c, "class_id")
    w = insured_cities
    j = e.join(w, [e.person_id == w.person_id, w.month >= e.start_month,
                   w.month <= e.end_month, w.city != e.city])
    j = j.select(pid=e.person_id, enr=e.enrollment_id, cls=e.class_id, inst=e.institution_id,
                 month=w.month, other=w.city)
    g = j.group_by(["pid", "enr", "cls", "inst"]).aggregate(months=j.month.nunique(),
                                                           other=j.other.min())
    g = g.filter(g.months >= int(min_months))
    return _out(g, "R15", "person", g.pid, g.cls, g.inst, g.enr, g.other.cast("int64"),
                g.months)


def _class_days(classes: ir.Table) -> ir.Table:
    return classes.filter(classes.end_day.notnull()).select(
        "class_id", end=classes.end_day, start=ibis.coalesce(classes.start_day, classes.end_day))


def r16a_excluded_trainee(enrollments: ir.Table, classes: ir.Table, persons: ir.Table,
                          exclusions: ir.Table) -> ir.Table:
    """Trainees on an exclusion list (pension drawers, full-time students, public-payroll
    staff) whose entry is in force during the class; ref_b the list (1 pension, 2 student,
    3 public payroll), measure the days of the class the entry covers."""
    e = enrollments.join(_class_days(classes), "class_id")
    e = e.join(persons.select("person_id", "id_hash"), "person_id")
    x = exclusions
    j = e.join(x, [e.id_hash == x.id_hash, x.from_day <= e.end,
                   x.to_day.isnull() | (x.to_day >= e.start)])
    first = ibis.cases((x.from_day > e.start, x.from_day), else_=e.start)
    last = ibis.cases((x.to_day.notnull() & (x.to_day < e.end), x.to_day), else_=e.end)
    kind = ibis.cases(*((x.list_kind == k, v) for k, v in LIST_KINDS.items()), else_=0)
    j = j.select(pid=e.person_id, enr=e.enrollment_id, cls=e.class_id, inst=e.institution_id,
                 kind=kind, days=last - first + 1)
    g = j.group_by(["pid", "enr", "cls", "inst", "kind"]).aggregate(days=j.days.max())
    return _out(g, "R16A", "person", g.pid, g.cls, g.inst, g.enr, g.kind, g.days)


def r16b_outside_age(enrollments: ir.Table, classes: ir.Table, persons: ir.Table) -> ir.Table:
    """Trainees at or past the statutory retirement age (training.rules.retirement, computed
    into `persons.retire_day`) or under the minimum age when their class starts; ref_b 1 over
    age, 2 under age, measure the days past (or short of) the limit."""
    e = enrollments.join(_class_days(classes), "class_id")
    e = e.join(persons.select("person_id", "adult_day", "retire_day"), "person_id")
    over = e.retire_day.notnull() & (e.start >= e.retire_day)
    under = e.adult_day.notnull() & (e.start < e.adult_day)
    e = e.filter(over | under)
    e = e.mutate(which=ibis.cases((over, 1), else_=2),
                 days=ibis.cases((over, e.start - e.retire_day), else_=e.adult_day - e.start))
    return _out(e, "R16B", "person", e.person_id, e.class_id, e.institution_id,
                e.enrollment_id, e.which, e.days)

"""Write-contract cases of the catalog app (see tests/core/write_contract.py)."""

from __future__ import annotations

import datetime as dt

from jineng.catalog import services as catalog
from jineng.catalog.choices import CatalogKind
from jineng.catalog.models import SubsidyStandardEntry
from jineng.core.errors import Conflict, DomainError, Forbidden, NotFound
from jineng.core.models import AuditAction as A
from tests import factories as f
from tests.catalog.helpers import base_catalog, publish_rows, subsidy_row, xlsx
from tests.core.write_contract import Attempts, Refused, case

D = dt.date
VERSION = "catalog.catalogversion"


def _province():
    return f.staff("province_staff", f.PROVINCE)


def _city():
    return f.staff("city_staff", f.CITY)


def _draft(entries: int = 1):
    version = catalog.version_create_draft(actor=catalog.SYSTEM, catalog=base_catalog(),
                                           effective_from=D(2025, 1, 1))
    for i in range(entries):
        catalog.entry_add(actor=catalog.SYSTEM, version=version,
                          values=subsidy_row(skill_level=["初级工", "中级工", "高级工"][i]))
    return version


def _in_review():
    return catalog.version_submit(actor=catalog.SYSTEM, version=_draft())


@case("catalog.catalog_create", audit=[(A.CREATE, "catalog.catalog")])
def _catalog_create() -> Attempts:
    province = f.region(f.PROVINCE)
    ok = {"actor": _province(), "kind": CatalogKind.SUBSIDY_STANDARD, "region": province}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "a city issuing the base catalog"),
        Refused({**ok, "kind": "nonsense"}, DomainError, "unknown kind"),
        Refused({**ok, "region": f.region(f.CITY)}, DomainError, "base catalog of a city"),
    ])


@case("catalog.version_create_draft", audit=[(A.CREATE, VERSION)])
def _version_create_draft() -> Attempts:
    ok = {"actor": _province(), "catalog": base_catalog(), "effective_from": D(2025, 1, 1)}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "effective_to": D(2024, 1, 1)}, DomainError, "ends before it starts"),
    ])


@case("catalog.version_update_draft", audit=[(A.UPDATE, VERSION)])
def _version_update_draft() -> Attempts:
    ok = {"actor": _province(), "version": _draft(), "effective_from": D(2025, 2, 1),
          "effective_to": None, "change_note": "调整生效日期"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "effective_to": D(2024, 1, 1)}, DomainError, "ends before it starts"),
    ])


@case("catalog.version_discard", audit=[(A.DELETE, VERSION)])
def _version_discard() -> Attempts:
    draft = _draft()
    review_catalog = base_catalog(CatalogKind.URGENT_OCCUPATION)
    review = catalog.version_create_draft(actor=catalog.SYSTEM, catalog=review_catalog,
                                          effective_from=D(2025, 1, 1))
    return Attempts(ok={"actor": _province(), "version": draft}, refused=[
        Refused({"actor": _city(), "version": draft}, Forbidden, "wrong region"),
        Refused({"actor": _province(), "version": catalog.version_publish(
            actor=catalog.SYSTEM, version=catalog.version_submit(
                actor=catalog.SYSTEM, version=_with_urgent_entry(review)))},
            Conflict, "published"),
    ])


def _with_urgent_entry(version):
    from tests.catalog.helpers import occupation

    catalog.entry_add(actor=catalog.SYSTEM, version=version,
                      values={"occupation": occupation().name, "urgency": "紧缺"})
    return version


@case("catalog.entries_import", audit=[(A.IMPORT, VERSION)])
def _entries_import() -> Attempts:
    version = _draft(entries=0)
    data = xlsx([subsidy_row(), subsidy_row(skill_level="中级工")])
    ok = {"actor": _province(), "version": version, "data": data, "filename": "标准.xlsx"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "mode": "merge"}, DomainError, "unknown mode"),
    ])


@case("catalog.entry_add", audit=[(A.CREATE, "catalog.subsidystandardentry")])
def _entry_add() -> Attempts:
    version = _draft(entries=0)
    ok = {"actor": _province(), "version": version, "values": subsidy_row()}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "values": subsidy_row(amount="很多")}, DomainError, "amount not a number"),
    ])


@case("catalog.entry_delete", audit=[(A.DELETE, "catalog.subsidystandardentry")])
def _entry_delete() -> Attempts:
    version = _draft()
    entry = SubsidyStandardEntry.objects.get(version=version)
    ok = {"actor": _province(), "version": version, "entry_id": entry.pk}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "entry_id": entry.pk + 1000}, NotFound, "missing entry"),
    ])


@case("catalog.version_submit", audit=[(A.TRANSITION, VERSION)])
def _version_submit() -> Attempts:
    ok = {"actor": _province(), "version": _draft()}
    empty = catalog.version_create_draft(
        actor=catalog.SYSTEM, catalog=base_catalog(CatalogKind.URGENT_OCCUPATION),
        effective_from=D(2025, 1, 1))
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "version": empty}, DomainError, "no entries"),
    ])


@case("catalog.version_publish", audit=[(A.TRANSITION, VERSION)] * 2)
def _version_publish() -> Attempts:
    subsidy = base_catalog()
    publish_rows(subsidy, [subsidy_row()], D(2025, 1, 1))  # in force: superseded by the next
    version = catalog.version_create_draft(actor=catalog.SYSTEM, catalog=subsidy,
                                           effective_from=D(2026, 1, 1))
    version = catalog.version_submit(actor=catalog.SYSTEM, version=version)
    draft = _with_urgent_entry(catalog.version_create_draft(
        actor=catalog.SYSTEM, catalog=base_catalog(CatalogKind.URGENT_OCCUPATION),
        effective_from=D(2025, 1, 1)))
    ok = {"actor": _province(), "version": version}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "version": draft}, Conflict, "not submitted"),
    ])


@case("catalog.version_reject", audit=[(A.TRANSITION, VERSION)])
def _version_reject() -> Attempts:
    ok = {"actor": _province(), "version": _in_review(), "reason": "金额与文件不符"}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "reason": " "}, DomainError, "no reason"),
    ])


@case("catalog.version_reopen", audit=[(A.TRANSITION, VERSION)])
def _version_reopen() -> Attempts:
    rejected = catalog.version_reject(actor=catalog.SYSTEM, version=_in_review(), reason="退回")
    ok = {"actor": _province(), "version": rejected}
    return Attempts(ok=ok, refused=[
        Refused({**ok, "actor": _city()}, Forbidden, "wrong region"),
        Refused({**ok, "version": _in_review_of(CatalogKind.URGENT_OCCUPATION)}, Conflict,
                "not rejected"),
    ])


def _in_review_of(kind: str):
    version = catalog.version_create_draft(actor=catalog.SYSTEM, catalog=base_catalog(kind),
                                           effective_from=D(2025, 1, 1))
    return catalog.version_submit(actor=catalog.SYSTEM, version=_with_urgent_entry(version))


@case("catalog.catalogs_purge", audit=[(A.DELETE, "catalog.catalog")])
def _catalogs_purge() -> Attempts:
    subsidy = base_catalog()
    publish_rows(subsidy, [subsidy_row()], D(2025, 1, 1))
    return Attempts(ok={"actor": catalog.SYSTEM, "catalogs": [subsidy]}, refused=[
        Refused({"actor": _province(), "catalogs": [subsidy]}, Forbidden,
                "people never delete published catalogs"),
    ])

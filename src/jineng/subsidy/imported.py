"""Reads of the history imported from a previous system (models.HistoricSubsidy), as the rules
see it: `PriorSubsidy` entries beside the person's claims in jineng, so that the shared limits
(yearly limit, same occupation and level, lower after higher, same certificate, upskilling
times) count what was paid before.

A registered person's imported subsidies are found by the keyed hash of their ID number (and
of the numbers of duplicates merged into them); a person never registered in jineng (the dry
run) by the hash of the number asked about. The plain ID number is never read here."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping

from django.db import connection

from jineng.registry.models import Person, SkillLevel
from jineng.subsidy.models import HistoricSubsidy
from jineng.subsidy.rules import types as t

__all__ = ["LEGACY_CERTIFICATE", "hashes_of_persons", "history_by_hash", "history_for_person_ids"]

# Certificates of the previous system are named by their number ("no:<number>"), jineng's
# claims by the certificate's id: the two never collide.
LEGACY_CERTIFICATE = "no:"

_FIELDS = ("pk", "id_hash", "kind", "status", "claim_date", "payee_kind", "occupation_code",
           "level_id", "certificate_number", "certificate_date", "claim_number")


_LEVELS: dict[int, tuple[str, int]] = {}


def _levels() -> dict[int, tuple[str, int]]:
    """Skill level id → (code, rank): the registry's handful of rungs, read once per process
    (and again when a level appears that is not known yet) instead of a join per row."""
    if not _LEVELS:
        _LEVELS.update({pk: (code, rank) for pk, code, rank in
                        SkillLevel.objects.values_list("pk", "code", "rank")})
    return _LEVELS


def _prior(row: tuple, person_key: str, levels: dict[int, tuple[str, int]]) -> t.PriorSubsidy:
    (_pk, _hash, kind, status, claim_date, payee, occupation, level_id, cert, cert_date,
     number) = row
    if level_id is not None and level_id not in levels:
        _LEVELS.clear()
        levels = _levels()
    level, rank = levels.get(level_id, ("", None))
    return t.PriorSubsidy(
        kind=kind, status=status, claim_date=claim_date, occupation_code=occupation or "",
        level=level or "", level_rank=rank,
        certificate_ref=f"{LEGACY_CERTIFICATE}{cert}" if cert else "",
        certificate_date=cert_date, payee_kind=payee, person_key=person_key,
        ref=f"history:{number}")


def history_by_hash(keys: Mapping[str, str]) -> dict[str, list[t.PriorSubsidy]]:
    """The imported subsidies of the persons whose ID hashes are the keys of `keys`, by the
    person key each hash maps to (its value)."""
    found: dict[str, list[t.PriorSubsidy]] = defaultdict(list)
    if not keys:
        return found
    levels = _levels()
    if connection.vendor == "postgresql":
        # One array parameter instead of thousands of literals: the batch path asks for
        # 5,000 persons at a time, where building and planning the IN list cost more than
        # the index reads.
        table = HistoricSubsidy._meta.db_table
        columns = ", ".join("id" if f == "pk" else f for f in _FIELDS)
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT {columns} FROM {table} WHERE id_hash = ANY(%s)",
                           [list(keys)])
            rows = cursor.fetchall()
    else:
        rows = HistoricSubsidy.objects.filter(id_hash__in=list(keys)).values_list(*_FIELDS)
    for row in rows:
        key = keys[row[1]]
        found[key].append(_prior(row, key, levels))
    return found


def hashes_of_persons(person_ids: Iterable[int]) -> dict[str, int]:
    """ID hash → registered person id, for the persons and the duplicates merged into them
    (two indexed reads: an OR of the two made SQLite scan the persons)."""
    ids = list(person_ids)
    if not ids:
        return {}
    if connection.vendor == "postgresql":  # array parameters, as in history_by_hash
        table = Person._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT id, id_hash FROM {table} WHERE id = ANY(%s)", [ids])
            out = {h: pk for pk, h in cursor.fetchall()}
            cursor.execute(f"SELECT merged_into_id, id_hash FROM {table} "
                           "WHERE merged_into_id = ANY(%s)", [ids])
            merged = cursor.fetchall()
    else:
        out = {h: pk for pk, h in
               Person.objects.filter(pk__in=ids).values_list("pk", "id_hash")}
        merged = (Person.objects.filter(merged_into_id__in=ids)
                  .values_list("merged_into_id", "id_hash"))
    for merged_into, id_hash in merged:
        out[id_hash] = merged_into
    return out


def history_for_person_ids(person_ids: Iterable[int]) -> dict[int, list[t.PriorSubsidy]]:
    """The imported subsidies of registered persons, by person id (the entries' person key is
    the person id as text, as for their claims in jineng)."""
    by_hash = hashes_of_persons(person_ids)
    found = history_by_hash({h: str(pk) for h, pk in by_hash.items()})
    return {int(key): rows for key, rows in found.items()}

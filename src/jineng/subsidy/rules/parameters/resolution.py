"""Resolution: the parameters in force for a region on a day, county → city → province →
national default, each more specific set overriding single values of the broader one."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

from jineng.subsidy.rules.parameters.fields import _leaf_paths
from jineng.subsidy.rules.parameters.model import RawSet
from jineng.subsidy.rules.types import KindRules, Limits, ParameterSet, frozen_map


def ancestors(region_code: str) -> list[str]:
    """The region and the regions above it, most specific first, ending with "" (national):
    320703 → 320703, 320700, 320000, "". Longer statistical codes use their county."""
    code = region_code[:6]
    out = []
    if len(code) == 6:
        if not code.endswith("00"):
            out.append(code)
        if not code.endswith("0000"):
            out.append(code[:4] + "00")
        out.append(code[:2] + "0000")
    out.append("")
    return out


def _merge(base: dict, over: Mapping) -> dict:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, Mapping) and isinstance(out.get(k), Mapping) and k not in (
                "level_factors", "level_amounts"):
            out[k] = _merge(dict(out[k]), v)
        elif isinstance(v, Mapping) and isinstance(out.get(k), Mapping):
            out[k] = {**out[k], **v}   # level maps: levels override one by one
        else:
            out[k] = v
    return out


def build(chain: Sequence[RawSet]) -> ParameterSet:
    """The resolved set of a chain (most specific first)."""
    merged: dict = {}
    sources: dict[str, str] = {}
    for raw in reversed(chain):
        merged = _merge(merged, raw.values)
        # a more specific set's citation replaces the broader one for the paths it gives
        for leaf in _leaf_paths(raw.values):
            key = ".".join(leaf)
            for n in range(len(leaf), 0, -1):
                cited = raw.sources.get(".".join(leaf[:n]))
                if cited:
                    sources[key] = f"{cited} [{raw.version}]"
                    break
    limits = Limits(**(merged.get("limits") or {}))
    kinds = {}
    for kind, fields in (merged.get("kinds") or {}).items():
        f = dict(fields)
        for key in ("level_factors", "level_amounts"):
            if key in f:
                f[key] = frozen_map(f[key])
        kinds[kind] = KindRules(**f)
    top = chain[0]
    valid_from = max(r.valid_from for r in chain)
    ends = [r.valid_to for r in chain if r.valid_to is not None]
    return ParameterSet(version=" < ".join(r.version for r in chain), region_code=top.region_code,
                        valid_from=valid_from, valid_to=min(ends) if ends else None,
                        limits=limits, kinds=frozen_map(kinds), sources=frozen_map(sources),
                        chain=tuple(r.version for r in chain))


class ParameterIndex:
    """The published sets, for resolving many claims fast (chains are built once each)."""

    def __init__(self, sets: Iterable[RawSet]) -> None:
        self.by_region: dict[str, list[RawSet]] = {}
        for s in sets:
            self.by_region.setdefault(s.region_code, []).append(s)
        for group in self.by_region.values():
            group.sort(key=lambda s: s.valid_from)
        self._built: dict[tuple[str, ...], ParameterSet] = {}
        self._memo: dict[tuple[str, dt.date], ParameterSet | None] = {}

    def chain(self, region_code: str, day: dt.date) -> list[RawSet]:
        out = []
        for code in ancestors(region_code):
            for s in self.by_region.get(code, ()):
                if s.covers(day):
                    out.append(s)
                    break
        return out

    def in_force(self, region_code: str, day: dt.date) -> ParameterSet | None:
        memo = self._memo.get((region_code, day), self)
        if memo is not self:
            return memo
        if len(self._memo) > 100_000:
            self._memo.clear()
        found = self._memo[(region_code, day)] = self._in_force(region_code, day)
        return found

    def _in_force(self, region_code: str, day: dt.date) -> ParameterSet | None:
        chain = self.chain(region_code, day)
        if not chain:
            return None
        key = tuple(r.version + "@" + r.region_code for r in chain)
        built = self._built.get(key)
        if built is None:
            built = self._built[key] = build(chain)
        return built

    def for_claim(self, facts) -> ParameterSet | None:
        """The set for a claim: its region on its claim date."""
        return self.in_force(facts.region_code, facts.claim_date)


def parameters_in_force(sets: Iterable[RawSet], region_code: str, day: dt.date
                        ) -> ParameterSet | None:
    """The resolved parameters for a region on a day (None when no set is in force at any
    level). `.version` names the chain used, most specific first."""
    return ParameterIndex(sets).in_force(region_code, day)

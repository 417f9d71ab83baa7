"""Probabilistic record linkage (Fellegi–Sunter, Splink 4 on DuckDB) of incoming rows without a
usable ID number to registered persons. Pure: no Django; frames in, frames out.

Inputs (pandas DataFrames, or anything `pandas.DataFrame(...)` accepts, e.g. Arrow tables):
  rows:    row_id int, name str, birth_date date|str|None, region str (6-digit county code),
           id_given str|None (the ID number as given, garbled or partial; never stored here)
  persons: person_id int, name str, birth_date date|str, region str (6 digits, served in),
           id_masked str (`520102********1234`: region digits and last four are readable)

Compared fields (each a Splink comparison with levels, best level first):
  name       exact · same pinyin (a homophone typed, 李明/李鸣) · one character off or Jaro-
             Winkler ≥ 0.8 · different
  birth_date exact · one digit wrong or two adjacent digits swapped (Damerau-Levenshtein ≤ 1
             on YYYYMMDD) · same year and month, or day and month swapped · different. A row
             without a birth date uses the birth digits inside the ID number it gave.
  region     same county · same city · different (the row's region against where the person
             is served)
  id_digits  only when an ID number was given: its region digits (1–6) and sequence digits
             (15–17) against the readable parts of the person's masked number (the whole
             number is encrypted and never compared). Both agree · sequence only · region only
             · neither. The check digit is not compared: it is what failed.
Blocking (so it scales): pairs share the birth year and month, or the pinyin of the name.

Probabilities: match weight = log2(prior odds) + Σ log2(m/u). The prior λ is 1 / number of
candidate persons (each row is one person at most). `match_probability` is then normalised over
all candidates of the row, odds_i / (1 + Σ odds_j): two namesakes born the same day share the
probability instead of both looking certain. m/u are the fixed priors below unless there is
enough data (`ESTIMATE_MIN` rows and persons) to estimate u by random sampling and m by EM.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import pandas as pd
from pypinyin import lazy_pinyin

# --- Fixed m/u priors: (label, m, u) per level, best level first, "else" last. ----------------
# m = P(level | same person): the error rates of hand-keyed social-insurance rows (a wrong or
#     homophone character in a name a few in a hundred; a mistyped birth date a few in a hundred;
#     the row's county differs from where ~40 % of workers are registered: migrant work).
#     Region alone (≤ 5 bits) never separates two namesakes born the same day.
# u = P(level | different persons) among persons of one province: exact full name ~1 in 2,000
#     (common names such as 王伟 repeat); exact birth date ~1 in 15,000 (45 birth years);
#     one county of ~90 (~2 %), one city of ~10; a 3-digit sequence 1 in 1,000.
# They only have to be of the right size: the tests' known answers hold under them, and with
# enough data they are estimated instead.
PRIORS: dict[str, list[tuple[str, float, float]]] = {
    "name": [("exact", 0.92, 0.0005), ("pinyin", 0.03, 0.001), ("similar", 0.03, 0.03),
             ("different", 0.02, 0.9685)],
    "birth_date": [("exact", 0.90, 0.00007), ("typo", 0.06, 0.002),
                   ("same_month_or_swapped", 0.02, 0.0025), ("different", 0.02, 0.99543)],
    "region": [("county", 0.60, 0.02), ("city", 0.15, 0.10), ("different", 0.25, 0.88)],
    "id_digits": [("region_and_sequence", 0.80, 0.00002), ("sequence", 0.08, 0.001),
                  ("region", 0.07, 0.02), ("neither", 0.05, 0.97898)],
}
FIELDS = tuple(PRIORS)
ESTIMATE_MIN = 5000  # rows and persons both at least this many → estimate u and m
SEED = 20261205  # random sampling of u is seeded: the same input gives the same answer
KEEP_BELOW_WEIGHT = -20.0  # pairs weaker than this are dropped before choosing the best


@dataclass
class LinkResult:
    best: pd.DataFrame  # row_id, person_id, match_weight, match_probability, <field> labels
    pairs_compared: int
    estimated: bool  # m/u estimated from the data (else the fixed priors)


def _digits_date(value) -> str | None:
    if value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT:
        return None
    text = str(value).replace("-", "")[:8]
    return text if len(text) == 8 and text.isdigit() else None


def _pinyin(name: str) -> str:
    return "".join(lazy_pinyin(name or ""))


def _id_parts(id_given: str | None) -> tuple[str | None, str | None, str | None]:
    """(region digits, birth digits, sequence digits) of an ID number as given, where it is
    long enough to hold them (18 characters, or 17 when the check character was dropped)."""
    text = id_given.strip().upper() if isinstance(id_given, str) else ""
    if len(text) not in (17, 18) or not text[:17].isdigit():
        return None, None, None
    return text[:6], text[6:14], text[14:17]


def prepare_rows(rows: pd.DataFrame) -> pd.DataFrame:
    rows = pd.DataFrame(rows)
    out = pd.DataFrame({"unique_id": rows["row_id"].astype("int64"),
                        "name": rows["name"].fillna("").astype(str).str.strip()})
    parts = [_id_parts(v) for v in rows.get("id_given", pd.Series([None] * len(rows)))]
    given_birth = [_digits_date(v) for v in rows["birth_date"]]
    # No birth date on the row: the birth digits inside the ID number stand in for it.
    out["birth"] = [b or p[1] for b, p in zip(given_birth, parts, strict=True)]
    out["id_region"] = [p[0] for p in parts]
    out["id_seq"] = [p[2] for p in parts]
    out["county"] = rows["region"].astype(str).str[:6]
    return _finish(out)


def prepare_persons(persons: pd.DataFrame) -> pd.DataFrame:
    persons = pd.DataFrame(persons)
    masked = persons["id_masked"].fillna("").astype(str)
    out = pd.DataFrame({"unique_id": persons["person_id"].astype("int64"),
                        "name": persons["name"].fillna("").astype(str).str.strip()})
    out["birth"] = [_digits_date(v) for v in persons["birth_date"]]
    out["id_region"] = masked.str[:6].where(masked.str[:6].str.isdigit(), None)
    out["id_seq"] = masked.str[14:17].where(masked.str[14:17].str.isdigit(), None)
    out["county"] = persons["region"].astype(str).str[:6]
    return _finish(out)


def _finish(out: pd.DataFrame) -> pd.DataFrame:
    out["name"] = out["name"].where(out["name"] != "", None)
    out["name_py"] = [(_pinyin(n) or None) if isinstance(n, str) and n else None
                      for n in out["name"]]
    out["ym"] = [b[:6] if isinstance(b, str) and b else None for b in out["birth"]]
    out["city"] = out["county"].str[:4]
    return out[["unique_id", "name", "name_py", "birth", "ym", "county", "city",
                "id_region", "id_seq"]]


def _comparisons(use_priors: bool) -> list:
    import splink.comparison_level_library as cll
    import splink.comparison_library as cl

    def conf(level, field: str, i: int):
        if not use_priors:
            return level
        _label, m, u = PRIORS[field][i]
        return level.configure(m_probability=m, u_probability=u)

    def custom(field: str, null_sql: str, conditions: list[str]) -> object:
        levels = [cll.CustomLevel(null_sql).configure(is_null_level=True)]
        for i, sql in enumerate(conditions):
            label = PRIORS[field][i][0]
            levels.append(conf(cll.CustomLevel(sql, label_for_charts=label), field, i))
        levels.append(conf(cll.ElseLevel(), field, len(conditions)))
        return cl.CustomComparison(comparison_levels=levels, output_column_name=field,
                                   comparison_description=field)

    return [
        custom("name", "name_l IS NULL OR name_r IS NULL", [
            "name_l = name_r",
            "name_py_l = name_py_r",
            "(length(name_l) = length(name_r) AND levenshtein(name_l, name_r) <= 1)"
            " OR jaro_winkler_similarity(name_l, name_r) >= 0.8",
        ]),
        custom("birth_date", "birth_l IS NULL OR birth_r IS NULL", [
            "birth_l = birth_r",
            "damerau_levenshtein(birth_l, birth_r) <= 1",
            "ym_l = ym_r OR (substr(birth_l, 1, 4) = substr(birth_r, 1, 4)"
            " AND substr(birth_l, 5, 2) = substr(birth_r, 7, 2)"
            " AND substr(birth_l, 7, 2) = substr(birth_r, 5, 2))",
        ]),
        custom("region", "county_l IS NULL OR county_r IS NULL", [
            "county_l = county_r",
            "city_l = city_r",
        ]),
        custom("id_digits", "(id_region_l IS NULL AND id_seq_l IS NULL)"
                            " OR (id_region_r IS NULL AND id_seq_r IS NULL)", [
            "id_region_l = id_region_r AND id_seq_l = id_seq_r",
            "id_seq_l = id_seq_r",
            "id_region_l = id_region_r",
        ]),
    ]


def link(rows: pd.DataFrame, persons: pd.DataFrame, *,
         estimate: bool | None = None) -> LinkResult:
    """The best candidate person of every row that has one within the blocks, with its match
    weight, normalised match probability and the level each field reached. `estimate` forces
    (True) or forbids (False) estimating m/u; by default only above `ESTIMATE_MIN`."""
    left, right = prepare_rows(rows), prepare_persons(persons)
    columns = ["row_id", "person_id", "match_weight", "match_probability", *FIELDS]
    if left.empty or right.empty:
        return LinkResult(pd.DataFrame(columns=columns), 0, False)
    if estimate is None:
        estimate = len(left) >= ESTIMATE_MIN and len(right) >= ESTIMATE_MIN
    import duckdb
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    settings = SettingsCreator(
        link_type="link_only",
        # Each row is at most one of the persons: λ = 1 / persons.
        probability_two_random_records_match=1.0 / max(len(right), 2),
        blocking_rules_to_generate_predictions=[block_on("ym"), block_on("name_py")],
        comparisons=_comparisons(use_priors=True),
        retain_intermediate_calculation_columns=True,  # the gamma (level) of each field
        retain_matching_columns=True,
    )
    con = duckdb.connect()
    # One thread: sampling and float sums come out the same every run.
    con.execute("SET threads TO 1" if not estimate else "SET threads TO 2")
    db_api = DuckDBAPI(connection=con)
    linker = Linker([left, right], settings, db_api=db_api,
                    input_table_aliases=["rows", "persons"],
                    # Splink's own basicConfig would reconfigure the process's root logger.
                    set_up_basic_logging=False)
    estimated = False
    if estimate:
        estimated = _estimate(linker)
    frame = linker.inference.predict(threshold_match_weight=KEEP_BELOW_WEIGHT).as_pandas_dataframe()
    con.close()
    if frame.empty:
        return LinkResult(pd.DataFrame(columns=columns), 0, estimated)
    # Splink keeps the datasets in alias order, but say which side is which explicitly.
    left_is_rows = frame["source_dataset_l"] == "rows"
    frame["row_id"] = frame["unique_id_l"].where(left_is_rows, frame["unique_id_r"])
    frame["person_id"] = frame["unique_id_r"].where(left_is_rows, frame["unique_id_l"])
    pairs = len(frame)
    frame["odds"] = [2.0 ** min(w, 1000.0) for w in frame["match_weight"]]
    total = frame.groupby("row_id")["odds"].transform("sum")
    frame["match_probability"] = frame["odds"] / (1.0 + total)
    frame = frame.sort_values(["row_id", "match_weight", "person_id"],
                              ascending=[True, False, True], kind="mergesort")
    best = frame.drop_duplicates("row_id", keep="first").copy()
    for field in FIELDS:
        labels = ["missing"] + [label for label, _m, _u in PRIORS[field]]
        best[field] = [labels[int(g) + 1] if g >= 0 else "missing"
                       for g in _gamma_to_index(best[f"gamma_{field}"], len(labels) - 1)]
    best = best[columns].reset_index(drop=True)
    best["row_id"] = best["row_id"].astype("int64")
    best["person_id"] = best["person_id"].astype("int64")
    return LinkResult(best, pairs, estimated)


def _gamma_to_index(gammas: pd.Series, levels: int) -> list[int]:
    """Splink numbers non-null levels from the else level (0) up to the best (levels-1), and the
    null level -1; our labels run best first."""
    return [-1 if int(g) < 0 else levels - 1 - int(g) for g in gammas]


def _estimate(linker) -> bool:
    """u by random sampling (seeded), m by EM within two blockings (each leaves the other's
    fields to be trained). Any failure (too little signal) keeps the priors."""
    from splink import block_on

    try:
        linker.training.estimate_u_using_random_sampling(max_pairs=2e6, seed=SEED)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("birth"), fix_u_probabilities=True)
        linker.training.estimate_parameters_using_expectation_maximisation(
            block_on("name"), fix_u_probabilities=True)
    except Exception:  # estimation is an improvement, never a requirement
        return False
    return True

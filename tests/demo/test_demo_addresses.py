"""The demo's residence addresses: in the person's county, long enough to be linked by the ring
rule (R08), mostly one per person with a few shared, and the same for the same seed."""

from __future__ import annotations

from collections import Counter

import pytest

from jineng.demo.generator import generate, reset_demo
from jineng.registry.models import Person
from jineng.registry.rules.address import address_key

pytestmark = pytest.mark.django_db


def test_addresses_lie_in_the_persons_county_and_few_are_shared(demo) -> None:
    rows = list(Person.objects.values_list("address", "region__name", "region_id"))
    for address, county, _region in rows:
        assert address.startswith(county), (address, county)
        assert len(address) <= Person._meta.get_field("address").max_length
        assert address_key(address) == address  # nothing to normalise, and linkable
        assert address.endswith(("室", "号"))
    holders = Counter(address for address, _county, _region in rows)
    shared = sum(n for n in holders.values() if n > 1)
    assert 0 < shared < len(rows) // 10
    # A shared address is shared within its county only.
    for address, n in holders.items():
        if n > 1:
            assert len({r for a, _c, r in rows if a == address}) == 1


@pytest.mark.slow  # whole demo builds: slow tier (`dev.py test --all`)
def test_the_same_seed_gives_the_same_addresses(demo) -> None:
    first = list(Person.objects.order_by("id_hash").values_list("id_hash", "address"))
    reset_demo()
    generate("XS", seed=1, progress=False)
    assert list(Person.objects.order_by("id_hash").values_list("id_hash", "address")) == first

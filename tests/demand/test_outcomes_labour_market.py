"""The demand app reads the social-insurance records (issue 14 waited for them): new hires per
occupation and quarter feed the forecasts (`HIRING_SOURCES`), and wage guidance is computed
from the contribution months of persons whose occupation and level a certificate names.
Hand-built histories with known answers."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from jineng.accounts.models import Role
from jineng.core.errors import DomainError, Forbidden, NotFound
from jineng.demand.models import WageGuidance
from jineng.demand.services import forecasts
from jineng.demand.services import wages as ws
from jineng.outcomes.choices import ImportKind, ImportSource
from jineng.outcomes.models import InsuranceImport, InsuranceRecord
from jineng.outcomes.selectors import labour_market
from jineng.registry.models import Person, SkillLevel
from jineng.training.models import Enrollment
from tests import factories as f
from tests.assessment.records_support import certificate
from tests.demand import forecast_support as fx
from tests.outcomes import factories as of

pytestmark = pytest.mark.django_db
D = dt.date


@pytest.fixture
def source(db):
    return InsuranceImport.objects.create(kind=ImportKind.RECORDS, source=ImportSource.FILE,
                                          filename="测试.csv", content_sha256="t" * 64,
                                          region=f.region(f.PROVINCE))


def rec(source, person: Person | None, employer: str, months, wage=4000,
        county: str = f.COUNTY) -> None:
    """Records of `person` with `employer` for each (year, month) in `months`."""
    region = f.region(county)
    InsuranceRecord.objects.bulk_create([
        InsuranceRecord(id_hash=person.id_hash if person else f"unlinked-{employer}",
                        person=person, employer_code=employer, employer_region=region,
                        month=D(y, m, 1), pension=True, unemployment=True, injury=True,
                        wage_base=Decimal(wage), source_import=source)
        for y, m in months])


def span(first: tuple[int, int], last: tuple[int, int]) -> list[tuple[int, int]]:
    out, (y, m) = [], first
    while (y, m) <= last:
        out.append((y, m))
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def test_hires_are_employers_paying_after_months_without_counted_by_occupation(source):
    care, electrician = fx.care(), fx.electrician()
    a = f.PersonFactory()
    certificate(a, occupation=care, level="grade4", issued_on=D(2024, 1, 1))
    # 2024-01 is the first month on file: E1 seen there is not a hire
    rec(source, a, "E1", span((2024, 1), (2024, 12)))
    rec(source, a, "E2", span((2025, 2), (2025, 5)))  # hire 2025Q1
    rec(source, a, "E2", span((2025, 9), (2025, 10)))  # 3 months without: hire 2025Q3
    rec(source, a, "E2", [(2025, 12)])  # 1 month without: the same job
    b = f.PersonFactory()  # no certificate: the occupation of the class enrolled in
    cls = of.training_class(f.OrganizationFactory(), occupation_name=electrician.name)
    Enrollment.objects.create(training_class=cls, person=b, status="enrolled")
    rec(source, b, "E3", span((2025, 5), (2025, 8)))  # hire 2025Q2 (电工)
    c = f.PersonFactory()  # occupation unknown: not counted
    rec(source, c, "E3", span((2025, 5), (2025, 8)))
    e = f.PersonFactory()  # a revoked certificate does not count; the older valid one does
    certificate(e, occupation=care, issued_on=D(2023, 5, 1))
    certificate(e, occupation=electrician, issued_on=D(2024, 8, 1), revoked=True)
    rec(source, e, "E5", span((2025, 4), (2025, 6)))  # hire 2025Q2 (养老护理员)
    z = f.PersonFactory()  # another city: outside 贵阳市, inside the province
    certificate(z, occupation=care, issued_on=D(2023, 5, 1))
    rec(source, z, "E6", [(2025, 7)], county=f.OTHER_CITY_COUNTY)
    rec(source, None, "E7", span((2025, 1), (2025, 3)))  # not linked to a person: not counted

    city = labour_market.hires_by_occupation(f.CITY, (2025, 1), (2025, 4))
    assert city == {(care.pk, 2025, 1): 1, (care.pk, 2025, 2): 1, (care.pk, 2025, 3): 1,
                    (electrician.pk, 2025, 2): 1}
    province = labour_market.hires_by_occupation(f.PROVINCE, (2025, 1), (2025, 4))
    assert province[(care.pk, 2025, 3)] == 2
    # the window's bounds: only 2025Q3
    assert labour_market.hires_by_occupation(f.CITY, (2025, 3), (2025, 3)) == {
        (care.pk, 2025, 3): 1}
    # 2024: E1 in the first months on file is not a hire
    assert labour_market.hires_by_occupation(f.CITY, (2024, 1), (2024, 4)) == {}


def test_the_forecast_reads_hires_from_the_records(source):
    assert labour_market.hires_by_occupation in forecasts.HIRING_SOURCES  # demand's ready()
    care = fx.care()
    rec(source, None, "E0", [(2024, 1)])  # the first month on file
    people = [f.PersonFactory() for _ in range(3)]
    for n, (p, first) in enumerate(zip(people, (4, 5, 7), strict=True)):
        certificate(p, occupation=care, issued_on=D(2024, 1, 1))
        rec(source, p, f"H{n}", span((2025, first), (2025, 9)))  # hires in 2025Q2, Q2, Q3
    inputs = forecasts.forecast_inputs(f.region(f.CITY), 2026, 1)
    assert inputs.sources["hiring_sources"] == 1
    assert inputs.occupations[care.pk].hires == {"2025Q2": 2, "2025Q3": 1}
    # observed demand of a quarter without lists is its hires
    series = dict(zip(inputs.quarters, inputs.occupations[care.pk].series, strict=True))
    assert series[(2025, 2)] == 2 and series[(2025, 3)] == 1 and series[(2025, 4)] == 0


def _wage_world(source):
    care = fx.care()
    grade5 = SkillLevel.objects.get(code="grade5")
    people = [f.PersonFactory() for _ in range(10)]
    for i, p in enumerate(people):
        certificate(p, occupation=care, level="grade5", issued_on=D(2024, 6, 1))
        rec(source, p, f"W{i}", span((2025, 1), (2025, 3)), wage=3000 + 100 * i)
    # person 0 also works for a second employer: a month's wage is the sum (3000 + 500)
    rec(source, people[0], "SECOND", span((2025, 1), (2025, 3)), wage=500)
    rec(source, people[1], "W1", [(2024, 12)], wage=9000)  # another year
    late = f.PersonFactory()  # certified after the year: level not known for it
    certificate(late, occupation=care, issued_on=D(2026, 2, 1))
    rec(source, late, "L", span((2025, 1), (2025, 3)), wage=11000)
    unknown = f.PersonFactory()  # trained but never certified: no level
    rec(source, unknown, "U", span((2025, 1), (2025, 3)), wage=11000)
    away = f.PersonFactory()  # works in 遵义市: its own (small, suppressed) cell
    certificate(away, occupation=care, issued_on=D(2024, 6, 1))
    rec(source, away, "A", span((2025, 1), (2025, 2)), wage=5000,
        county=f.OTHER_CITY_COUNTY)
    return care, grade5


def test_wage_guidance_from_records_of_certified_persons(source):
    care, grade5 = _wage_world(source)
    staff = f.staff(Role.PROVINCE_STAFF, f.PROVINCE)
    summary = ws.wage_guidance_from_records(actor=staff, year=2025)
    assert summary["source"] == ws.RECORDS_SOURCE
    cell = WageGuidance.objects.get(occupation=care, level=grade5, city=f.region(f.CITY))
    # people: 3500 (two employers), 3100 … 3900: nearest rank P10 = x1, P50 = x5, P90 = x9
    assert (cell.people, cell.p10, cell.p50, cell.p90) == (10, 3100, 3500, 3800)
    away = WageGuidance.objects.get(occupation=care, level=grade5,
                                    city=f.region(f.OTHER_CITY))
    assert away.people == 1 and away.suppressed and away.p50 is None
    rows = list(labour_market.record_wages(year=2025, region_prefix="5201"))
    assert len({r.person for r in rows}) == 10
    assert all(r.person.startswith("person-") and r.month.year == 2025 for r in rows)


def test_wage_guidance_from_records_stays_in_the_actors_region_and_refuses_others(source):
    _wage_world(source)
    other_city = f.staff(Role.CITY_STAFF, f.OTHER_CITY)
    ws.wage_guidance_from_records(actor=other_city, year=2025)
    assert set(WageGuidance.objects.values_list("city__code", flat=True)) == {f.OTHER_CITY}
    with pytest.raises(DomainError) as nothing:  # no records of 2023
        ws.wage_guidance_from_records(actor=other_city, year=2023)
    assert nothing.value.field == "year"
    with pytest.raises(NotFound):
        ws.wage_guidance_from_records(actor=None, year=2025)
    institution = f.UserFactory(role=Role.TRAINING_OPERATOR,
                                organization=f.OrganizationFactory())
    with pytest.raises(Forbidden):
        ws.wage_guidance_from_records(actor=institution, year=2025)
    assert set(WageGuidance.objects.values_list("city__code", flat=True)) == {f.OTHER_CITY}


def test_the_page_button_and_the_api_compute_from_records(source, client):
    from django.urls import reverse

    from tests.openapi import OpenApiClient

    _wage_world(source)
    staff = f.staff(Role.CITY_STAFF, f.CITY)
    client.force_login(staff)
    page = client.get(reverse("demand:wage_guidance")).content.decode()
    assert reverse("demand:wage_guidance_from_records") in page
    answer = client.post(reverse("demand:wage_guidance_from_records"), {"year": "2025"},
                         follow=True)
    assert answer.status_code == 200
    assert WageGuidance.objects.filter(city__code=f.CITY).count() == 2  # grade5, all levels
    result = OpenApiClient(client).call("demand_wage_guidance_from_records",
                                        json_body={"year": 2025})
    assert result.status == 200 and result.body["cells"] == 2 and result.body["replaced"] == 2
    refused = OpenApiClient(client).call("demand_wage_guidance_from_records",
                                         json_body={"year": 2023})
    assert refused.status == 400 and WageGuidance.objects.count() == 2
    anonymous = OpenApiClient().call("demand_wage_guidance_from_records",
                                     json_body={"year": 2025})
    assert anonymous.status == 401

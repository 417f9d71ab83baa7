"""The subsidy API through its OpenAPI document: a class's claims created, reviewed with each
amount's computation shown, paid in a batch (the file, the bank's results), out of scope
answering 404; budgets and parameter sets."""

from __future__ import annotations

import io

import pytest

from jineng.accounts.models import Role
from jineng.subsidy.choices import FundSource
from jineng.subsidy.rules import parameters as loader
from tests import factories as f
from tests.openapi import OpenApiClient
from tests.subsidy import helpers as sh

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def params(monkeypatch):
    return sh.use_params(monkeypatch)


def api(user) -> OpenApiClient:
    return OpenApiClient().login(user)


def test_claims_from_class_to_bank_and_back():
    a = sh.assessed_class(1)
    city, county = f.staff(Role.CITY_STAFF, f.CITY), f.staff(Role.COUNTY_STAFF, f.COUNTY)
    budget = api(city).call("subsidy_budget_create", json_body={
        "source": FundSource.EMPLOYMENT_SUBSIDY, "region_code": f.CITY, "year": 2026,
        "amount": "5000.00"})
    assert budget.status == 200 and budget.body["available"] == "5000.00"
    made = api(a.world.operator).call(
        "subsidy_claim_batch_create", path={"class_id": a.cls.pk},
        json_body={"account": sh.ACCOUNT, "bank_name": sh.BANK,
                   "claim_date": sh.CLAIM_DAY.isoformat()})
    assert made.status == 200, made.body
    (claim_id,) = made.body["created"]
    operator = api(a.world.operator)
    claim = operator.call("subsidy_claim_get", path={"claim_id": claim_id})
    assert claim.body["actions"] == ["submit", "withdraw"]
    assert claim.body["account_masked"] == "6222***********0123"
    assert sh.ACCOUNT not in claim.response.content.decode()
    assert any(s["rule"] == "standard" and s["explanation"] for s in claim.body["steps"])
    assert operator.call("subsidy_claim_submit", path={"claim_id": claim_id}).status == 200
    refused = api(county).call("subsidy_claim_review", path={"claim_id": claim_id},
                               json_body={"action": "refuse"})
    assert refused.status == 400 and refused.error_fields() == ["reason"]
    api(county).call("subsidy_claim_review", path={"claim_id": claim_id},
                     json_body={"action": "approve"})
    approved = api(city).call("subsidy_claim_review", path={"claim_id": claim_id},
                              json_body={"action": "approve"})
    assert approved.body["status"] == "approved"
    assert [h["to_status"] for h in approved.body["history"]] == [
        "draft", "submitted", "city_review", "approved"]
    budgets = api(city).call("subsidy_budget_list").body["items"]
    assert budgets[0]["committed"] == "1500.00" and budgets[0]["available"] == "3500.00"
    batch = api(city).call("subsidy_payment_batch_create", json_body={
        "region_code": f.CITY, "fund_source": FundSource.EMPLOYMENT_SUBSIDY})
    assert batch.status == 200 and batch.body["items"][0]["account_masked"].startswith("6222")
    file = api(city).call("subsidy_payment_batch_export", path={"batch_id": batch.body["id"]})
    again = api(city).call("subsidy_payment_batch_export", path={"batch_id": batch.body["id"]})
    assert file.status == 200 and file.content == again.content
    assert sh.ACCOUNT in file.content.decode("utf-8-sig")
    book = api(city).call("subsidy_payment_batch_export", path={"batch_id": batch.body["id"]},
                          query={"fmt": "xlsx"})
    assert book.status == 200 and book.content[:2] == b"PK"
    ref = batch.body["items"][0]["reference"]
    upload = io.BytesIO(f"转账参考号,结果,失败原因\n{ref},成功,\n".encode())
    upload.name = "results.csv"
    answer = api(city).call("subsidy_payment_results_import", path={"batch_id": batch.body["id"]},
                            files={"file": upload})
    assert answer.status == 200 and answer.body["paid"] == 1
    paid = api(city).call("subsidy_claim_get", path={"claim_id": claim_id})
    assert paid.body["status"] == "paid"


def test_out_of_scope_answers_404_and_lists_stay_empty():
    a = sh.assessed_class(1)
    claim = sh.drafts(a).created[0]
    for stranger in (a.world.other_operator, f.staff(Role.CITY_STAFF, f.OTHER_CITY)):
        assert api(stranger).call("subsidy_claim_get", path={"claim_id": claim.pk}).status \
            == 404
        assert api(stranger).call("subsidy_claim_list").body["items"] == []
        assert api(stranger).call("subsidy_claim_submit", path={"claim_id": claim.pk}).status \
            == 404
    assert len(api(f.staff()).call("subsidy_claim_list").body["items"]) == 1


def test_parameter_sets_upload_and_publish():
    staff = f.staff()
    text = (loader.PARAMETERS_DIR / "guizhou.yaml").read_text(encoding="utf-8")
    bad = api(staff).call("subsidy_parameter_set_upload",
                          json_body={"yaml_text": text.replace("kinds:", "kindz:")})
    assert bad.status == 400 and "Line" in bad.body["detail"][0]["message"]
    made = api(staff).call("subsidy_parameter_set_upload", json_body={"yaml_text": text})
    assert made.status == 200 and made.body["status"] == "draft"
    assert api(f.operator(f.OrganizationFactory())).call(
        "subsidy_parameter_set_get", path={"set_id": made.body["id"]}).status == 404
    done = api(staff).call("subsidy_parameter_set_publish", path={"set_id": made.body["id"]})
    assert done.body["status"] == "published"
    public = OpenApiClient().call("subsidy_parameter_set_list")
    assert public.status in (200, 401)

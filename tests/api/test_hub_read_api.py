"""Guidelines and compensation policies (read): the key's departments and shared ones only."""

import pytest

from hub import services
from hub.models import CompensationPolicy, CompensationTier


@pytest.fixture
def guideline(comms):
    def make(title, department=None):
        g = services.guideline_create(
            actor=comms,
            title=title,
            body="Hi {customer_name}, we are on it.",
            kind="template",
            department=department,
        )
        services.guideline_approve(actor=comms, guideline_id=g.pk)
        return g

    return make


def test_guidelines_of_the_keys_departments_and_shared_ones_are_listed(
    billing_api, guideline, billing, support
):
    shared = guideline("Everyone")
    own = guideline("Billing only", department=billing)
    foreign = guideline("Support only", department=support)
    body = billing_api.get("/api/v1/guidelines/").json()
    assert {g["id"] for g in body} == {shared.pk, own.pk}
    assert body[0]["body"].startswith("Hi {customer_name}")
    assert billing_api.get(f"/api/v1/guidelines/{own.pk}/").status_code == 200
    response = billing_api.get(f"/api/v1/guidelines/{foreign.pk}/")
    assert response.status_code == 404 and response.json()["error"]["code"] == "not_found"


def test_active_compensation_policies_are_listed_with_their_tiers(billing_api, billing):
    policy = CompensationPolicy.objects.create(name="Voucher", kind="voucher")
    CompensationTier.objects.create(policy=policy, severity="minor", min_amount=5, max_amount=20)
    CompensationPolicy.objects.create(name="Old", kind="refund", is_active=False)
    [listed] = billing_api.get("/api/v1/compensation-policies/").json()
    assert listed["name"] == "Voucher"
    assert listed["tiers"] == [{"severity": "minor", "min_amount": "5.00", "max_amount": "20.00"}]


@pytest.mark.parametrize("path", ["/api/v1/guidelines/", "/api/v1/compensation-policies/"])
def test_hub_reads_need_the_read_scope(make_key, api, billing, path):
    _, write_only = make_key(billing, scopes=["write"])
    assert api(write_only).get(path).status_code == 403

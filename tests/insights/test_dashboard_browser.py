"""The dashboard in headless Chromium: charts drawn, numbers present, scope enforced."""

import re

import pytest
from playwright.sync_api import Page, expect

from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page: Page, base_url: str, user) -> None:
    page.goto(f"{base_url}/login/")
    page.locator("#id_username").fill(user.username)
    page.locator("#id_password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("header.topbar")).to_be_visible()


def drawn_bars(page: Page, chart_id: str) -> int:
    """Bars or lines with a real size in the chart (not just an empty frame)."""
    return page.locator(f"#{chart_id}").evaluate(
        """svg => [...svg.querySelectorAll('rect.bar, polyline.line')]
                  .filter(el => { const b = el.getBBox(); return b.width > 0 && b.height > 0; })
                  .length"""
    )


def test_a_lead_sees_their_departments_charts(
    page: Page, live_server, lead, dataset, tmp_path, browser_errors
):
    log_in(page, live_server.url, lead)

    response = page.goto(f"{live_server.url}/insights/?days=7")

    assert response.status == 200
    expect(page.get_by_role("heading", name=re.compile("Insights"))).to_be_visible()
    for chart in ("chart-response_department", "chart-sla", "chart-volume_source", "chart-hours"):
        expect(page.locator(f"#{chart}")).to_be_visible()
        assert drawn_bars(page, chart) > 0, chart
    assert page.locator("#chart-sla").get_attribute("role") == "img"
    expect(page.locator("#table-response_department tbody tr")).to_have_count(1)
    expect(page.locator("#table-response_department tbody th")).to_have_text("Billing")
    expect(page.locator("#verdict")).to_contain_text("Few voices: 4 people")
    page.screenshot(path=tmp_path / "insights-lead.png", full_page=True)
    assert (tmp_path / "insights-lead.png").stat().st_size > 10_000
    options = page.locator("select[name=department] option").all_inner_texts()
    assert "Support" not in options
    assert not browser_errors


def test_a_lead_cannot_open_another_departments_figures(
    page: Page, live_server, lead, dataset, browser_errors
):
    log_in(page, live_server.url, lead)

    response = page.goto(f"{live_server.url}/insights/?department=support&days=7")

    assert response.status == 404
    expect(page.locator("#table-sla")).to_have_count(0)
    browser_errors.clear()  # the 404 itself is logged as a failed resource


def test_central_comms_sees_every_department(
    page: Page, live_server, comms, dataset, tmp_path, browser_errors
):
    log_in(page, live_server.url, comms)

    page.goto(f"{live_server.url}/insights/?days=7")

    departments = page.locator("#table-response_department tbody th").all_text_contents()
    assert departments == ["Billing", "Support"]
    assert drawn_bars(page, "chart-volume_department") == 2  # one line per department
    assert drawn_bars(page, "chart-response_department") == 4  # median and p90 each
    page.locator("select[name=department]").select_option("support")
    page.get_by_role("button", name="Show").click()
    expect(page).to_have_url(re.compile(r"department=support"))
    expect(page.locator("#table-response_department tbody th")).to_have_text("Support")
    page.screenshot(path=tmp_path / "insights-comms.png", full_page=True)
    assert (tmp_path / "insights-comms.png").stat().st_size > 10_000
    assert not browser_errors

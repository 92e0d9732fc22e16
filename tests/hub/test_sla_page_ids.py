"""The SLA page holds two forms (a policy, a holiday) that both have a department field: it
rendered ``id="id_department"`` twice, so the holiday form's label pointed at the policy's
select. Each form has ids of its own; the names, and so the posts, are unchanged."""

from collections import Counter
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from hub.models import Holiday, SlaPolicy


class _Forms(HTMLParser):
    """Every id, every label's ``for``, and each form's field names, by form action."""

    def __init__(self):
        super().__init__()
        self.ids, self.label_targets, self.fields = [], [], {}
        self._action = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if "id" in attrs:
            self.ids.append(attrs["id"])
        if tag == "label" and attrs.get("for"):
            self.label_targets.append(attrs["for"])
        if tag == "form":
            self._action = attrs.get("action")
            self.fields[self._action] = {}
        if tag in ("input", "select", "textarea") and self._action and attrs.get("name"):
            self.fields[self._action][attrs["name"]] = attrs.get("id")

    def handle_endtag(self, tag):
        if tag == "form":
            self._action = None


@pytest.fixture
def sla_page(client, comms, billing):
    client.force_login(comms)
    parsed = _Forms()
    parsed.feed(client.get(reverse("hub:sla")).content.decode())
    return parsed


def test_every_id_on_the_page_is_unique(sla_page):
    repeated = [i for i, n in Counter(sla_page.ids).items() if n > 1]
    assert repeated == []


def test_each_form_has_ids_of_its_own_and_posts_by_the_same_names(client, sla_page, billing):
    policy = sla_page.fields[reverse("hub:sla_set")]
    holiday = sla_page.fields[reverse("hub:holiday_add")]
    assert policy["department"] != holiday["department"]
    for field_id in (policy["department"], holiday["department"], holiday["date"]):
        assert field_id in sla_page.label_targets
    assert set(sla_page.label_targets) <= set(sla_page.ids)

    assert {"department", "priority", "first_response_minutes", "resolution_minutes"} <= set(policy)
    client.post(
        reverse("hub:sla_set"),
        {
            "department": billing.pk,
            "priority": 2,
            "first_response_minutes": 30,
            "resolution_minutes": 240,
        },
    )
    assert SlaPolicy.objects.get(department=billing).first_response_minutes == 30
    assert {"department", "date", "name"} <= set(holiday)
    client.post(
        reverse("hub:holiday_add"),
        {"department": billing.pk, "date": "2026-12-26", "name": "Boxing Day"},
    )
    assert Holiday.objects.get().department == billing

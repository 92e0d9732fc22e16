import pytest

from accounts.models import AuditEvent
from core.errors import Conflict, DomainError, PermissionDenied
from hub import services
from hub.models import Guideline, GuidelineStatus, GuidelineVersion

BODY = "Hi {customer_name}, we're on it. ^{agent_initials}"


def test_a_new_guideline_is_a_draft_with_its_first_version(
    comms, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        guideline = services.guideline_create(
            actor=comms, title="Sorry", kind="template", body=BODY
        )
    assert guideline.status == GuidelineStatus.DRAFT
    assert guideline.current_version is None
    assert [v.number for v in guideline.versions.all()] == [1]
    assert AuditEvent.objects.filter(
        action="guideline.created", target_id=str(guideline.pk)
    ).exists()
    assert [(e, g) for e, _p, g in published] == [("guideline.created", ["hub"])]


def test_approving_makes_the_newest_version_current_and_tells_departments(
    comms, billing, support, published, django_capture_on_commit_callbacks
):
    guideline = services.guideline_create(actor=comms, title="Sorry", kind="template", body=BODY)
    with django_capture_on_commit_callbacks(execute=True):
        version = services.guideline_approve(actor=comms, guideline_id=guideline.pk)
    guideline.refresh_from_db()
    assert guideline.status == GuidelineStatus.APPROVED
    assert guideline.current_version == version
    assert version.approved_by == comms and version.approved_at is not None
    event, payload, groups = published[-1]
    assert event == "guideline.approved" and payload["version_id"] == version.pk
    assert set(groups) == {"hub", f"dept.{billing.pk}", f"dept.{support.pk}"}
    assert AuditEvent.objects.filter(action="guideline.approved").count() == 1


def test_a_department_guideline_is_announced_to_that_department_only(
    comms, billing, support, published, django_capture_on_commit_callbacks
):
    guideline = services.guideline_create(
        actor=comms, title="Refund", kind="template", body=BODY, department=billing
    )
    with django_capture_on_commit_callbacks(execute=True):
        services.guideline_approve(actor=comms, guideline_id=guideline.pk)
    assert published[-1][2] == ["hub", f"dept.{billing.pk}"]


def test_a_new_version_waits_while_the_approved_one_stays_in_use(comms, approved):
    guideline = approved(body=BODY)
    first = guideline.current_version
    second = services.guideline_version_create(
        actor=comms, guideline_id=guideline.pk, body=BODY + " Thanks!", change_note="warmer"
    )
    guideline.refresh_from_db()
    assert second.number == 2 and second.approved_at is None
    assert guideline.current_version == first
    services.guideline_approve(actor=comms, guideline_id=guideline.pk, version_id=second.pk)
    guideline.refresh_from_db()
    assert guideline.current_version == second


def test_a_pinned_version_keeps_its_wording_after_a_newer_one_is_approved(comms, approved):
    guideline = approved(body=BODY)
    pinned_id = guideline.current_version_id  # what a reply stores
    new = services.guideline_version_create(
        actor=comms, guideline_id=guideline.pk, body="Hello {customer_name}"
    )
    services.guideline_approve(actor=comms, guideline_id=guideline.pk, version_id=new.pk)
    assert GuidelineVersion.objects.get(pk=pinned_id).body == BODY


def test_versions_are_immutable(approved):
    version = approved().current_version
    version.body = "changed"
    with pytest.raises(ValueError):
        version.save()
    with pytest.raises(ValueError):
        version.save(update_fields=["body"])
    assert GuidelineVersion.objects.get(pk=version.pk).body != "changed"


def test_an_older_version_cannot_replace_a_newer_approved_one(comms, approved):
    guideline = approved(body=BODY)
    old = guideline.current_version
    new = services.guideline_version_create(
        actor=comms, guideline_id=guideline.pk, body="New {customer_name}"
    )
    services.guideline_approve(actor=comms, guideline_id=guideline.pk, version_id=new.pk)
    with pytest.raises(Conflict):
        services.guideline_approve(actor=comms, guideline_id=guideline.pk, version_id=old.pk)
    with pytest.raises(Conflict):
        services.guideline_approve(actor=comms, guideline_id=guideline.pk, version_id=new.pk)


def test_identical_wording_is_not_a_new_version(comms, approved):
    guideline = approved(body=BODY)
    with pytest.raises(DomainError) as error:
        services.guideline_version_create(actor=comms, guideline_id=guideline.pk, body=BODY)
    assert error.value.field == "body"


def test_retiring_stops_new_versions_and_is_audited(
    comms, approved, published, django_capture_on_commit_callbacks
):
    guideline = approved()
    with django_capture_on_commit_callbacks(execute=True):
        services.guideline_retire(actor=comms, guideline_id=guideline.pk, reason="outdated")
    guideline.refresh_from_db()
    assert guideline.status == GuidelineStatus.RETIRED
    assert published[-1][0] == "guideline.retired"
    assert AuditEvent.objects.get(action="guideline.retired").data["reason"] == "outdated"
    with pytest.raises(Conflict):
        services.guideline_version_create(
            actor=comms, guideline_id=guideline.pk, body="x {customer_name}"
        )
    with pytest.raises(Conflict):
        services.guideline_retire(actor=comms, guideline_id=guideline.pk)


def test_a_retired_guideline_can_be_reinstated(comms, approved):
    guideline = approved()
    services.guideline_retire(actor=comms, guideline_id=guideline.pk)
    services.guideline_approve(
        actor=comms, guideline_id=guideline.pk, version_id=guideline.current_version_id
    )
    guideline.refresh_from_db()
    assert guideline.status == GuidelineStatus.APPROVED


def test_unknown_placeholders_are_refused_when_saving(comms):
    with pytest.raises(DomainError) as error:
        services.guideline_create(actor=comms, title="X", kind="template", body="Hi {customer_nam}")
    assert error.value.field == "body"
    assert "{customer_nam}" in error.value.message
    assert not Guideline.objects.exists()


def test_updating_details_records_what_changed(comms, approved, billing):
    guideline = approved()
    services.guideline_update(
        actor=comms, guideline_id=guideline.pk, department=billing, tone="apologetic"
    )
    guideline.refresh_from_db()
    assert guideline.department == billing and guideline.tone == "apologetic"
    changed = AuditEvent.objects.get(action="guideline.updated").data["changed"]
    assert set(changed) == {"department", "tone"}


@pytest.mark.parametrize("who", ["agent", "lead", "outsider"])
def test_only_comms_and_admins_edit_guidelines(request, who, comms, approved, published):
    actor = request.getfixturevalue(who)
    guideline = approved()
    audits = AuditEvent.objects.count()
    published.clear()
    calls = [
        lambda: services.guideline_create(actor=actor, title="X", kind="template", body="x"),
        lambda: services.guideline_version_create(actor=actor, guideline_id=guideline.pk, body="y"),
        lambda: services.guideline_approve(actor=actor, guideline_id=guideline.pk),
        lambda: services.guideline_retire(actor=actor, guideline_id=guideline.pk),
        lambda: services.guideline_update(actor=actor, guideline_id=guideline.pk, title="Z"),
    ]
    for call in calls:
        with pytest.raises(PermissionDenied):
            call()
    guideline.refresh_from_db()
    assert guideline.status == GuidelineStatus.APPROVED and guideline.title == "Problem: general"
    assert guideline.versions.count() == 1
    assert AuditEvent.objects.count() == audits
    assert published == []


def test_an_administrator_may_edit(admin_user):
    guideline = services.guideline_create(actor=admin_user, title="X", kind="faq", body="Internal.")
    services.guideline_approve(actor=admin_user, guideline_id=guideline.pk)

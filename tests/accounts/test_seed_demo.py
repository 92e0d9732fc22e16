from django.core.management import call_command

from accounts.models import User
from spokes.models import Department, Membership, Mention
from spokes.selectors import mentions_visible


def test_seed_builds_a_living_helpdesk_and_running_it_again_changes_nothing(db):
    call_command("seed_demo", "--password", "demo-pass-123", "--quiet")
    counts = (
        Department.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Mention.objects.count(),
    )
    assert counts[0] >= 4
    assert counts[3] >= 200
    assert set(User.objects.values_list("org_role", flat=True)) == {"member", "comms", "admin"}
    assert set(Membership.objects.values_list("role", flat=True)) == {"agent", "lead"}
    assert len(set(Mention.objects.values_list("source", flat=True))) >= 4

    call_command("seed_demo", "--password", "another", "--quiet")
    assert (
        Department.objects.count(),
        User.objects.count(),
        Membership.objects.count(),
        Mention.objects.count(),
    ) == counts


def test_a_demo_agent_sees_only_their_department(db):
    call_command("seed_demo", "--password", "demo-pass-123", "--quiet")
    agent = User.objects.get(username="ava.billing")
    departments = set(mentions_visible(agent).values_list("department__slug", flat=True))
    assert departments == {"billing"}
    assert agent.check_password("demo-pass-123")


def test_the_demos_email_senders_have_addresses_to_answer(db):
    from django.core.validators import validate_email

    from spokes.models import Author

    call_command("seed_demo", "--password", "demo-pass-123", "--quiet")
    handles = list(Author.objects.filter(source="email").values_list("handle", flat=True))
    assert handles
    for handle in handles:
        validate_email(handle)  # replies to them are emailed there

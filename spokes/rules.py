"""What a person may do to a mention, now: one answer for the mention page and the services.

The page shows only the actions ``mention_actions`` names; the services refuse the others by
the same predicates (``may_assign``, ``status_allows``), so a button is never shown that the
service would refuse, and the rules live in one place.
"""

from django_fsm import can_proceed

from spokes.models import Mention, Status
from spokes.selectors import user_can

# The status changes a person asks for by name (page, API, bulk), and the transitions they run.
STATUS_ACTIONS = {
    "watch": Mention.watch,
    "resolve": Mention.resolve,
    "spam": Mention.mark_spam,
    "reopen": Mention.reopen,
    "take_offline": Mention.take_offline,
}


def status_allows(mention: Mention, transition) -> bool:
    """Whether the state machine lets ``mention`` take ``transition`` from its status."""
    return can_proceed(transition.__get__(mention))


def may_assign(actor, mention: Mention, assignee) -> bool:
    """Agents may only take a mention nobody else owns, or hand back one of their own; leads
    assign anyone, or no one.

    The caller has checked that ``actor`` works the mention's department."""
    taking_free = assignee == actor and mention.assignee_id in (None, actor.pk)
    handing_back = assignee is None and mention.assignee_id == actor.pk
    return taking_free or handing_back or user_can(actor, "lead_queue", mention.department_id)


def mention_actions(user, mention: Mention) -> frozenset[str]:
    """The actions of the mention page that ``user`` may take on ``mention`` as it is now.

    Empty for someone who may only read it (central comms, a shared mention, a view-only
    grant). Taking a mention one already owns, and status changes the state machine refuses
    ("Reopen" on a new one, "Resolve" on a resolved one) are left out."""
    department_id = mention.department_id
    if department_id is None or not user_can(user, "work_queue", department_id):
        return frozenset()
    actions = {"priority", "tag"}
    actions.update(
        name for name, transition in STATUS_ACTIONS.items() if status_allows(mention, transition)
    )
    # Assigning moves a workable mention to Assigned; one already Assigned just changes hands.
    assignable = mention.status == Status.ASSIGNED or status_allows(mention, Mention.assign)
    if assignable and mention.assignee_id != user.pk and may_assign(user, mention, user):
        actions.add("assign_me")
    if mention.assignee_id == user.pk:
        actions.add("hand_back")
    if user_can(user, "lead_queue", department_id):
        if assignable:
            actions.add("assign")
        if status_allows(mention, Mention.transfer):
            actions.add("transfer")
    return frozenset(actions)

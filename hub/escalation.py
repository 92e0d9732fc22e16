"""Does an escalation rule apply to a mention right now? Pure evaluation, no side effects.

The timers that call this and carry out the actions live with SLA monitoring; this module
only answers the question, so it can be tested with fixed clocks.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from hub.routing import _cached_pattern


@dataclass(frozen=True)
class MentionFacts:
    """What a rule looks at; build it with :func:`facts_of` or by hand in tests."""

    priority: int
    reach: int
    text: str
    sentiment: float | None
    flags: tuple[str, ...]
    sla_due_at: datetime | None
    answered: bool  # a first response went out: SLA conditions no longer apply
    incident_linked: bool = False


def facts_of(mention, *, incident_linked: bool = False) -> MentionFacts:
    return MentionFacts(
        priority=mention.priority,
        reach=mention.reach,
        text=mention.text,
        sentiment=mention.sentiment,
        flags=tuple(mention.flags or ()),
        sla_due_at=mention.sla_due_at,
        answered=mention.first_response_at is not None,
        incident_linked=incident_linked,
    )


def has_condition(rule) -> bool:
    return any(
        (
            rule.min_priority,
            rule.min_reach is not None,
            rule.keywords,
            rule.max_sentiment is not None,
            rule.flags,
            rule.incident_linked,
            rule.sla_condition,
        )
    )


def _sla_holds(rule, facts: MentionFacts, now: datetime) -> bool:
    if facts.sla_due_at is None or facts.answered:
        return False
    offset = timedelta(minutes=rule.sla_minutes)
    if rule.sla_condition == "warning":
        return facts.sla_due_at - offset <= now < facts.sla_due_at
    return now >= facts.sla_due_at + offset  # breach


def rule_matches(rule, facts: MentionFacts, *, now: datetime) -> bool:
    """True when every condition set on ``rule`` holds (a rule without conditions never does)."""
    if not rule.is_active or not has_condition(rule):
        return False
    checks = []
    if rule.min_priority:
        checks.append(facts.priority >= rule.min_priority)
    if rule.min_reach is not None:
        checks.append(facts.reach > rule.min_reach)
    if rule.keywords:
        checks.append(any(_cached_pattern(k).search(facts.text) for k in rule.keywords if k))
    if rule.max_sentiment is not None:
        checks.append(facts.sentiment is not None and facts.sentiment < rule.max_sentiment)
    if rule.flags:
        checks.append(bool(set(rule.flags) & set(facts.flags)))
    if rule.incident_linked:
        checks.append(facts.incident_linked)
    if rule.sla_condition:
        checks.append(_sla_holds(rule, facts, now))
    return all(checks)


def matching_rules(rules, facts: MentionFacts, *, now: datetime) -> list:
    return [rule for rule in rules if rule_matches(rule, facts, now=now)]

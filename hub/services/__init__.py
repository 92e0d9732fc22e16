"""Every change to the hub goes through these functions (see the submodules).

Each runs in one transaction, checks that the actor is central comms or an administrator
(offers: that the actor works the mention's department), validates (DomainError naming the
field), writes, records an audit row and publishes a live event on commit.
"""

from hub.services.compensation import (
    OfferDecision,
    compensation_offer_approve,
    compensation_offer_create,
    compensation_offer_set_status,
    compensation_policy_save,
    discretion_limit_delete,
    discretion_limit_set,
)
from hub.services.guidelines import (
    guideline_approve,
    guideline_create,
    guideline_preview,
    guideline_render,
    guideline_retire,
    guideline_update,
    guideline_version_create,
    placeholder_values,
)
from hub.services.rules import (
    availability_set,
    business_hours_set,
    department_policy_set,
    escalation_rule_delete,
    escalation_rule_save,
    holiday_add,
    holiday_delete,
    routing_default_set,
    routing_rule_delete,
    routing_rule_move,
    routing_rule_save,
    sla_policy_delete,
    sla_policy_set,
)

__all__ = [
    "OfferDecision",
    "availability_set",
    "business_hours_set",
    "compensation_offer_approve",
    "compensation_offer_create",
    "compensation_offer_set_status",
    "compensation_policy_save",
    "department_policy_set",
    "discretion_limit_delete",
    "discretion_limit_set",
    "escalation_rule_delete",
    "escalation_rule_save",
    "guideline_approve",
    "guideline_create",
    "guideline_preview",
    "guideline_render",
    "guideline_retire",
    "guideline_update",
    "guideline_version_create",
    "holiday_add",
    "holiday_delete",
    "placeholder_values",
    "routing_default_set",
    "routing_rule_delete",
    "routing_rule_move",
    "routing_rule_save",
    "sla_policy_delete",
    "sla_policy_set",
]

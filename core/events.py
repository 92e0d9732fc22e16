"""Live events: the only way anything is pushed to browsers.

Services call :func:`publish` inside their transaction; the message leaves on commit, so a
rolled-back change is never announced. Event types are dotted names (``mention.assigned``);
the payload is a small JSON-safe dict that clients use to refetch what changed.
"""

import logging

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)


def department_group(department_id: int) -> str:
    return f"dept.{department_id}"


def mention_group(mention_id: int) -> str:
    return f"mention.{mention_id}"


def user_group(user_id: int) -> str:
    return f"user.{user_id}"


def hub_group() -> str:
    return "hub"


def _send(groups: list[str], message: dict) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    for group in groups:
        try:
            async_to_sync(layer.group_send)(group, message)
        except Exception:  # a lost live event must never break the write that caused it
            log.exception("live event %s to %s not delivered", message.get("type"), group)


def publish(event_type: str, payload: dict, *, groups: list[str]) -> None:
    message = {"type": "live.event", "event": event_type, "payload": payload}
    transaction.on_commit(lambda: _send(list(groups), message))

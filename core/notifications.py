from core.events import publish, user_group
from core.models import Notification


def notify(*, user, kind: str, text: str, url: str = "") -> Notification:
    """Store a notification and push it to the person's open tabs on commit."""
    notification = Notification.objects.create(user=user, kind=kind, text=text[:300], url=url)
    publish(
        "notification.created",
        {"id": notification.pk, "kind": kind, "text": notification.text, "url": url},
        groups=[user_group(user.pk)],
    )
    return notification

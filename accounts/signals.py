"""Open websockets lose access with the account: a deactivated, deleted or demoted user, or a
new password, closes the user's sockets on commit (``core.events.access_changed``)."""

from django.db.models.signals import post_delete, post_save, pre_save
from django.dispatch import receiver

from accounts.models import User
from core.events import access_changed

WATCHED = ("is_active", "org_role", "is_superuser", "password")


@receiver(pre_save, sender=User)
def _note_access_fields(sender, instance: User, update_fields=None, **kwargs):
    instance._access_changed = False
    if instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(WATCHED):
        return  # e.g. last_login at every login: no read
    before = User.objects.filter(pk=instance.pk).values(*WATCHED).first()
    if before is not None:
        instance._access_changed = any(before[f] != getattr(instance, f) for f in WATCHED)


@receiver(post_save, sender=User)
def _close_sockets_on_change(sender, instance: User, created: bool, **kwargs):
    if getattr(instance, "_access_changed", False):
        access_changed(instance.pk)


@receiver(post_delete, sender=User)
def _close_sockets_on_delete(sender, instance: User, **kwargs):
    access_changed(instance.pk)

"""Open websockets lose access with the account: a deactivated, deleted or demoted user, a new
password, or a change to the groups and permissions that carry department grants and roles,
closes the sockets concerned on commit (``core.events.access_changed``)."""

from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
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


# Groups carry department grants too (spokes.selectors reads a user's and their groups'), and
# global permissions carry roles (an approver's ``decide_reply``): a change to either closes
# the sockets of everyone it concerns, from the admin, the shell or a service alike.
CHANGES = ("post_add", "post_remove")


@receiver(m2m_changed, sender=User.groups.through)
@receiver(m2m_changed, sender=User.user_permissions.through)
def _close_sockets_on_grants(sender, instance, action, reverse, pk_set, **kwargs):
    if not reverse:  # user.groups / user.user_permissions changed
        if action in (*CHANGES, "post_clear"):
            access_changed(instance.pk)
        return
    if action in CHANGES:  # group.user_set / permission.user_set: pk_set holds the users
        users = pk_set or ()
    elif action == "pre_clear":  # once cleared, nobody is left to tell
        users = list(instance.user_set.values_list("pk", flat=True))
    else:
        return
    for user_id in users:
        access_changed(user_id)


@receiver(m2m_changed, sender=Group.permissions.through)
def _close_sockets_on_group_permissions(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in (*CHANGES, "pre_clear" if reverse else "post_clear"):
        return
    if not reverse:  # group.permissions changed
        groups = [instance.pk]
    elif action == "pre_clear":  # permission.group_set cleared
        groups = list(instance.group_set.values_list("pk", flat=True))
    else:
        groups = list(pk_set or ())
    for user_id in User.objects.filter(groups__in=groups).values_list("pk", flat=True).distinct():
        access_changed(user_id)

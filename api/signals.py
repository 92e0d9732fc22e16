"""Drop an integration key's cached record (``api.authentication``) whenever it may change."""

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from api.authentication import forget_key
from api.models import IntegrationKey

SERVICE_ACCOUNT_PREFIX = "api-key-"  # api.services._provision_service_account


def _forget_now_and_at_commit(prefix: str) -> None:
    # Now, for this transaction's own reads; again at commit, in case another request cached
    # the old row between now and then, leaving a marker that keeps requests that read the old
    # row from caching it afterwards.
    forget_key(prefix)
    transaction.on_commit(lambda: forget_key(prefix, changed=True))


@receiver(post_save, sender=IntegrationKey)
@receiver(post_delete, sender=IntegrationKey)
def _key_changed(sender, instance, **kwargs):
    _forget_now_and_at_commit(instance.prefix)


@receiver(m2m_changed, sender=IntegrationKey.departments.through)
def _key_departments_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("pre_") and not action.startswith("post_"):
        return
    if not reverse:  # key.departments.add/remove/clear/set
        if action.startswith("post_"):
            _forget_now_and_at_commit(instance.prefix)
        return
    # department.integration_keys...: the keys are named (or, for clear, still linked before)
    if action == "pre_clear":
        prefixes = instance.integration_keys.values_list("prefix", flat=True)
    elif action.startswith("post_") and action != "post_clear" and pk_set:
        prefixes = IntegrationKey.objects.filter(pk__in=pk_set).values_list("prefix", flat=True)
    else:
        return
    for prefix in list(prefixes):
        _forget_now_and_at_commit(prefix)


@receiver(post_save, sender=get_user_model())
@receiver(post_delete, sender=get_user_model())
def _service_account_changed(sender, instance, **kwargs):
    if instance.username.startswith(SERVICE_ACCOUNT_PREFIX):
        _forget_now_and_at_commit(instance.username.removeprefix(SERVICE_ACCOUNT_PREFIX))

"""Version 1 of the REST API: one module per resource, each exporting ``urlpatterns``.

To add a resource (replies, incidents...), write ``api/v1/<resource>.py`` with its serializers,
views and ``urlpatterns`` and list the module in ``api/v1/urls.py``. Views subclass
``api.v1.base.ApiView`` (or ``ListApiView``) to get key authentication, scopes (``required_scope
= "approve"`` for approval actions), throttling and the error shape.
"""

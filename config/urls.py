from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views_account
from core import views as core_views
from spokes import views as spokes_views

urlpatterns = [
    path("", spokes_views.home, name="home"),
    path("login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("healthz", core_views.healthz, name="healthz"),
    path("notifications/", core_views.notifications, name="notifications"),
    path("notifications/read/", core_views.notifications_read, name="notifications_read"),
    path("audit/", core_views.audit_log, name="audit_log"),
    path("emails/", core_views.emails, name="emails"),
    path("emails/resend-failed/", core_views.emails_resend_failed, name="emails_resend_failed"),
    path("emails/<int:email_id>/resend/", core_views.email_resend, name="email_resend"),
    path("account/", views_account.account, name="account"),
    path("account/password/", views_account.account_password, name="account_password"),
    path("people/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("hub/", include("hub.urls")),
    path("replies/", include("replies.urls")),
    path("incidents/", include("incidents.urls")),
    path("insights/", include("insights.urls")),
    path("api/", include("api.urls")),
    path("", include("spokes.urls")),
]

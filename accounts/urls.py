from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.people, name="people"),
    path("new/", views.person_new, name="person_new"),
    path("<int:user_id>/", views.person, name="person"),
    path("<int:user_id>/role/", views.person_role, name="person_role"),
    path("<int:user_id>/active/", views.person_active, name="person_active"),
    path("<int:user_id>/memberships/", views.membership_set, name="membership_set"),
    path(
        "<int:user_id>/memberships/<slug:slug>/revoke/",
        views.membership_revoke,
        name="membership_revoke",
    ),
]

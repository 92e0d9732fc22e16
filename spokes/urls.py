from django.urls import path

from spokes import views

app_name = "spokes"

urlpatterns = [
    path("mine/", views.mine, name="mine"),
    path("mine/bulk/", views.mine_bulk, name="mine_bulk"),
    path("d/<slug:slug>/", views.queue, name="queue"),
    path("d/<slug:slug>/bulk/", views.queue_bulk, name="bulk"),
    path("d/<slug:slug>/views/", views.saved_view_save, name="view_save"),
    path(
        "d/<slug:slug>/views/<int:view_id>/delete/",
        views.saved_view_delete,
        name="view_delete",
    ),
    path("m/<int:mention_id>/", views.mention_detail, name="mention"),
    path("m/<int:mention_id>/action/", views.mention_action, name="action"),
    path("m/<int:mention_id>/notes/", views.mention_note, name="note"),
    path("alerts/", views.alerts, name="alerts"),
    path("alerts/<int:alert_id>/", views.alert_detail, name="alert"),
    path("alerts/<int:alert_id>/do/", views.alert_action, name="alert_action"),
]

from django.urls import path

from incidents import views

app_name = "incidents"

urlpatterns = [
    path("", views.incident_list, name="list"),
    path("declare/", views.incident_declare, name="declare"),
    path("for-mention/<int:mention_id>/", views.incidents_for_mention, name="for_mention"),
    path("<int:incident_id>/", views.incident_detail, name="detail"),
    path("<int:incident_id>/panel/<slug:name>/", views.incident_panel, name="panel"),
    path("<int:incident_id>/do/<slug:op>/", views.incident_action, name="action"),
]

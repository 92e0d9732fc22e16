from django.urls import path

from hub import views

app_name = "hub"

urlpatterns = [
    path("", views.index, name="index"),
    path("guidelines/", views.guideline_list, name="guidelines"),
    path("guidelines/new/", views.guideline_new, name="guideline_new"),
    path("guidelines/preview/", views.preview, name="preview"),
    path("guidelines/<int:guideline_id>/", views.guideline_detail, name="guideline"),
    path("guidelines/<int:guideline_id>/edit/", views.guideline_edit, name="guideline_edit"),
    path(
        "guidelines/<int:guideline_id>/versions/new/",
        views.guideline_version_new,
        name="version_new",
    ),
    path("guidelines/<int:guideline_id>/approve/", views.guideline_approve, name="approve"),
    path("guidelines/<int:guideline_id>/retire/", views.guideline_retire, name="retire"),
    path("guidelines/<int:guideline_id>/diff/", views.guideline_diff, name="diff"),
    path("faq/", views.faq_list, name="faq"),
    path("compensation/", views.compensation, name="compensation"),
    path("compensation/new/", views.compensation_policy_form, name="policy_new"),
    path("compensation/<int:policy_id>/edit/", views.compensation_policy_form, name="policy_edit"),
    path("compensation/limits/", views.limit_set, name="limit_set"),
    path("compensation/limits/<int:limit_id>/delete/", views.limit_delete, name="limit_delete"),
    path("sla/", views.sla, name="sla"),
    path("sla/policies/", views.sla_policy_set, name="sla_set"),
    path("sla/policies/<int:policy_id>/delete/", views.sla_policy_delete, name="sla_delete"),
    path("sla/holidays/", views.holiday_add, name="holiday_add"),
    path("sla/holidays/<int:holiday_id>/delete/", views.holiday_delete, name="holiday_delete"),
    path("sla/<slug:slug>/hours/", views.department_hours, name="hours"),
    path("escalation/", views.escalation, name="escalation"),
    path("escalation/new/", views.escalation_form, name="escalation_new"),
    path("escalation/<int:rule_id>/edit/", views.escalation_form, name="escalation_edit"),
    path("escalation/<int:rule_id>/delete/", views.escalation_delete, name="escalation_delete"),
    path("routing/", views.routing_rules, name="routing"),
    path("routing/new/", views.routing_form, name="routing_new"),
    path("routing/default/", views.routing_default, name="routing_default"),
    path("routing/<int:rule_id>/edit/", views.routing_form, name="routing_edit"),
    path("routing/<int:rule_id>/move/", views.routing_move, name="routing_move"),
    path("routing/<int:rule_id>/delete/", views.routing_delete, name="routing_delete"),
    path("departments/", views.department_policies, name="departments"),
    path("departments/<slug:slug>/", views.department_policy, name="department_policy"),
]

from django.urls import path

from replies import views

app_name = "replies"

urlpatterns = [
    path("approvals/", views.approvals, name="approvals"),
    path("channels/", views.channels, name="channels"),
    path("<int:reply_id>/review/", views.review, name="review"),
    path("<int:reply_id>/claim/", views.claim, name="claim"),
    path("<int:reply_id>/release/", views.release, name="release"),
    path("<int:reply_id>/decide/", views.decide, name="decide"),
    path("<int:reply_id>/action/", views.reply_action, name="action"),
    path("m/<int:mention_id>/compose/", views.compose, name="compose"),
    path("m/<int:mention_id>/check/", views.check, name="check"),
    path("m/<int:mention_id>/template/", views.template_text, name="template"),
]

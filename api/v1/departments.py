"""Departments (read): the caller's departments only."""

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.v1.base import ApiView
from spokes.models import Department
from spokes.selectors import department_get, departments_for

TAG = ["departments"]


class DepartmentSerializer(serializers.ModelSerializer):
    class Meta:
        model = Department
        fields = ["slug", "name", "timezone", "availability", "is_default"]
        read_only_fields = fields


class DepartmentListView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List departments",
        description="The departments the key is scoped to (for a browser session: the queues "
        "the person may see). Scope: `read`.",
        responses=DepartmentSerializer(many=True),
    )
    def get(self, request):
        return Response(DepartmentSerializer(departments_for(request.user), many=True).data)


class DepartmentDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Get a department",
        description="Scope: `read`. 404 for a department outside the key's scope.",
        responses=DepartmentSerializer,
    )
    def get(self, request, slug: str):
        return Response(DepartmentSerializer(department_get(user=request.user, slug=slug)).data)


urlpatterns = [
    path("departments/", DepartmentListView.as_view(), name="departments"),
    path("departments/<str:slug>/", DepartmentDetailView.as_view(), name="department"),
]

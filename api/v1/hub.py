"""Hub guidelines and compensation policies (read): what the key's departments may use."""

from django.urls import path
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from api.v1.base import ApiView
from hub.models import CompensationPolicy, CompensationTier, Guideline
from hub.selectors import compensation_policies, guideline_get, guidelines_visible

TAG = ["hub"]


class GuidelineSerializer(serializers.ModelSerializer):
    department = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    version = serializers.IntegerField(source="current_version.number", allow_null=True)
    body = serializers.CharField(
        source="current_version.body",
        allow_null=True,
        help_text="The approved wording, with {placeholders}.",
    )
    contact_point = serializers.CharField(help_text="Empty: any contact point.")
    source = serializers.CharField(help_text="Empty: any channel.")

    class Meta:
        model = Guideline
        fields = [
            "id",
            "title",
            "kind",
            "status",
            "department",
            "contact_point",
            "source",
            "tone",
            "topics",
            "version",
            "body",
            "updated_at",
        ]
        read_only_fields = fields


class TierSerializer(serializers.ModelSerializer):
    class Meta:
        model = CompensationTier
        fields = ["severity", "min_amount", "max_amount"]
        read_only_fields = fields


class CompensationPolicySerializer(serializers.ModelSerializer):
    tiers = TierSerializer(many=True, read_only=True)

    class Meta:
        model = CompensationPolicy
        fields = [
            "id",
            "name",
            "kind",
            "unit",
            "unit_value",
            "description",
            "is_active",
            "tiers",
            "updated_at",
        ]
        read_only_fields = fields


class GuidelineListView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List guidelines",
        description="Approved guidelines for the key's departments and for every department. "
        "Scope: `read`.",
        responses=GuidelineSerializer(many=True),
    )
    def get(self, request):
        return Response(GuidelineSerializer(guidelines_visible(request.user), many=True).data)


class GuidelineDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Get a guideline",
        description="Scope: `read`. 404 for a guideline the key may not use.",
        parameters=[OpenApiParameter("guideline_id", int, OpenApiParameter.PATH)],
        responses=GuidelineSerializer,
    )
    def get(self, request, guideline_id):
        guideline = guideline_get(user=request.user, guideline_id=guideline_id)
        return Response(GuidelineSerializer(guideline).data)


class CompensationPolicyListView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List compensation policies",
        description="Active policies with their tiers by severity. Scope: `read`.",
        responses=CompensationPolicySerializer(many=True),
    )
    def get(self, request):
        policies = compensation_policies(user=request.user, active_only=True)
        return Response(CompensationPolicySerializer(policies, many=True).data)


urlpatterns = [
    path("guidelines/", GuidelineListView.as_view(), name="guidelines"),
    path("guidelines/<str:guideline_id>/", GuidelineDetailView.as_view(), name="guideline"),
    path(
        "compensation-policies/",
        CompensationPolicyListView.as_view(),
        name="compensation_policies",
    ),
]

"""Incidents: the list, one incident with its team, facts, holding statement and updates, and
the contributions the service layer allows (facts, draft updates, linking mentions).

A key sees the incidents involving its departments (``incidents.selectors``); any other is a
404. Writes go through ``incidents.services``, which decide who may contribute: central
comms, the leads of an involved department (a ``write`` key holds that role on its own
departments) and the incident's team.
"""

import django_filters
from django.db import transaction
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.response import Response

from api.pagination import KeysetCursorPagination
from api.v1.base import ApiView, ListApiView
from api.v1.inputs import MAX_ID, StrictCharField, StrictIntegerField
from api.v1.mentions import MentionSerializer, _valid
from api.v1.replies import NamedChoiceField
from core.errors import NotFound
from core.pagination import Ordering
from incidents import selectors, services
from incidents.models import (
    Incident,
    IncidentFact,
    IncidentStatus,
    IncidentUpdate,
    Severity,
    UpdateStatus,
)
from spokes.models import Mention
from spokes.selectors import mentions_visible

TAG = ["incidents"]
MAX_LINK = 100
INCIDENT_ID = OpenApiParameter(
    "incident_id", int, OpenApiParameter.PATH, description="The incident's id."
)


# --- output -------------------------------------------------------------------------------
class TeamMemberSerializer(serializers.Serializer):
    username = serializers.CharField(source="user.username")
    name = serializers.CharField(source="user.get_full_name")
    role = serializers.CharField()
    phone = serializers.CharField()
    email = serializers.CharField()
    on_call = serializers.BooleanField()
    added_at = serializers.DateTimeField()


class FactSerializer(serializers.ModelSerializer):
    recorded_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )

    class Meta:
        model = IncidentFact
        fields = ["id", "text", "source", "confirmed_by", "recorded_by", "created_at"]
        read_only_fields = fields


class UpdateSerializer(serializers.ModelSerializer):
    drafted_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    approved_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    status = NamedChoiceField(
        enum_name="IncidentUpdateStatusEnum",
        choices=UpdateStatus.choices,
        help_text="draft until central comms approves it; approved updates are public.",
    )

    class Meta:
        model = IncidentUpdate
        fields = ["id", "body", "status", "drafted_by", "approved_by", "created_at", "approved_at"]
        read_only_fields = fields


class HoldingStatementSerializer(serializers.Serializer):
    text = serializers.CharField(source="holding_statement", help_text="Empty until set.")
    guideline_version = serializers.IntegerField(
        source="holding_guideline_version_id",
        allow_null=True,
        help_text="The hub guideline version it came from, if any.",
    )
    version = serializers.IntegerField(
        source="holding_version", help_text="Counts changes; drafts built on an older one lag."
    )
    set_by = serializers.CharField(source="holding_set_by.username", allow_null=True, default=None)
    set_at = serializers.DateTimeField(source="holding_set_at", allow_null=True)


class IncidentSerializer(serializers.ModelSerializer):
    severity = NamedChoiceField(enum_name="IncidentSeverityEnum", choices=Severity.choices)
    status = NamedChoiceField(enum_name="IncidentStatusEnum", choices=IncidentStatus.choices)
    departments = serializers.SerializerMethodField(help_text="Slugs of the departments involved.")
    declared_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    linked_mentions = serializers.IntegerField(
        source="linked", help_text="How many mentions are linked (every department)."
    )

    class Meta:
        model = Incident
        fields = [
            "id",
            "title",
            "summary",
            "severity",
            "status",
            "keywords",
            "departments",
            "declared_by",
            "declared_at",
            "resolved_at",
            "linked_mentions",
            "updated_at",
        ]
        read_only_fields = fields

    def get_departments(self, incident) -> list[str]:
        return [d.slug for d in incident.departments.all()]


class IncidentDetailSerializer(IncidentSerializer):
    holding_statement = serializers.SerializerMethodField()
    team = serializers.SerializerMethodField()
    facts = serializers.SerializerMethodField(help_text="Newest first.")
    updates = serializers.SerializerMethodField(
        help_text="Newest first; drafts only for those who may contribute."
    )

    class Meta(IncidentSerializer.Meta):
        fields = [*IncidentSerializer.Meta.fields, "holding_statement", "team", "facts", "updates"]
        read_only_fields = fields

    @extend_schema_field(HoldingStatementSerializer)
    def get_holding_statement(self, incident):
        return HoldingStatementSerializer(incident).data

    @extend_schema_field(TeamMemberSerializer(many=True))
    def get_team(self, incident):
        return TeamMemberSerializer(selectors.team(incident), many=True).data

    @extend_schema_field(FactSerializer(many=True))
    def get_facts(self, incident):
        return FactSerializer(selectors.facts(incident), many=True).data

    @extend_schema_field(UpdateSerializer(many=True))
    def get_updates(self, incident):
        rows = selectors.updates(incident, self.context["request"].user)
        return UpdateSerializer(rows, many=True).data


# --- input ----------------------------------------------------------------------------------
class FactInSerializer(serializers.Serializer):
    text = StrictCharField(max_length=services.MAX_TEXT, help_text="What is known.")
    source = StrictCharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Where from."
    )
    confirmed_by = StrictCharField(
        max_length=200, required=False, allow_blank=True, default="", help_text="Who confirmed."
    )


class UpdateInSerializer(serializers.Serializer):
    body = StrictCharField(
        max_length=services.MAX_TEXT,
        help_text="The public update; it stays a draft until central comms approves it.",
    )


class LinkInSerializer(serializers.Serializer):
    mention_ids = serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        min_length=1,
        max_length=MAX_LINK,
        help_text=f"Ids of mentions the caller can see (1 to {MAX_LINK}).",
    )


class LinkResultSerializer(serializers.Serializer):
    linked = serializers.ListField(
        child=serializers.IntegerField(), help_text="Mentions linked by this request."
    )
    already_linked = serializers.ListField(
        child=serializers.IntegerField(), help_text="Mentions that were linked before."
    )


# --- views ----------------------------------------------------------------------------------
class IncidentPagination(KeysetCursorPagination):
    ordering = Ordering(("declared_at", "id"), descending=True)


class IncidentFilterSet(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=IncidentStatus.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    # A choice, not a BooleanFilter: that one silently ignores values it cannot parse.
    open = django_filters.ChoiceFilter(
        choices=[("true", "true"), ("false", "false")],
        method="filter_open",
        help_text="true: not resolved; false: resolved.",
    )

    class Meta:
        model = Incident
        fields = ["status", "severity", "open"]

    def filter_open(self, queryset, name, value: str):
        resolved = {"status": IncidentStatus.RESOLVED}
        return queryset.exclude(**resolved) if value == "true" else queryset.filter(**resolved)


class IncidentListView(ListApiView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = IncidentFilterSet
    pagination_class = IncidentPagination
    serializer_class = IncidentSerializer

    def get_queryset(self):
        return selectors.incidents_list(self.request.user).select_related("declared_by")

    @extend_schema(
        tags=TAG,
        summary="List incidents",
        operation_id="incidents_list",
        description="Incidents involving the key's departments (for central comms: all), "
        "newest first. Scope: `read`.",
        responses=IncidentSerializer(many=True),
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(IncidentSerializer(page, many=True).data)


def _incident(request, incident_id) -> Incident:
    """The visible incident with its linked-mention count; NotFound (404) otherwise."""
    incident = selectors.incident_get(user=request.user, incident_id=incident_id)
    return (
        selectors.incidents_list(request.user)
        .select_related("declared_by", "holding_set_by")
        .get(pk=incident.pk)
    )


class IncidentDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Get an incident",
        parameters=[INCIDENT_ID],
        operation_id="incidents_retrieve",
        description="The incident with its team (roles and contact details), facts, current "
        "holding statement, status updates and how many mentions are linked. Scope: `read`.",
        responses=IncidentDetailSerializer,
    )
    def get(self, request, incident_id):
        incident = _incident(request, incident_id)
        return Response(IncidentDetailSerializer(incident, context={"request": request}).data)


class IncidentFactsView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List an incident's facts",
        parameters=[INCIDENT_ID],
        operation_id="incident_facts_list",
        description="Newest first. Scope: `read`.",
        responses=FactSerializer(many=True),
    )
    def get(self, request, incident_id):
        incident = selectors.incident_get(user=request.user, incident_id=incident_id)
        return Response(FactSerializer(selectors.facts(incident), many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Add a fact",
        parameters=[INCIDENT_ID],
        operation_id="incident_facts_create",
        description="Record a time-stamped fact. The incident's team, the leads of an involved "
        "department (a `write` key on one of them) and central comms may; 403 otherwise. "
        "Scope: `write`.",
        request=FactInSerializer,
        responses={201: FactSerializer},
    )
    def post(self, request, incident_id):
        incident = selectors.incident_get(user=request.user, incident_id=incident_id)
        data = _valid(FactInSerializer, request)
        fact = services.incident_add_fact(actor=request.user, incident_id=incident.pk, **data)
        return Response(FactSerializer(fact).data, status=status.HTTP_201_CREATED)


class IncidentUpdatesView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List an incident's status updates",
        parameters=[INCIDENT_ID],
        operation_id="incident_updates_list",
        description="Newest first. Drafts are listed only for those who may contribute; "
        "everyone else sees approved (public) updates. Scope: `read`.",
        responses=UpdateSerializer(many=True),
    )
    def get(self, request, incident_id):
        incident = selectors.incident_get(user=request.user, incident_id=incident_id)
        rows = selectors.updates(incident, request.user)
        return Response(UpdateSerializer(rows, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Draft a status update",
        parameters=[INCIDENT_ID],
        operation_id="incident_updates_create",
        description="A draft for central comms to approve; it is public only once approved. "
        "Same contributors as facts. Scope: `write`.",
        request=UpdateInSerializer,
        responses={201: UpdateSerializer},
    )
    def post(self, request, incident_id):
        incident = selectors.incident_get(user=request.user, incident_id=incident_id)
        data = _valid(UpdateInSerializer, request)
        update = services.incident_draft_update(
            actor=request.user, incident_id=incident.pk, body=data["body"]
        )
        return Response(UpdateSerializer(update).data, status=status.HTTP_201_CREATED)


class LinkedMentionsPagination(KeysetCursorPagination):
    """Newest first by arrival (id): PostgreSQL then reads the incident's links in their
    index's order, a page at a time. By (received_at, id) it sorted every linked mention for
    each page (0.3 s at 100,000)."""

    ordering = Ordering(("id",), descending=True)


class IncidentMentionsView(ListApiView):
    queryset = Mention.objects.none()  # the schema's model; rows come from the selector
    pagination_class = LinkedMentionsPagination
    serializer_class = MentionSerializer

    @extend_schema(
        tags=TAG,
        summary="List an incident's linked mentions",
        parameters=[INCIDENT_ID],
        operation_id="incident_mentions_list",
        description="The linked mentions the caller may see (its departments' only), the "
        "most recently received first. Scope: `read`.",
        responses=MentionSerializer(many=True),
    )
    def get(self, request, incident_id):
        incident = selectors.incident_get(user=request.user, incident_id=incident_id)
        queryset = (
            selectors.linked_mentions(incident, request.user)
            .select_related("assignee")
            .prefetch_related("tags")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(MentionSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Link mentions to an incident",
        parameters=[INCIDENT_ID],
        operation_id="incident_mentions_link",
        description="Link up to 100 mentions the caller can see; replies on them then need "
        "approval. All or nothing: a mention the caller cannot see is a 404 naming "
        "`mention_ids`, and nothing is linked. 409 on a resolved incident. Same contributors "
        "as facts. Scope: `write`.",
        request=LinkInSerializer,
        responses=LinkResultSerializer,
    )
    def post(self, request, incident_id):
        incident = selectors.incident_get(user=request.user, incident_id=incident_id)
        data = _valid(LinkInSerializer, request)
        wanted = list(dict.fromkeys(data["mention_ids"]))
        visible = set(
            mentions_visible(request.user).filter(pk__in=wanted).values_list("pk", flat=True)
        )
        missing = [pk for pk in wanted if pk not in visible]
        if missing:
            raise NotFound(f"No such mention: {missing[0]}.", field="mention_ids")
        linked, already = [], []
        with transaction.atomic():
            for mention_id in wanted:
                new = services.incident_link_mention(
                    actor=request.user, incident_id=incident.pk, mention_id=mention_id
                )
                (linked if new else already).append(mention_id)
        return Response({"linked": linked, "already_linked": already})


urlpatterns = [
    path("incidents/", IncidentListView.as_view(), name="incidents"),
    path("incidents/<str:incident_id>/", IncidentDetailView.as_view(), name="incident"),
    path("incidents/<str:incident_id>/facts/", IncidentFactsView.as_view(), name="incident_facts"),
    path(
        "incidents/<str:incident_id>/updates/",
        IncidentUpdatesView.as_view(),
        name="incident_updates",
    ),
    path(
        "incidents/<str:incident_id>/mentions/",
        IncidentMentionsView.as_view(),
        name="incident_mentions",
    ),
]

"""Mentions: ingestion, the filtered list, detail with thread and history, and actions."""

import django_filters
from django.contrib.auth import get_user_model
from django.urls import path
from django_filters.rest_framework import DjangoFilterBackend
from drf_spectacular.utils import (
    OpenApiExample,
    OpenApiParameter,
    OpenApiResponse,
    PolymorphicProxySerializer,
    extend_schema,
    extend_schema_field,
)
from rest_framework import serializers, status
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.authentication import integration_key
from api.errors import validation_fields
from api.pagination import KeysetCursorPagination
from api.v1.base import ApiView, FieldsOnceMixin, ListApiView, reused
from api.v1.inputs import (
    DateTimeField,
    StrictCharField,
    StrictIntegerField,
    URLField,
    plain_validation,
)
from core.errors import DomainError, NotFound, PermissionDenied
from spokes import selectors, services
from spokes.filters import MentionFilter
from spokes.ingest import mention_ingest_one, mentions_ingest
from spokes.models import ContactPoint, Department, Mention, Source
from spokes.selectors import departments_for, mentions_visible
from spokes.services import STATUS_ACTIONS

User = get_user_model()

MAX_BATCH = 1000
INGEST_OUTCOMES = ["created", "existing", "invalid"]
TAG = ["mentions"]
MENTION_ID = OpenApiParameter(
    "mention_id", int, OpenApiParameter.PATH, description="The mention's id."
)


# --- output -------------------------------------------------------------------------------
class AuthorSerializer(FieldsOnceMixin, serializers.Serializer):
    handle = serializers.CharField()
    display_name = serializers.CharField()
    followers = serializers.IntegerField()
    url = serializers.CharField(source="profile_url")


class MentionSerializer(FieldsOnceMixin, serializers.ModelSerializer):
    author = AuthorSerializer()
    department = serializers.SlugRelatedField(slug_field="slug", read_only=True, allow_null=True)
    assignee = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    tags = serializers.SerializerMethodField()
    url = serializers.CharField(help_text="Link to the original post; may be empty.")
    contact_point = serializers.ChoiceField(
        choices=[("", "Not triaged yet"), *ContactPoint.choices],
        help_text="Where the customer is in their journey; empty until triaged.",
    )

    class Meta:
        model = Mention
        fields = [
            "id",
            "source",
            "external_id",
            "url",
            "text",
            "language",
            "author",
            "reach",
            "posted_at",
            "received_at",
            "department",
            "status",
            "priority",
            "assignee",
            "contact_point",
            "sentiment",
            "flags",
            "tags",
            "parent_id",
            "thread_root_id",
            "sla_due_at",
            "first_response_at",
            "resolved_at",
            "triaged_at",
            "updated_at",
        ]
        read_only_fields = fields

    def get_tags(self, mention) -> list[str]:
        if self.context.get("untagged"):
            return []
        return [t.name for t in mention.tags.all()]


class ThreadMentionSerializer(serializers.ModelSerializer):
    author = serializers.CharField(source="author.handle")

    class Meta:
        model = Mention
        fields = ["id", "external_id", "parent_id", "author", "text", "posted_at", "status"]
        read_only_fields = fields


class ThreadOmittedSerializer(serializers.Serializer):
    before = serializers.IntegerField()
    after = serializers.IntegerField()


class ActivitySerializer(serializers.Serializer):
    verb = serializers.CharField()
    actor = serializers.CharField(source="actor.username", allow_null=True, default=None)
    data = serializers.JSONField()
    created_at = serializers.DateTimeField()


class NoteSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    body = serializers.CharField()
    created_at = serializers.DateTimeField()


class MentionDetailSerializer(MentionSerializer):
    thread = serializers.SerializerMethodField(
        help_text="The conversation around it, oldest first: its root, then up to 20 visible "
        "replies before it, itself and up to 20 after it (a viral post's replies are not all "
        "listed; `thread_omitted` counts the others)."
    )
    thread_omitted = serializers.SerializerMethodField(
        help_text="Visible replies left out of `thread`: between the root and the first "
        "reply listed (`before`), and after the last (`after`)."
    )
    history = serializers.SerializerMethodField(help_text="What happened to it, oldest first.")
    notes = serializers.SerializerMethodField()

    class Meta(MentionSerializer.Meta):
        fields = [*MentionSerializer.Meta.fields, "thread", "thread_omitted", "history", "notes"]
        read_only_fields = fields

    def _thread(self, mention) -> selectors.Thread:
        thread = self.context.get("thread")
        if thread is None:
            thread = self.context["thread"] = selectors.thread_around(
                mention, self.context["request"].user
            )
        return thread

    @extend_schema_field(ThreadMentionSerializer(many=True))
    def get_thread(self, mention):
        return ThreadMentionSerializer(self._thread(mention).rows, many=True).data

    @extend_schema_field(ThreadOmittedSerializer)
    def get_thread_omitted(self, mention):
        thread = self._thread(mention)
        return {"before": thread.omitted_before, "after": thread.omitted_after}

    @extend_schema_field(ActivitySerializer(many=True))
    def get_history(self, mention):
        return ActivitySerializer(mention.activities.select_related("actor"), many=True).data

    @extend_schema_field(NoteSerializer(many=True))
    def get_notes(self, mention):
        return NoteSerializer(mention.notes.select_related("author"), many=True).data


# --- input ----------------------------------------------------------------------------------


class AuthorInSerializer(FieldsOnceMixin, serializers.Serializer):
    handle = StrictCharField(max_length=150)
    display_name = StrictCharField(max_length=200, required=False, allow_blank=True)
    followers = StrictIntegerField(min_value=0, max_value=2_147_483_647, required=False)
    url = URLField(max_length=500, required=False, allow_blank=True)


class MentionInSerializer(FieldsOnceMixin, serializers.Serializer):
    source = serializers.ChoiceField(choices=Source.choices)
    external_id = StrictCharField(
        max_length=200, help_text="The id on the source; (source, external_id) is unique."
    )
    author = AuthorInSerializer()
    text = StrictCharField(max_length=20_000, trim_whitespace=False)
    url = URLField(max_length=500, required=False, allow_blank=True)
    posted_at = DateTimeField(
        required=False, help_text="When it was posted; defaults to the time of arrival."
    )
    parent_external_id = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="external_id of the post it answers, on the same source (threads).",
    )
    language = StrictCharField(max_length=8, required=False, allow_blank=True)
    department = serializers.SlugField(
        max_length=50,
        required=False,
        allow_blank=True,
        help_text="Route straight to this department (one of the key's); otherwise triage "
        "routes it.",
    )


class IngestItemResultSerializer(serializers.Serializer):
    index = serializers.IntegerField(help_text="Position of the item in the request list.")
    status = serializers.ChoiceField(choices=INGEST_OUTCOMES)
    id = serializers.IntegerField(allow_null=True, help_text="The mention's id; null if invalid.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        help_text="Field errors of an invalid item (nested fields dotted); empty otherwise.",
    )


class IngestAcknowledgementSerializer(serializers.Serializer):
    """A repeat of a mention that now sits in a queue the key cannot read."""

    id = serializers.IntegerField()
    status = serializers.ChoiceField(choices=["existing"])


class IngestBatchResultSerializer(serializers.Serializer):
    created = serializers.IntegerField()
    existing = serializers.IntegerField()
    invalid = serializers.IntegerField()
    results = IngestItemResultSerializer(many=True)


EXAMPLE_ITEM = {
    "source": "twitter",
    "external_id": "1790012345678901234",
    "author": {
        "handle": "jo_travels",
        "display_name": "Jo",
        "followers": 5230,
        "url": "https://x.com/jo_travels",
    },
    "text": "@brand my invoice charged me twice this month, refund please",
    "url": "https://x.com/jo_travels/status/1790012345678901234",
    "posted_at": "2026-11-25T09:12:00Z",
    "language": "en",
}


class MentionBatchSerializer(serializers.Serializer):
    """Schema only: a JSON array of 1 to 1,000 items, each validated alone as a MentionIn.

    Invalid items do not fail the request (they are reported by index), so the schema does
    not constrain the items themselves; see ``api.schema.MentionBatchExtension``.
    """


INGEST_REQUEST = PolymorphicProxySerializer(
    component_name="MentionIngestRequest",
    serializers=[MentionInSerializer, MentionBatchSerializer],
    resource_type_field_name=None,
    many=False,
)


class MentionFilterSet(MentionFilter):
    department = django_filters.CharFilter(
        field_name="department__slug", help_text="Department slug."
    )
    updated_after = django_filters.IsoDateTimeFilter(
        field_name="updated_at", lookup_expr="gte", help_text="Changed at or after (ISO 8601)."
    )

    class Meta(MentionFilter.Meta):
        fields = [*MentionFilter.Meta.fields, "department", "updated_after"]

    def filter_sentiment(self, queryset, name, value: str):  # the hint types the parameter
        return super().filter_sentiment(queryset, name, value)


def _mention_queryset(user):
    return (
        mentions_visible(user)
        .select_related("author", "department", "assignee")
        .prefetch_related("tags")
    )


def _ingest_departments(request) -> dict[str, Department]:
    """Departments the caller may ingest into, by slug."""
    key = integration_key(request)
    if key is not None:
        return {d.slug: d for d in key.departments.all()}
    if not request.user.is_administrator:
        raise PermissionDenied("Only integration keys and administrators ingest mentions.")
    return {d.slug: d for d in departments_for(request.user, "work_queue")}


def _validate_items(raw_items: list, allowed: dict[str, Department]):
    """Validate each item alone: ``(valid [(index, data)], invalid {index: fields})``."""
    validator = reused(MentionInSerializer)
    plain = plain_validation(MentionInSerializer)
    valid, invalid = [], {}
    for index, raw in enumerate(raw_items):
        data = plain(raw)
        if data is None:
            try:
                data = validator.run_validation(raw)
            except ValidationError as exc:
                invalid[index] = validation_fields(exc.detail)
                continue
        slug = data.pop("department", "") or ""
        if slug:
            if slug not in allowed:
                invalid[index] = {"department": [f"'{slug}' is not one of the key's departments."]}
                continue
            data["department"] = allowed[slug]
        valid.append((index, data))
    return valid, invalid


class MentionListView(ListApiView):
    filter_backends = [DjangoFilterBackend]
    filterset_class = MentionFilterSet
    pagination_class = KeysetCursorPagination
    serializer_class = MentionSerializer

    def get_queryset(self):
        return _mention_queryset(self.request.user)

    @extend_schema(
        tags=TAG,
        summary="List mentions",
        operation_id="mentions_list",
        responses=MentionSerializer(many=True),
        description="Mentions of the caller's departments, newest first, with the same filters "
        "as the web queue. Without `status`, every status is listed. Scope: `read`.",
    )
    def get(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(MentionSerializer(page, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Ingest mentions",
        operation_id="mentions_ingest",
        description=(
            "Push one mention (a JSON object) or a batch (a JSON array of up to 1,000). "
            "Idempotent on (source, external_id): a repeat returns the existing mention and "
            "changes nothing. Triage (routing, sentiment, priority) runs on arrival, after the "
            "response.\n\n"
            "**One object**: 201 with the mention when created, 200 with the existing mention "
            "on a repeat, 400 with field errors when invalid, 404 when `department` is not one "
            "of the key's departments.\n\n"
            "**An array**: each item is validated alone; valid items are stored, invalid ones "
            "are reported by `index` with their field errors. The response is 200 when every "
            "item was accepted and **207 Multi-Status** when at least one was invalid; "
            "`results` is in request order. An empty array, more than 1,000 items, or a body "
            "that is neither object nor array is a 400. Scope: `write`."
        ),
        request=INGEST_REQUEST,
        responses={
            201: OpenApiResponse(MentionSerializer, description="One mention, created."),
            200: PolymorphicProxySerializer(
                component_name="MentionIngestResponse",
                serializers=[
                    MentionSerializer,
                    IngestBatchResultSerializer,
                    IngestAcknowledgementSerializer,
                ],
                resource_type_field_name=None,
                many=False,
            ),
            207: OpenApiResponse(
                IngestBatchResultSerializer, description="A batch with invalid items."
            ),
        },
        examples=[
            OpenApiExample("One mention", value=EXAMPLE_ITEM, request_only=True),
            OpenApiExample(
                "A batch",
                value=[
                    EXAMPLE_ITEM,
                    {
                        "source": "facebook",
                        "external_id": "10229_88812",
                        "author": {"handle": "sam.k", "followers": 120},
                        "text": "Still waiting for my refund",
                        "parent_external_id": "10229_88800",
                        "department": "billing",
                    },
                ],
                request_only=True,
            ),
            OpenApiExample(
                "A batch with an invalid item",
                value={
                    "created": 1,
                    "existing": 0,
                    "invalid": 1,
                    "results": [
                        {"index": 0, "status": "created", "id": 4211, "errors": {}},
                        {
                            "index": 1,
                            "status": "invalid",
                            "id": None,
                            "errors": {"author.handle": ["This field is required."]},
                        },
                    ],
                },
                response_only=True,
                status_codes=["207"],
            ),
        ],
    )
    def post(self, request):
        allowed = _ingest_departments(request)
        body = request.data
        if isinstance(body, dict):
            return self._ingest_one(body, allowed)
        if not isinstance(body, list):
            raise DomainError("Send a mention object or an array of them.", field="body")
        if not body:
            raise DomainError("The batch is empty.", field="body")
        if len(body) > MAX_BATCH:
            raise DomainError(f"At most {MAX_BATCH:,} mentions per request.", field="body")
        valid, invalid = _validate_items(body, allowed)
        stored = mentions_ingest(items=[data for _, data in valid]) if valid else []
        results = [None] * len(body)
        for (index, _), result in zip(valid, stored, strict=True):
            results[index] = {
                "index": index,
                "status": "created" if result.created else "existing",
                "id": result.mention.pk,
                "errors": {},
            }
        for index, fields in invalid.items():
            results[index] = {"index": index, "status": "invalid", "id": None, "errors": fields}
        created = sum(1 for r in stored if r.created)
        payload = {
            "created": created,
            "existing": len(stored) - created,
            "invalid": len(invalid),
            "results": results,
        }
        return Response(payload, status=status.HTTP_207_MULTI_STATUS if invalid else 200)

    def _ingest_one(self, raw: dict, allowed):
        valid, invalid = _validate_items([raw], allowed)
        if invalid:
            if set(invalid[0]) == {"department"}:  # outside the key's scope: as if missing
                raise NotFound(invalid[0]["department"][0], field="department")
            raise ValidationError(_nest(invalid[0]))
        result = mention_ingest_one(valid[0][1])
        if result.created:
            # Just stored from this request: author and department are the objects it
            # named, no tag or assignee yet (triage comes later). No need to read it back.
            mention = result.mention
            # No tags yet either ("untagged"): nothing to ask the database.
            data = reused(MentionSerializer, untagged=True).to_representation(mention)
            return Response(data, status=201)
        mention = _mention_queryset(self.request.user).filter(pk=result.mention.pk).first()
        if mention is None and not result.created:
            # Already known, in a queue this key cannot read: acknowledge, show nothing of it.
            return Response({"id": result.mention.pk, "status": "existing"}, status=200)
        data = MentionSerializer(mention or result.mention).data
        return Response(data, status=201 if result.created else 200)


def _nest(fields: dict) -> dict:
    """Dotted field errors back into DRF's nested form, for the single-item 400."""
    nested: dict = {}
    for name, messages in fields.items():
        head, _, rest = name.partition(".")
        if rest:
            nested.setdefault(head, {})[rest] = messages
        else:
            nested[name] = messages
    return nested


class MentionDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Get a mention",
        parameters=[MENTION_ID],
        operation_id="mentions_retrieve",
        description="One mention with its conversation thread, history and internal notes. "
        "Scope: `read`.",
        responses=MentionDetailSerializer,
    )
    def get(self, request, mention_id: int):
        mention = selectors.mention_get(user=request.user, mention_id=mention_id)
        return Response(MentionDetailSerializer(mention, context={"request": request}).data)


def _mention_response(request, mention_id) -> Response:
    mention = _mention_queryset(request.user).filter(pk=mention_id).first()
    if mention is None:  # moved out of the caller's departments by the action itself
        return Response(status=status.HTTP_204_NO_CONTENT)
    return Response(MentionSerializer(mention).data)


ACTION_RESPONSES = {
    200: MentionSerializer,
    204: OpenApiResponse(
        description="Done; the mention is no longer visible to the caller (transferred out)."
    ),
}


class StatusChangeSerializer(serializers.Serializer):
    action = serializers.ChoiceField(
        choices=list(STATUS_ACTIONS),
        help_text="watch, resolve, spam, reopen or take_offline.",
    )


class MentionStatusView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Change a mention's status",
        parameters=[MENTION_ID],
        description="Scope: `write`. 409 when the current status does not allow the action.",
        request=StatusChangeSerializer,
        responses=ACTION_RESPONSES,
    )
    def post(self, request, mention_id: int):
        data = _valid(StatusChangeSerializer, request)
        services.mention_change_status(
            actor=request.user, mention_id=mention_id, action=data["action"]
        )
        return _mention_response(request, mention_id)


class AssignmentSerializer(serializers.Serializer):
    assignee = StrictCharField(
        allow_null=True,
        max_length=150,
        help_text="Username of a member of the mention's department; null to unassign.",
    )


class MentionAssignmentView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Assign or unassign a mention",
        parameters=[MENTION_ID],
        description="Scope: `write`.",
        request=AssignmentSerializer,
        responses=ACTION_RESPONSES,
    )
    def post(self, request, mention_id: int):
        data = _valid(AssignmentSerializer, request)
        assignee = None
        if data["assignee"]:
            assignee = User.objects.filter(username=data["assignee"], is_active=True).first()
            if assignee is None:
                selectors.mention_get(user=request.user, mention_id=mention_id)  # 404 first
                raise NotFound(f"No user '{data['assignee']}'.", field="assignee")
        services.mention_assign(actor=request.user, mention_id=mention_id, assignee=assignee)
        return _mention_response(request, mention_id)


class TransferSerializer(serializers.Serializer):
    department = serializers.SlugField(max_length=50, help_text="Slug of the receiving department.")
    reason = StrictCharField(max_length=500, help_text="Why it is handed over.")


class MentionTransferView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Transfer a mention to another department",
        parameters=[MENTION_ID],
        description="Scope: `write`. Answers 204 when the mention left the key's departments.",
        request=TransferSerializer,
        responses=ACTION_RESPONSES,
        examples=[
            OpenApiExample(
                "Hand over to another department",
                value={"department": "support", "reason": "A delivery question, not billing."},
                request_only=True,
            )
        ],
    )
    def post(self, request, mention_id: int):
        data = _valid(TransferSerializer, request)
        department = Department.objects.filter(slug=data["department"]).first()
        if department is None:
            selectors.mention_get(user=request.user, mention_id=mention_id)  # 404 first
            raise NotFound(f"No department '{data['department']}'.", field="department")
        services.mention_transfer(
            actor=request.user,
            mention_id=mention_id,
            to_department=department,
            reason=data["reason"],
        )
        return _mention_response(request, mention_id)


class NoteInSerializer(serializers.Serializer):
    body = StrictCharField(max_length=5000, help_text="@username tells that colleague.")


class MentionNotesView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List a mention's internal notes",
        parameters=[MENTION_ID],
        description="Scope: `read`.",
        responses=NoteSerializer(many=True),
    )
    def get(self, request, mention_id: int):
        mention = selectors.mention_get(user=request.user, mention_id=mention_id)
        return Response(NoteSerializer(mention.notes.select_related("author"), many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Add an internal note",
        parameters=[MENTION_ID],
        description="Scope: `write`. Notes are internal and never sent.",
        request=NoteInSerializer,
        responses={201: NoteSerializer},
    )
    def post(self, request, mention_id: int):
        data = _valid(NoteInSerializer, request)
        note = services.mention_add_note(
            actor=request.user, mention_id=mention_id, body=data["body"]
        )
        return Response(NoteSerializer(note).data, status=status.HTTP_201_CREATED)


def _valid(serializer_class, request) -> dict:
    if not isinstance(request.data, dict):
        raise DomainError("Send a JSON object.", field="body")
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


urlpatterns = [
    path("mentions/", MentionListView.as_view(), name="mentions"),
    path("mentions/<str:mention_id>/", MentionDetailView.as_view(), name="mention"),
    path("mentions/<str:mention_id>/status/", MentionStatusView.as_view(), name="mention_status"),
    path(
        "mentions/<str:mention_id>/assignment/",
        MentionAssignmentView.as_view(),
        name="mention_assignment",
    ),
    path(
        "mentions/<str:mention_id>/transfer/",
        MentionTransferView.as_view(),
        name="mention_transfer",
    ),
    path("mentions/<str:mention_id>/notes/", MentionNotesView.as_view(), name="mention_notes"),
]

"""Replies: draft on a mention, submit, the approval queue and decisions, delivery retries.

Every write goes through ``replies.services``; a reply is visible exactly when its mention is
(another department's reply is a 404). Deciding (approve, request changes, reject) needs the
``approve`` scope on a key, or central comms in a browser session.
"""

from decimal import Decimal

from django.urls import path
from drf_spectacular.extensions import OpenApiSerializerFieldExtension
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.response import Response

from api.authentication import integration_key
from api.v1.base import ApiView
from api.v1.inputs import MAX_ID, AmountField, StrictCharField, StrictIntegerField
from api.v1.mentions import _valid
from core.errors import DomainError, PermissionDenied
from replies import composer, selectors, services
from replies.models import Reply, ReplyKind, ReplyState
from spokes.selectors import mention_get, mentions_visible

TAG = ["replies"]
APPROVALS_LIMIT = 200
MENTION_ID = OpenApiParameter(
    "mention_id", int, OpenApiParameter.PATH, description="The mention's id."
)
REPLY_ID = OpenApiParameter("reply_id", int, OpenApiParameter.PATH, description="The reply's id.")

# The composer and the offer service name their inputs as the web form does.
FIELD_NAMES = {
    "compensation_policy": "compensation.policy",
    "compensation_amount": "compensation.amount",
    "policy": "compensation.policy",
    "amount": "compensation.amount",
    "value": "compensation.amount",
}


# --- schema --------------------------------------------------------------------------------
class NamedChoiceField(serializers.ChoiceField):
    """A choice field documented as its own named enum component.

    Several resources have a ``kind``, ``status`` or ``severity`` with different choices;
    naming each set keeps the schema free of drf-spectacular's enum-name collisions.
    """

    def __init__(self, *, enum_name: str, **kwargs):
        self.enum_name = enum_name
        super().__init__(**kwargs)


class NamedChoiceFieldExtension(OpenApiSerializerFieldExtension):
    target_class = NamedChoiceField

    def get_name(self):
        return self.target.enum_name

    def map_serializer_field(self, auto_schema, direction):
        return {"type": "string", "enum": list(self.target.choices)}


# --- output -------------------------------------------------------------------------------
class DeliveryAttemptSerializer(serializers.Serializer):
    started_at = serializers.DateTimeField()
    connector = serializers.CharField(help_text="log, webhook or email.")
    ok = serializers.BooleanField()
    external_id = serializers.CharField(help_text="The id on the channel; empty if it failed.")
    error = serializers.CharField(help_text="Why it failed; empty if it succeeded.")


REPLY_KIND_HELP = "public (on the mention's thread), direct (message / take offline) or hold."


class ReplySerializer(serializers.ModelSerializer):
    mention_id = serializers.IntegerField()
    author = serializers.CharField(source="author.username")
    kind = NamedChoiceField(
        enum_name="ReplyKindEnum", choices=ReplyKind.choices, help_text=REPLY_KIND_HELP
    )
    state = NamedChoiceField(
        enum_name="ReplyStateEnum",
        choices=ReplyState.choices,
        help_text="draft -> pending_approval -> approved / changes_requested / rejected -> "
        "queued -> sent / failed.",
    )
    guideline_version = serializers.IntegerField(
        source="guideline_version_id",
        allow_null=True,
        help_text="The hub guideline version the text started from.",
    )
    compensation_offer = serializers.IntegerField(
        source="compensation_offer_id", allow_null=True, help_text="The offer made with it."
    )
    approval_reasons = serializers.ListField(
        child=serializers.CharField(),
        help_text="Why central comms must approve it (set on submit); empty: it went straight out.",
    )
    similarity = serializers.FloatField(
        allow_null=True, help_text="Text vs the template it started from, 0..1; null without one."
    )
    claimed_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    decided_by = serializers.SlugRelatedField(
        slug_field="username", read_only=True, allow_null=True
    )
    delivery_attempts = DeliveryAttemptSerializer(source="attempt_log", many=True)

    class Meta:
        model = Reply
        fields = [
            "id",
            "mention_id",
            "author",
            "kind",
            "state",
            "text",
            "signature",
            "guideline_version",
            "similarity",
            "compensation_offer",
            "approval_reasons",
            "is_priority",
            "submitted_at",
            "claimed_by",
            "claimed_at",
            "decided_by",
            "decided_at",
            "decision_comment",
            "connector",
            "external_id",
            "attempts",
            "last_error",
            "queued_at",
            "sent_at",
            "created_at",
            "updated_at",
            "delivery_attempts",
        ]
        read_only_fields = fields


class PendingMentionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    source = serializers.CharField()
    department = serializers.CharField(source="department.slug", allow_null=True, default=None)
    author = serializers.CharField(source="author.handle")
    text = serializers.CharField()
    reach = serializers.IntegerField()
    sla_due_at = serializers.DateTimeField(
        allow_null=True, help_text="Waiting for approval counts inside the SLA clock."
    )


class PendingReplySerializer(ReplySerializer):
    mention = PendingMentionSerializer()
    template_text = serializers.CharField(help_text="The rendered template, for a diff.")

    class Meta(ReplySerializer.Meta):
        fields = [*ReplySerializer.Meta.fields, "mention", "template_text"]
        read_only_fields = fields


# --- input ----------------------------------------------------------------------------------
class CompensationInSerializer(serializers.Serializer):
    policy = StrictIntegerField(
        min_value=1, max_value=MAX_ID, help_text="An active compensation policy's id."
    )
    amount = AmountField(
        min_value=Decimal("0.01"),
        max_value=Decimal("100000"),
        help_text="In the policy's unit.",
    )


class ReplyDraftSerializer(serializers.Serializer):
    text = StrictCharField(max_length=services.MAX_LENGTH)
    kind = NamedChoiceField(
        enum_name="ReplyKindEnum",
        choices=ReplyKind.choices,
        default=ReplyKind.PUBLIC,
        help_text=REPLY_KIND_HELP,
    )
    guideline_version = StrictIntegerField(
        min_value=1,
        max_value=MAX_ID,
        required=False,
        allow_null=True,
        help_text="Id of the approved guideline version the text starts from (template "
        "adherence is measured against it).",
    )
    compensation = CompensationInSerializer(
        required=False,
        allow_null=True,
        help_text="Compensation offered with the reply; over the key's discretion limit it "
        "needs approval.",
    )


class ReplyTextSerializer(serializers.Serializer):
    text = StrictCharField(max_length=services.MAX_LENGTH)


class ApproveSerializer(serializers.Serializer):
    text = StrictCharField(
        max_length=services.MAX_LENGTH,
        required=False,
        help_text="Edit and approve: the text that leaves instead of the agent's.",
    )
    comment = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


class CommentRequiredSerializer(serializers.Serializer):
    comment = StrictCharField(max_length=2000, help_text="What the agent should change.")


class CommentSerializer(serializers.Serializer):
    comment = StrictCharField(max_length=2000, required=False, allow_blank=True, default="")


# --- helpers --------------------------------------------------------------------------------
def _reply_queryset():
    return Reply.objects.select_related("author", "claimed_by", "decided_by").prefetch_related(
        "attempt_log"
    )


def _visible_reply(request, reply_id) -> Reply:
    """The reply if its mention is visible to the caller; NotFound (404) otherwise."""
    return selectors.reply_get(user=request.user, reply_id=reply_id)


def _reply_response(reply_id, code=status.HTTP_200_OK) -> Response:
    reply = _reply_queryset().get(pk=reply_id)
    return Response(ReplySerializer(reply).data, status=code)


def _renamed(exc: DomainError) -> DomainError:
    if exc.field in FIELD_NAMES:
        exc.field = FIELD_NAMES[exc.field]
    return exc


def _pending_queue(request):
    """Comms sessions see every pending reply; an approve-scoped key those of its departments."""
    user = request.user
    if integration_key(request) is None:
        if not user.is_central_comms:
            raise PermissionDenied("Only central communications decides on replies.")
        queue = selectors.approval_queue(user)
    else:
        if not user.has_perm("replies.decide_reply"):
            raise PermissionDenied("This API key lacks the 'approve' scope.")
        queue = (
            Reply.objects.filter(
                state=ReplyState.PENDING_APPROVAL, mention__in=mentions_visible(user)
            )
            .select_related("mention__author", "mention__department", "author", "claimed_by")
            .order_by("-is_priority", "submitted_at", "id")
        )
    return queue.select_related("decided_by").prefetch_related("attempt_log")


# --- views ----------------------------------------------------------------------------------
class MentionRepliesView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="List a mention's replies",
        parameters=[MENTION_ID],
        operation_id="mention_replies_list",
        description="Every reply on the mention, oldest first, with its state, approval "
        "reasons and delivery attempts. Scope: `read`.",
        responses=ReplySerializer(many=True),
    )
    def get(self, request, mention_id):
        mention = mention_get(user=request.user, mention_id=mention_id)
        replies = selectors.replies_for_mention(mention).select_related("claimed_by")
        return Response(ReplySerializer(replies, many=True).data)

    @extend_schema(
        tags=TAG,
        summary="Draft a reply",
        parameters=[MENTION_ID],
        operation_id="mention_replies_create",
        description="Create a draft on the mention, optionally from a guideline version and "
        "with a compensation offer. Nothing leaves until the draft is submitted. The text is "
        "signed where the department signs replies. Scope: `write`.",
        request=ReplyDraftSerializer,
        responses={201: ReplySerializer},
        examples=[
            OpenApiExample(
                "A public reply offering a voucher",
                value={
                    "text": "Sorry about the double charge, we have refunded it.",
                    "kind": "public",
                    "guideline_version": 12,
                    "compensation": {"policy": 3, "amount": "20.00"},
                },
                request_only=True,
            )
        ],
    )
    def post(self, request, mention_id):
        mention_get(user=request.user, mention_id=mention_id)  # 404 before any validation
        data = _valid(ReplyDraftSerializer, request)
        form = {"text": data["text"], "kind": data["kind"]}
        if data.get("guideline_version"):
            form["guideline_version"] = str(data["guideline_version"])
        if data.get("compensation"):
            form["compensation_policy"] = str(data["compensation"]["policy"])
            form["compensation_amount"] = str(data["compensation"]["amount"])
        try:
            reply = composer.compose(
                actor=request.user, mention_id=mention_id, data=form, submit=False
            )
        except DomainError as exc:
            raise _renamed(exc) from None
        return _reply_response(reply.pk, status.HTTP_201_CREATED)


class ReplyDetailView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Get a reply",
        parameters=[REPLY_ID],
        operation_id="replies_retrieve",
        description="State, approval reasons, template similarity, delivery attempts and the "
        "channel's id once sent. Scope: `read`.",
        responses=ReplySerializer,
    )
    def get(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        return _reply_response(reply.pk)

    @extend_schema(
        tags=TAG,
        summary="Edit a draft's text",
        parameters=[REPLY_ID],
        operation_id="replies_partial_update",
        description="Only the author, and only while it is a draft or sent back for changes "
        "(409 otherwise). Scope: `write`.",
        request=ReplyTextSerializer,
        responses=ReplySerializer,
    )
    def patch(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        data = _valid(ReplyTextSerializer, request)
        services.reply_update(actor=request.user, reply_id=reply.pk, text=data["text"])
        return _reply_response(reply.pk)


class ReplySubmitView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Submit a reply",
        parameters=[REPLY_ID],
        operation_id="replies_submit",
        description="The rules decide: it is queued for delivery at once (`state` queued), or "
        "waits for central comms (`state` pending_approval, `approval_reasons` say why). Only "
        "the author submits. Scope: `write`.",
        request=None,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        services.reply_submit(actor=request.user, reply_id=reply.pk)
        return _reply_response(reply.pk)


class ReplyRetryView(ApiView):
    @extend_schema(
        tags=TAG,
        summary="Retry a failed delivery",
        parameters=[REPLY_ID],
        operation_id="replies_retry",
        description="Queue a failed reply for delivery again (409 unless it failed). "
        "Scope: `write`.",
        request=None,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        services.reply_retry(actor=request.user, reply_id=reply.pk)
        return _reply_response(reply.pk)


class ApprovalQueueView(ApiView):
    required_scope = "approve"

    @extend_schema(
        tags=TAG,
        summary="List replies waiting for approval",
        operation_id="approvals_list",
        parameters=[
            OpenApiParameter(
                "limit",
                int,
                description=f"At most this many (1 to {APPROVALS_LIMIT}, default "
                f"{APPROVALS_LIMIT}).",
            )
        ],
        description="Pending replies, incident-linked first, then oldest first: for a key, "
        "those on its departments; for central comms, all. Scope: `approve`.",
        responses=PendingReplySerializer(many=True),
    )
    def get(self, request):
        raw = request.query_params.get("limit") or str(APPROVALS_LIMIT)
        if not raw.isdigit() or not 1 <= int(raw) <= APPROVALS_LIMIT:
            raise DomainError(f"limit must be between 1 and {APPROVALS_LIMIT}.", field="limit")
        queue = _pending_queue(request)[: int(raw)]
        return Response(PendingReplySerializer(queue, many=True).data)


class _DecisionView(ApiView):
    required_scope = "approve"


class ReplyClaimView(_DecisionView):
    @extend_schema(
        tags=TAG,
        summary="Claim a pending reply",
        parameters=[REPLY_ID],
        operation_id="replies_claim",
        description="Take the reply for five minutes so no other approver decides on it at "
        "the same time (409 if someone else holds it). Optional: deciding claims implicitly. "
        "Scope: `approve`.",
        request=None,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        services.reply_claim(actor=request.user, reply_id=reply.pk)
        return _reply_response(reply.pk)


class ReplyReleaseView(_DecisionView):
    @extend_schema(
        tags=TAG,
        summary="Hand a claimed reply back",
        parameters=[REPLY_ID],
        operation_id="replies_release",
        description="Give up one's claim on a pending reply, so another approver can take it "
        "at once rather than after the claim's five minutes (409 if the caller does not hold "
        "it or it was decided meanwhile). Scope: `approve`.",
        request=None,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        services.reply_release(actor=request.user, reply_id=reply.pk)
        return _reply_response(reply.pk)


class ReplyApproveView(_DecisionView):
    @extend_schema(
        tags=TAG,
        summary="Approve a reply",
        parameters=[REPLY_ID],
        operation_id="replies_approve",
        description="Approve (optionally with an edited `text`) and queue it for delivery on "
        "the mention's channel. 409 when it is no longer pending or another approver holds "
        "it; 403 for one's own reply. Scope: `approve`.",
        request=ApproveSerializer,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        data = _valid(ApproveSerializer, request)
        services.reply_approve(
            actor=request.user, reply_id=reply.pk, text=data.get("text"), comment=data["comment"]
        )
        return _reply_response(reply.pk)


class ReplyRequestChangesView(_DecisionView):
    @extend_schema(
        tags=TAG,
        summary="Send a reply back for changes",
        parameters=[REPLY_ID],
        operation_id="replies_request_changes",
        description="Back to its author with a comment (required). Scope: `approve`.",
        request=CommentRequiredSerializer,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        data = _valid(CommentRequiredSerializer, request)
        services.reply_request_changes(
            actor=request.user, reply_id=reply.pk, comment=data["comment"]
        )
        return _reply_response(reply.pk)


class ReplyRejectView(_DecisionView):
    @extend_schema(
        tags=TAG,
        summary="Reject a reply",
        parameters=[REPLY_ID],
        operation_id="replies_reject",
        description="It never leaves; a compensation offer made with it is withdrawn. "
        "Scope: `approve`.",
        request=CommentSerializer,
        responses=ReplySerializer,
    )
    def post(self, request, reply_id):
        reply = _visible_reply(request, reply_id)
        data = _valid(CommentSerializer, request)
        services.reply_reject(actor=request.user, reply_id=reply.pk, comment=data["comment"])
        return _reply_response(reply.pk)


urlpatterns = [
    path(
        "mentions/<str:mention_id>/replies/", MentionRepliesView.as_view(), name="mention_replies"
    ),
    path("replies/<str:reply_id>/", ReplyDetailView.as_view(), name="reply"),
    path("replies/<str:reply_id>/submit/", ReplySubmitView.as_view(), name="reply_submit"),
    path("replies/<str:reply_id>/retry/", ReplyRetryView.as_view(), name="reply_retry"),
    path("replies/<str:reply_id>/claim/", ReplyClaimView.as_view(), name="reply_claim"),
    path("replies/<str:reply_id>/release/", ReplyReleaseView.as_view(), name="reply_release"),
    path("replies/<str:reply_id>/approve/", ReplyApproveView.as_view(), name="reply_approve"),
    path(
        "replies/<str:reply_id>/request-changes/",
        ReplyRequestChangesView.as_view(),
        name="reply_request_changes",
    ),
    path("replies/<str:reply_id>/reject/", ReplyRejectView.as_view(), name="reply_reject"),
    path("approvals/", ApprovalQueueView.as_view(), name="approvals"),
]

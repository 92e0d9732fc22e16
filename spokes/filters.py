"""The queue filters, shared by the web UI and the API."""

import django_filters
from django import forms
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q
from django.forms.renderers import Jinja2

from spokes.models import IN_QUEUE, ContactPoint, Mention, Priority, Source, Status

SENTIMENT_RANGES = {
    "negative": Q(sentiment__lte=-0.05),
    "neutral": Q(sentiment__gt=-0.05, sentiment__lt=0.05),
    "positive": Q(sentiment__gte=0.05),
}
NEGATIVE_AT_MOST, POSITIVE_AT_LEAST = -0.05, 0.05  # VADER's usual cut-offs, as above


def sentiment_word(score: float | None) -> str:
    """The word a person reads for a sentiment score: the queue filter's ranges."""
    if score is None:
        return ""
    if score <= NEGATIVE_AT_MOST:
        return "Negative"
    return "Positive" if score >= POSITIVE_AT_LEAST else "Neutral"


STATUS_CHOICES = [("open", "Open (all unresolved)"), ("all", "All"), *Status.choices]


def text_search(queryset, value: str):
    """Mentions in a queue whose text matches ``value`` (web search syntax on PostgreSQL).

    A mention not routed yet (triage takes seconds) is in no queue and not searched: the
    full-text index holds only routed mentions (spokes' migration 0006), and the condition
    lets PostgreSQL use it whatever else the query asks (an administrator's query names no
    department)."""
    value = value.strip()
    if not value:
        return queryset
    queryset = queryset.filter(IN_QUEUE)
    if connection.vendor == "postgresql":
        # Matches the GIN expression index created in spokes' migrations.
        return queryset.annotate(_search=SearchVector("text", config="english")).filter(
            _search=SearchQuery(value, config="english", search_type="websearch")
        )
    return queryset.filter(text__icontains=value)


class FilterForm(forms.Form):
    """The queue's filter form, its five selects drawn by Django's own Jinja2 widget
    templates: the same markup as the template language's, which renders one included
    template per option (about a fifth of a queue page's time)."""

    default_renderer = Jinja2()  # one engine for every form


class MentionFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="filter_status")
    priority = django_filters.ChoiceFilter(choices=Priority.choices)
    source = django_filters.ChoiceFilter(choices=Source.choices)
    contact_point = django_filters.ChoiceFilter(choices=ContactPoint.choices)
    sentiment = django_filters.ChoiceFilter(
        choices=[(k, k.title()) for k in SENTIMENT_RANGES], method="filter_sentiment"
    )
    assignee = django_filters.CharFilter(method="filter_assignee")
    tag = django_filters.CharFilter(field_name="tags__name")
    q = django_filters.CharFilter(method="filter_text", max_length=200)

    class Meta:
        model = Mention
        form = FilterForm
        fields = ["status", "priority", "source", "contact_point", "sentiment", "assignee", "tag"]

    def filter_status(self, queryset, name, value):
        if value == "open":
            from spokes.models import OPEN_STATUSES

            return queryset.filter(status__in=OPEN_STATUSES)
        if value == "all":
            return queryset
        return queryset.filter(status=value)

    def filter_sentiment(self, queryset, name, value):
        return queryset.filter(SENTIMENT_RANGES[value])

    def filter_assignee(self, queryset, name, value):
        if value == "me":
            return queryset.filter(assignee=self.request.user) if self.request else queryset
        if value == "none":
            return queryset.filter(assignee__isnull=True)
        return queryset.filter(assignee__username=value)

    def filter_text(self, queryset, name, value):
        return text_search(queryset, value)

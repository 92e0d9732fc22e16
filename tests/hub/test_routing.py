import pytest

from accounts.models import AuditEvent
from core.errors import DomainError, PermissionDenied
from hub import routing, services
from hub.models import RoutingRule
from spokes.models import Department
from tests.factories import DepartmentFactory


@pytest.fixture
def flights(db):
    return DepartmentFactory(slug="flights", name="Flights")


def add(comms, department, **criteria):
    criteria.setdefault("name", f"to {department.slug}")
    return services.routing_rule_save(actor=comms, department=department, **criteria)


def test_the_first_matching_rule_wins(comms, billing, flights):
    add(comms, billing, keywords=["refund"])
    add(comms, flights, keywords=["flight"])
    assert routing.route("Refund for my cancelled flight", "twitter", "en") == billing
    services.routing_rule_move(
        actor=comms, rule_id=RoutingRule.objects.get(department=flights).pk, direction="up"
    )
    assert routing.route("Refund for my cancelled flight", "twitter", "en") == flights


def test_keywords_match_whole_words_and_phrases_case_insensitively(comms, billing):
    add(comms, billing, keywords=["bag", "lost   luggage", "refund*"])
    router = routing.load_router()
    assert router.route("Where is my BAG?") == billing
    assert router.route("I have lost luggage") == billing
    assert router.route("refunds please") == billing
    assert router.route("a baggage question") is None
    assert router.route("handbag") is None


def test_every_set_criterion_must_match(comms, billing, flights):
    add(comms, billing, keywords=["rechnung"], languages=["de"], sources=["email"])
    router = routing.load_router()
    assert router.route("Meine Rechnung", "email", "de-AT") == billing
    assert router.route("Meine Rechnung", "twitter", "de") is None
    assert router.route("Meine Rechnung", "email", "") is None


def test_author_and_url_rules(comms, billing, flights):
    add(comms, flights, author_handles=["@AirportAMS"])
    add(comms, billing, url_pattern=r"reviews\.example/northwind-stores")
    router = routing.load_router()
    assert router.route("anything", author_handle="airportams") == flights
    assert router.route("anything", url="https://reviews.example/northwind-stores/1") == billing


def test_without_a_rule_the_department_keywords_then_the_default_decide(
    comms, billing, support, flights
):
    flights.routing_keywords = ["flight"]
    flights.save()
    services.routing_default_set(actor=comms, department=support)
    assert routing.route("my flight was delayed") == flights
    explained = routing.load_router().explain("hello there")
    assert explained.department == support and explained.rule == "default"


def test_no_rule_no_keyword_no_default_is_none(billing):
    assert routing.route("hello") is None


def test_inactive_rules_are_skipped(comms, billing):
    add(comms, billing, keywords=["refund"], is_active=False)
    assert routing.route("refund") is None


def test_the_default_department_is_unique(comms, billing, support):
    services.routing_default_set(actor=comms, department=billing)
    services.routing_default_set(actor=comms, department=support)
    assert list(Department.objects.filter(is_default=True)) == [support]
    assert AuditEvent.objects.filter(action="routing.default_set").count() == 2


def test_moving_renumbers_and_is_audited(comms, billing, flights, support):
    a, b, c = (add(comms, d, keywords=[d.slug]) for d in (billing, flights, support))
    services.routing_rule_move(actor=comms, rule_id=c.pk, direction="up")
    assert list(RoutingRule.objects.values_list("pk", "position")) == [
        (a.pk, 10),
        (c.pk, 20),
        (b.pk, 30),
    ]
    assert AuditEvent.objects.filter(action="routing.rule_moved").exists()


@pytest.mark.parametrize(
    ("field", "criteria"),
    [
        ("criteria", {}),
        ("sources", {"sources": ["myspace"]}),
        ("url_pattern", {"url_pattern": "([a-"}),
        ("languages", {"languages": ["d3"], "keywords": ["x"]}),
        ("keywords", {"keywords": ["*"]}),
    ],
)
def test_invalid_rules_name_the_field(comms, billing, field, criteria):
    with pytest.raises(DomainError) as error:
        add(comms, billing, **criteria)
    assert error.value.field == field
    assert not RoutingRule.objects.exists()


def test_agents_cannot_change_routing(agent, billing):
    with pytest.raises(PermissionDenied):
        add(agent, billing, keywords=["x"])
    with pytest.raises(PermissionDenied):
        services.routing_default_set(actor=agent, department=billing)
    assert (
        not RoutingRule.objects.exists() and not Department.objects.filter(is_default=True).exists()
    )


def test_a_router_costs_two_queries_for_a_whole_batch(comms, billing, django_assert_num_queries):
    add(comms, billing, keywords=["refund"])
    with django_assert_num_queries(2):
        router = routing.load_router()
        for _ in range(50):
            router.route("refund please", "twitter", "en")

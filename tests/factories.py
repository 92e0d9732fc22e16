import itertools
from datetime import timedelta

import factory
from django.utils import timezone

from accounts.models import User
from spokes.models import Author, Department, Mention

_seq = itertools.count(1)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"dept-{n}")
    name = factory.LazyAttribute(lambda o: o.slug.replace("-", " ").title())


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Test"
    last_name = factory.Sequence(lambda n: f"Person{n}")
    password = factory.django.Password("correct-horse-battery")


class AuthorFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Author

    source = "twitter"
    handle = factory.Sequence(lambda n: f"customer{n}")
    display_name = factory.Sequence(lambda n: f"Customer {n}")
    followers = 120


class MentionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Mention

    source = "twitter"
    external_id = factory.LazyFunction(lambda: f"ext-{next(_seq)}")
    author = factory.SubFactory(AuthorFactory)
    reach = 120
    text = "My luggage never arrived and nobody answers the phone"
    posted_at = factory.LazyFunction(lambda: timezone.now() - timedelta(minutes=5))
    received_at = factory.LazyFunction(timezone.now)
    department = factory.SubFactory(DepartmentFactory)

"""The demo organisation: departments, people of every role, a few hundred live mentions.

Idempotent: departments and users are created when missing; mentions only into an empty
database, so running it again changes nothing.
"""

import random
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from spokes import demo_content as content
from spokes import services
from spokes.models import Author, Department, Membership, Mention, Source, Status
from spokes.triage_service import triage_batch

User = get_user_model()

SOURCES_BY_WEIGHT = [
    (Source.TWITTER, 35),
    (Source.FACEBOOK, 15),
    (Source.INSTAGRAM, 12),
    (Source.TIKTOK, 6),
    (Source.REVIEW, 10),
    (Source.FORUM, 7),
    (Source.EMAIL, 10),
    (Source.SMS, 5),
]


def demo_password() -> str:
    """A per-installation demo password, kept beside the database (never in the repository)."""
    path = settings.DATA_DIR / "demo-password"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(9))
        path.chmod(0o600)
    return path.read_text().strip()


def _ensure_departments() -> dict[str, Department]:
    departments = {}
    for index, spec in enumerate(content.DEPARTMENTS):
        department, _ = Department.objects.get_or_create(
            slug=spec["slug"],
            defaults={
                "name": spec["name"],
                "timezone": spec["timezone"],
                "availability": spec["availability"],
                "routing_keywords": spec["keywords"],
                "is_default": index == 1,  # support takes what no keyword routes
            },
        )
        departments[department.slug] = department
    return departments


def _ensure_users(departments, password: str) -> list:
    people = []
    for spec in content.USERS:
        user = User.objects.filter(username=spec["username"]).first()
        if user is None:
            user = User(
                username=spec["username"],
                first_name=spec["first_name"],
                last_name=spec["last_name"],
                email=f"{spec['username']}@northwind.example",
                org_role=spec["org_role"],
                is_staff=spec["org_role"] == "admin",
                is_superuser=spec["org_role"] == "admin",
            )
            user.set_password(password)
            user.save()
        for slug, role in spec["memberships"]:
            department = departments[slug]
            if not Membership.objects.filter(user=user, department=department).exists():
                services.membership_set(actor=None, user=user, department=department, role=role)
        people.append(user)
    return people


def _weighted_source(rng: random.Random) -> str:
    sources, weights = zip(*SOURCES_BY_WEIGHT, strict=True)
    return rng.choices(sources, weights=weights)[0]


def _handle(source: str, handle: str) -> str:
    """The author's handle as the source knows them: an email's sender is an address (replies
    to it are emailed there)."""
    return f"{handle.replace('_', '.')}@mail.example" if source == "email" else handle


def _seed_mentions(departments, rng: random.Random) -> int:
    now = timezone.now()
    authors = []
    created = 0
    for slug, texts in content.MENTIONS.items():
        department = departments[slug]
        for index, (text, _contact_point, _tone) in enumerate(texts):
            handle, display_name, followers = rng.choice(content.AUTHORS)
            source = _weighted_source(rng)
            author, _ = Author.objects.get_or_create(
                source=source,
                handle=_handle(source, handle),
                defaults={"display_name": display_name, "followers": followers},
            )
            authors.append(author)
            posted = now - timedelta(minutes=rng.randint(5, 3 * 24 * 60))
            mention = _create_mention(
                department=department,
                source=source,
                external_id=f"demo-{slug}-{index}",
                author=author,
                text=text,
                posted_at=posted,
            )
            created += 1
            if rng.random() < 0.15:  # a short thread under some posts
                for reply_index in range(rng.randint(1, 3)):
                    handle, display_name, followers = rng.choice(content.AUTHORS)
                    replier, _ = Author.objects.get_or_create(
                        source=source,
                        handle=_handle(source, handle),
                        defaults={"display_name": display_name, "followers": followers},
                    )
                    _create_mention(
                        department=department,
                        source=source,
                        external_id=f"demo-{slug}-{index}-r{reply_index}",
                        author=replier,
                        text=rng.choice(content.THREAD_REPLIES),
                        posted_at=posted + timedelta(minutes=rng.randint(1, 90)),
                        parent=mention,
                    )
                    created += 1
    return created


def _create_mention(*, department, source, external_id, author, text, posted_at, parent=None):
    """Stored as ingestion stores it; the real triage (below) scores and times it."""
    return Mention.objects.create(
        source=source,
        external_id=external_id,
        author=author,
        reach=author.followers,
        text=text,
        url=f"https://social.example/{source}/{external_id}",
        posted_at=posted_at,
        received_at=posted_at + timedelta(seconds=30),
        department=department,
        parent=parent,
        thread_root=(parent.thread_root or parent) if parent else None,
    )


def _work_some(departments, rng: random.Random) -> None:
    """Give the queues a lived-in look, through the same services staff use."""
    for department in departments.values():
        members = list(User.objects.filter(memberships__department=department).order_by("username"))
        if not members:
            continue
        mentions = list(department.mentions.filter(status=Status.NEW).order_by("posted_at"))
        for mention in mentions[: len(mentions) // 2]:
            worker = rng.choice(members)
            services.mention_assign(actor=worker, mention_id=mention.pk, assignee=worker)
            roll = rng.random()
            if roll < 0.35:
                services.mention_change_status(
                    actor=worker, mention_id=mention.pk, action="resolve"
                )
            elif roll < 0.45:
                services.mention_change_status(actor=worker, mention_id=mention.pk, action="watch")
            elif roll < 0.55:
                services.mention_add_note(
                    actor=worker,
                    mention_id=mention.pk,
                    body="Checked the booking: customer is right, waiting on the partner team.",
                )


def seed_demo(*, password: str | None = None, seed: int = 7) -> dict:
    rng = random.Random(seed)
    password = password or demo_password()
    from hub.demo import seed_hub_demo
    from incidents.demo import seed_incident_demo

    with transaction.atomic():
        departments = _ensure_departments()
        people = _ensure_users(departments, password)
        seed_hub_demo()
        created = 0
        if not Mention.objects.exists():
            created = _seed_mentions(departments, rng)
            triage_batch(list(Mention.objects.values_list("pk", flat=True)))
            _work_some(departments, rng)
        seed_incident_demo()
    return {
        "departments": len(departments),
        "users": len(people),
        "mentions_created": created,
        "password": password,
        "usernames": [u.username for u in people],
        "logins": [
            (
                u.username,
                u.get_org_role_display()
                if u.org_role != "member"
                else ", ".join(f"{m.role} in {m.department.name}" for m in u.memberships.all()),
            )
            for u in people
        ],
    }

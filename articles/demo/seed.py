"""Load the demo newsroom into the database, idempotently.

Everything is looked up by slug (or username) and only created when missing, so running
``seed_demo`` again adds nothing and never overwrites what an editor changed since.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from articles.demo import content
from articles.demo.drawing import draw_lead_image
from articles.history import refresh_latest_version
from articles.images import process_lead_image
from articles.models import Article, Author, Region, Rubric

LEAD_IMAGE_FIELDS = ("lead_image", "lead_image_width", "lead_image_height", "lead_image_renditions")


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    images: int = 0
    accounts: list[str] = field(default_factory=list)
    accounts_skipped: bool = False

    def count(self, kind: str, created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(created)


@transaction.atomic
def seed_content(report: SeedReport) -> None:
    """Create the regions, rubrics, authors and demo stories that do not exist yet."""
    regions = {}
    for position, (name, slug, description) in enumerate(content.REGIONS):
        regions[slug], created = Region.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description, "position": position}
        )
        report.count("regions", created)
    rubrics = {}
    for name, slug, description in content.RUBRICS:
        rubrics[slug], created = Rubric.objects.get_or_create(
            slug=slug, defaults={"name": name, "description": description}
        )
        report.count("rubrics", created)
    authors = {}
    for entry in content.AUTHORS:
        authors[entry["slug"]], created = Author.objects.get_or_create(
            slug=entry["slug"], defaults={"name": entry["name"], "bio": entry["bio"]}
        )
        report.count("authors", created)

    now = timezone.now()
    for story in content.STORIES:
        region = regions[story["region"]]
        article, created = Article.objects.get_or_create(
            slug=story["slug"],
            defaults={
                "title": story["title"],
                "region": region,
                "rubric": rubrics[story["rubric"]],
                "teaser": story["teaser"],
                "body": content.body_html(story["body"]),
                "status": story.get("status", Article.Status.PUBLISHED),
                "publish_at": now - timedelta(hours=story["hours_ago"]),
                "featured": story.get("featured", False),
                "correction_note": story.get("correction_note", ""),
                "revised_at": now if story.get("correction_note") else None,
                "lead_image_alt": f"An abstract map of the {region.name} region with a route "
                "between cities.",
                "lead_image_caption": story.get("caption", ""),
                "lead_image_credit": "Newsroom demo illustration",
            },
        )
        report.count("stories", created)
        if created:
            article.authors.set([authors[slug] for slug in story["authors"]])
            article.tags.set(story["tags"])


def seed_images(report: SeedReport) -> None:
    """Draw a lead image for every demo story that has none, and make its renditions."""
    slugs = [story["slug"] for story in content.STORIES]
    missing = Article.objects.filter(slug__in=slugs, lead_image="").select_related("region")
    for article in missing:
        picture = draw_lead_image(article.slug, article.region.slug, article.region.name)
        article.lead_image.save(f"{article.slug}.jpg", ContentFile(picture), save=False)
        process_lead_image(article)
        refresh_latest_version(article, fields=LEAD_IMAGE_FIELDS)
        report.images += 1


@transaction.atomic
def seed_accounts(report: SeedReport) -> None:
    """Create the demo logins (editor, author, moderator) — only ever while DEBUG is on."""
    if not settings.DEBUG:
        report.accounts_skipped = True
        return
    User = get_user_model()
    for username, group_name, author_slug in content.DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
        )
        if created:
            user.set_password(content.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        # The roles migration creates the groups; get_or_create keeps this working without it.
        group, _created = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        if author_slug and not Author.objects.filter(user=user).exists():
            Author.objects.filter(slug=author_slug, user__isnull=True).update(user=user)
        report.count("accounts", created)
        report.accounts.append(username)

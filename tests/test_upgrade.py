"""Upgrading a database of the previous release, with data in it, to today's layout loses nothing.

The previous release kept the audit log and the moderators' digest state in the editorial
app, and had no page cache table. The test takes the test database back to that schema, fills
it as that release would have (with its own historical models), migrates forward and reads
everything back through today's models: rows, links between them, and the permissions the
groups hold. It runs on SQLite and on PostgreSQL (CI runs both).
"""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)

PREVIOUS_RELEASE = [
    ("articles", "0008_list_indexes"),
    ("editorial", "0002_roles"),
    ("reviews", "0004_follow_up"),
    ("audit", None),
    ("pagecache", None),
]


def migrate(targets) -> MigrationExecutor:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection)


def latest() -> list[tuple[str, str]]:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def previous_release():
    """Give the test the previous release's schema; leave today's behind, whatever happens."""
    executor = migrate(PREVIOUS_RELEASE)
    try:
        applied = [node for node in PREVIOUS_RELEASE if node[1] is not None]
        yield executor.loader.project_state(applied).apps
    finally:
        migrate(latest())


def test_the_audit_log_digest_state_and_permissions_survive_the_upgrade(previous_release):
    old = previous_release
    OldAuditEntry = old.get_model("editorial", "AuditEntry")
    OldDigestState = old.get_model("editorial", "ModerationDigestState")
    OldArticle = old.get_model("articles", "Article")
    OldGroup = old.get_model("auth", "Group")
    OldUser = old.get_model("auth", "User")
    OldPermission = old.get_model("auth", "Permission")
    editors, _created = OldGroup.objects.get_or_create(name="Editors")
    # As the previous release's roles migration left it (an earlier test may have emptied the
    # groups: transactional tests flush the database).
    editors.permissions.add(
        OldPermission.objects.get(content_type__app_label="editorial", codename="view_auditentry")
    )
    editor = OldUser.objects.create(username="edna", is_staff=True)
    editor.groups.add(editors)
    region = old.get_model("articles", "Region").objects.create(name="Caucasus", slug="caucasus")
    rubric = old.get_model("articles", "Rubric").objects.create(name="Analysis", slug="analysis")
    story = OldArticle.objects.create(
        title="Gas talks in Baku",
        slug="gas-talks-in-baku",
        teaser="Three capitals, one pipeline.",
        region=region,
        rubric=rubric,
        status="published",
        publish_at=timezone.now() - timedelta(hours=1),
    )
    logged_at = timezone.now() - timedelta(days=3)
    for action in ("created", "published"):
        OldAuditEntry.objects.create(
            at=logged_at,
            actor=editor,
            actor_name="edna",
            action=action,
            story=story,
            story_title=story.title,
            object_repr=story.title,
            details={"fields": ["title"]},
        )
    digest_sent = timezone.now() - timedelta(hours=5)
    OldDigestState.objects.create(pk=1, last_sent_at=digest_sent)

    migrate(latest())

    from audit.models import AuditEntry
    from reviews.models import ModerationDigestState

    entries = list(AuditEntry.objects.order_by("pk"))
    assert [entry.action for entry in entries] == ["created", "published"]
    assert {entry.story_id for entry in entries} == {story.pk}
    assert all(entry.actor.username == "edna" and entry.at == logged_at for entry in entries)
    assert entries[0].details == {"fields": ["title"]}
    assert ModerationDigestState.objects.get(pk=1).last_sent_at == digest_sent
    # The editors still read the log, now the audit app's, and nothing of it is left behind.
    user = get_user_model().objects.get(username="edna")
    assert user.has_perm("audit.view_auditentry")
    assert (
        Group.objects.get(name="Editors")
        .permissions.filter(content_type__app_label="audit", codename="view_auditentry")
        .exists()
    )
    tables = connection.introspection.table_names()
    assert "audit_auditentry" in tables and "reviews_moderationdigeststate" in tables
    assert "editorial_auditentry" not in tables
    # And the log keeps working: a new entry lands beside the old ones.
    AuditEntry.objects.create(action="edited", story_id=story.pk, story_title=story.title)
    assert AuditEntry.objects.count() == 3


def test_the_upgrade_can_be_undone(previous_release):
    migrate(latest())
    migrate(PREVIOUS_RELEASE)

    tables = connection.introspection.table_names()
    assert "editorial_auditentry" in tables and "audit_auditentry" not in tables


# The image library (release 4): lead images move off the story into the library, and back.

BEFORE_THE_LIBRARY = [("articles", "0011_author_photo_renditions"), ("images", None)]


@pytest.fixture
def before_the_library():
    executor = migrate(BEFORE_THE_LIBRARY)
    try:
        yield executor.loader.project_state([BEFORE_THE_LIBRARY[0]]).apps
    finally:
        migrate(latest())


def test_lead_images_move_into_the_library_and_back(before_the_library, media_root):
    old = before_the_library
    region = old.get_model("articles", "Region").objects.create(name="Caucasus", slug="caucasus")
    rubric = old.get_model("articles", "Rubric").objects.create(name="Analysis", slug="analysis")
    story = old.get_model("articles", "Article").objects.create(
        title="Gas talks in Baku",
        slug="gas-talks-in-baku",
        teaser="Three capitals, one pipeline.",
        region=region,
        rubric=rubric,
        status="published",
        publish_at=timezone.now() - timedelta(hours=1),
        lead_image="articles/2026/05/baku.jpg",
        lead_image_width=1600,
        lead_image_height=900,
        lead_image_alt="Delegations at the table",
        lead_image_caption="The talks, day two",
        lead_image_credit="Newsroom photo desk",
        lead_image_renditions={
            "source": "articles/2026/05/baku.jpg",
            "640.webp": "articles/2026/05/baku-640.webp",
            "640.jpg": "articles/2026/05/baku-640.jpg",
            "og.jpg": "articles/2026/05/baku-og.jpg",
        },
    )
    old.get_model("articles", "HistoricalArticle").objects.create(
        id=story.pk,
        title=story.title,
        slug=story.slug,
        teaser=story.teaser,
        region_id=region.pk,
        rubric_id=rubric.pk,
        status="published",
        publish_at=story.publish_at,
        lead_image="articles/2026/05/baku.jpg",
        created_at=story.created_at,
        history_date=timezone.now(),
        history_type="~",
    )

    # Forward: one library image with the story's words, its renditions under library keys.
    new = migrate(latest()).loader.project_state(latest()).apps
    Image = new.get_model("images", "Image")
    image = Image.objects.get()
    assert (image.file.name, image.width, image.height) == ("articles/2026/05/baku.jpg", 1600, 900)
    assert (image.alt_text, image.caption, image.credit) == (
        "Delegations at the table",
        "The talks, day two",
        "Newsroom photo desk",
    )
    assert image.renditions == {
        "source": "articles/2026/05/baku.jpg",
        "full-640.webp": "articles/2026/05/baku-640.webp",
        "full-640.jpg": "articles/2026/05/baku-640.jpg",
        "og-1200.jpg": "articles/2026/05/baku-og.jpg",
    }
    assert new.get_model("articles", "Article").objects.get().lead_image_id == image.pk
    assert new.get_model("articles", "HistoricalArticle").objects.get().lead_image_id == image.pk

    # Backward: the story carries its picture and words again.
    back = migrate(BEFORE_THE_LIBRARY[:1]).loader.project_state(BEFORE_THE_LIBRARY[:1]).apps
    story = back.get_model("articles", "Article").objects.get()
    assert story.lead_image.name == "articles/2026/05/baku.jpg"
    assert (story.lead_image_alt, story.lead_image_caption, story.lead_image_credit) == (
        "Delegations at the table",
        "The talks, day two",
        "Newsroom photo desk",
    )
    assert story.lead_image_renditions == {
        "source": "articles/2026/05/baku.jpg",
        "640.webp": "articles/2026/05/baku-640.webp",
        "640.jpg": "articles/2026/05/baku-640.jpg",
        "og.jpg": "articles/2026/05/baku-og.jpg",
    }
    version = back.get_model("articles", "HistoricalArticle").objects.get()
    assert version.lead_image == "articles/2026/05/baku.jpg"

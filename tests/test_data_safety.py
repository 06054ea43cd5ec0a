"""Data safety: backups restore what was there, migrations undo, deletions never cascade.

Backup and restore run the real scripts (scripts/backup.sh, scripts/restore.sh) against a
throwaway database of the engine under test (a temporary SQLite file, or a PostgreSQL
database named after the test database) in subprocesses, so the test database of this run is
never touched. The migration test does the same.
"""

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth.models import Group
from django.db import connection
from django.urls import reverse

from articles.models import Article, Author

BASE_DIR = Path(settings.BASE_DIR)


# Deleting a region, rubric or author with stories --------------------------------------------


@pytest.fixture
def editor_client(client, django_user_model):
    editor = django_user_model.objects.create_user("edna", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    return client


@pytest.mark.parametrize("kind", ["region", "rubric"])
def test_deleting_a_region_or_rubric_with_stories_is_refused(
    editor_client, published_article, kind
):
    taxonomy = getattr(published_article, kind)
    url = reverse(f"admin:articles_{kind}_delete", args=[taxonomy.pk])

    page = editor_client.get(url)
    response = editor_client.post(url, {"post": "yes"})

    assert page.status_code == 200
    text = page.content.decode()
    assert f"Cannot delete {kind}" in text
    assert "protected related objects" in text
    assert "The Almaty talks" in text
    assert response.status_code == 200
    assert type(taxonomy).objects.filter(pk=taxonomy.pk).exists()
    assert Article.objects.filter(pk=published_article.pk).exists()


def test_deleting_an_author_credited_on_stories_is_refused(editor_client, published_article):
    author = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    published_article.authors.add(author)
    url = reverse("admin:articles_author_delete", args=[author.pk])

    page = editor_client.get(url)
    response = editor_client.post(url, {"post": "yes"})

    text = page.content.decode()
    assert "Cannot delete author" in text
    assert "Story: The Almaty talks" in text
    assert response.status_code == 200
    assert list(published_article.authors.all()) == [author]


def test_bulk_deleting_authors_spares_those_with_stories(editor_client, published_article):
    credited = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
    unused = Author.objects.create(name="Guest Writer", slug="guest-writer")
    published_article.authors.add(credited)
    data = {"action": "delete_selected", "_selected_action": [credited.pk, unused.pk]}
    changelist = reverse("admin:articles_author_changelist")

    page = editor_client.post(changelist, data)
    editor_client.post(changelist, {**data, "post": "yes"})

    assert "protected related objects" in page.content.decode()
    assert set(Author.objects.values_list("slug", flat=True)) == {"nino-beridze", "guest-writer"}


def test_an_author_without_stories_can_be_deleted(editor_client, db):
    author = Author.objects.create(name="Guest Writer", slug="guest-writer")

    response = editor_client.post(
        reverse("admin:articles_author_delete", args=[author.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert not Author.objects.exists()


# Throwaway databases for the subprocess tests ---------------------------------------------------


@contextmanager
def throwaway_database(tmp_path: Path, suffix: str) -> Iterator[str]:
    """Yield the DATABASE_URL of an empty database of this run's engine; drop it after."""
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / f'{suffix}.sqlite3'}"
        return
    import psycopg
    from psycopg import sql

    params = settings.DATABASES["default"]
    name = f"{params['NAME']}_{suffix}"[:63]
    admin = psycopg.connect(
        host=params.get("HOST") or None,
        port=params.get("PORT") or None,
        user=params.get("USER") or None,
        password=params.get("PASSWORD") or None,
        dbname="postgres",
        autocommit=True,
    )

    def recreate(create: bool) -> None:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
        )
        if create:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))

    recreate(create=True)
    auth = params.get("USER") or ""
    if params.get("PASSWORD"):
        auth += f":{params['PASSWORD']}"
    url = (
        f"postgres://{auth}@{params.get('HOST') or '127.0.0.1'}:{params.get('PORT') or 5432}/{name}"
    )
    try:
        yield url
    finally:
        recreate(create=False)
        admin.close()


def site_env(database_url: str, media_root: Path) -> dict:
    env = {**os.environ, "DATABASE_URL": database_url, "MEDIA_ROOT": str(media_root)}
    env["DJANGO_SETTINGS_MODULE"] = "newsroom.settings"
    env["PYTHON"] = sys.executable
    # Keep the subprocesses off any shared Redis: restore.sh clears the cache.
    env.pop("REDIS_URL", None)
    return env


def django_run(code: str, env: dict) -> str:
    """Run *code* in a fresh Django process of the site; return what it printed."""
    script = "import django\ndjango.setup()\n" + code
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    return result.stdout


def run_script(args: list[str], env: dict) -> subprocess.CompletedProcess:
    result = subprocess.run(
        ["bash", *args], cwd=BASE_DIR, env=env, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    return result


# Backup and restore --------------------------------------------------------------------------

MAKE_CONTENT = """
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.utils import timezone
from PIL import Image as Picture
import io

call_command("migrate", verbosity=0)
from articles.models import Article, Author, Region, Rubric
from images.models import Image
from images.services import make_renditions
from reviews.models import Review

region = Region.objects.create(name="South Caucasus", slug="south-caucasus", position=1)
rubric = Rubric.objects.create(name="Analysis", slug="analysis")
author = Author.objects.create(name="Nino Beridze", slug="nino-beridze")
editor = User.objects.create_user("edna", "edna@example.org", "a-long-password", is_staff=True)
editor.groups.add(Group.objects.get(name="Editors"))
buffer = io.BytesIO()
Picture.new("RGB", (800, 500), (20, 80, 120)).save(buffer, "JPEG")
harbour = Image(title="Harbour", alt_text="A harbour", caption="Батуми at dawn",
                credit="Nino Beridze", focal_x=0.25, focal_y=0.75, uploaded_by=editor)
harbour.file.save("harbour.jpg", ContentFile(buffer.getvalue(), name="harbour.jpg"), save=False)
harbour.save()
harbour.tags.add("ports", "Грузия")
make_renditions(harbour)
for number, tags in enumerate((["energy", "Грузия"], ["ports"], [])):
    body = "<p>Body <strong>bold</strong>.</p>"
    if number == 1:
        body += f'<figure data-image="{harbour.pk}" data-size="wide"></figure>'
    story = Article.objects.create(
        title=f"Story {number}: Тбилиси", slug=f"story-{number}", teaser="A lede.",
        body=body, region=region, rubric=rubric,
        status="published" if number < 2 else "draft",
        publish_at=timezone.now() - timezone.timedelta(hours=number + 1),
        lead_image=harbour if number == 0 else None,
    )
    story.tags.add(*tags)
    story.authors.add(author)
    for status in ("approved", "pending", "rejected"):
        Review.objects.create(article=story, name="Reader", email="r@example.org",
                              body=f"{status} review of story {number}", status=status)
"""

SNAPSHOT = """
import hashlib, json, os
from django.conf import settings
from django.contrib.auth.models import Group, User
from articles.models import Article, BodyImage
from images.models import Image
from reviews.models import Review
from taggit.models import Tag

media = {}
for folder, _dirs, files in os.walk(settings.MEDIA_ROOT):
    for name in files:
        path = os.path.join(folder, name)
        media[os.path.relpath(path, settings.MEDIA_ROOT)] = hashlib.sha256(
            open(path, "rb").read()).hexdigest()
print(json.dumps({
    "stories": [
        [a.pk, a.slug, a.title, a.status, a.publish_at.isoformat(), sorted(a.tags.names()),
         [author.slug for author in a.authors.all()], a.lead_image_id, a.body,
         a.version if hasattr(a, "version") else None]
        for a in Article.objects.order_by("pk")
    ],
    "images": [
        [i.pk, i.title, i.file.name, i.width, i.height, i.alt_text, i.caption, i.credit,
         i.focal_x, i.focal_y, sorted(i.tags.names()), i.uploaded_by.username, i.renditions]
        for i in Image.objects.order_by("pk")
    ],
    "body_images": list(
        BodyImage.objects.order_by("pk").values_list("article__slug", "image_id")
    ),
    "reviews": list(
        Review.objects.order_by("pk").values_list("pk", "article__slug", "body", "status")
    ),
    "tags": list(Tag.objects.order_by("pk").values_list("pk", "name", "slug")),
    "users": [[u.username, u.password, sorted(g.name for g in u.groups.all())]
              for u in User.objects.order_by("username")],
    "groups": {g.name: g.permissions.count() for g in Group.objects.all()},
    "media": media,
}, sort_keys=True))
"""


@pytest.mark.slow
def test_backup_then_restore_brings_back_stories_reviews_tags_users_and_media(tmp_path):
    media_root = tmp_path / "media"
    backup = tmp_path / "backup"
    with throwaway_database(tmp_path, "backup") as database_url:
        env = site_env(database_url, media_root)
        django_run(MAKE_CONTENT, env)
        before = json.loads(django_run(SNAPSHOT, env))
        assert len(before["stories"]) == 3 and len(before["reviews"]) == 9
        assert len(before["media"]) > 3
        # The library image, its renditions among the media, used as a lead and in a body.
        [image] = before["images"]
        assert image[-1] and set(image[-1].values()) - {"0.2500,0.7500"} <= set(before["media"])
        assert before["stories"][0][7] == image[0]
        assert before["body_images"] == [["story-1", image[0]]]

        run_script(["scripts/backup.sh", str(backup)], env)
        # Disaster: the database and the uploads are gone.
        if database_url.startswith("sqlite"):
            for path in tmp_path.glob("backup.sqlite3*"):
                path.unlink()
        else:
            django_run(
                "from django.core.management import call_command\n"
                "call_command('flush', interactive=False, verbosity=0)",
                env,
            )
        subprocess.run(["rm", "-rf", str(media_root)], check=True)

        refused = subprocess.run(
            ["bash", "scripts/restore.sh", str(backup)],
            cwd=BASE_DIR,
            env=env,
            capture_output=True,
            text=True,
        )
        assert refused.returncode == 2 and "--yes" in refused.stderr
        run_script(["scripts/restore.sh", str(backup), "--yes"], env)
        after = json.loads(django_run(SNAPSHOT, env))

        assert after == before
        # The restored site takes new writes (sequences carried over).
        django_run(
            "from reviews.models import Review\nfrom articles.models import Article\n"
            "Review.objects.create(article=Article.objects.first(), name='New', "
            "email='n@example.org', body='After the restore.')",
            env,
        )


def test_restore_refuses_a_folder_that_is_not_a_backup(tmp_path):
    env = site_env(f"sqlite:///{tmp_path / 'x.sqlite3'}", tmp_path / "media")

    result = subprocess.run(
        ["bash", "scripts/restore.sh", str(tmp_path)],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
    )

    assert result.returncode == 2
    assert "made by scripts/backup.sh" in result.stderr


# Every migration can be undone -----------------------------------------------------------------

MIGRATE_DOWN_AND_UP = """
import json
# django-tasks-db's own history has a data migration with no way back (its 0013); nothing of
# ours depends on the queue's tables, so everything else is undone around them.
IRREVERSIBLE_APPS = {"django_tasks_database"}
from django.apps import apps
from django.core.management import call_command
from django.db import connection
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder

call_command("migrate", verbosity=0)
applied = len(MigrationRecorder(connection).applied_migrations())
loader = MigrationLoader(connection)
labels = [
    config.label
    for config in apps.get_app_configs()
    if config.label in loader.migrated_apps and config.label not in IRREVERSIBLE_APPS
]
for label in reversed(labels):
    call_command("migrate", label, "zero", verbosity=0)
left = sorted(
    "%s.%s" % key
    for key in MigrationRecorder(connection).applied_migrations()
    if key[0] not in IRREVERSIBLE_APPS
)
call_command("migrate", verbosity=0)
from django.contrib.auth.models import Group
from reviews.models import ModerationSettings
print(json.dumps({
    "applied": applied,
    "left_after_zero": left,
    "again": len(MigrationRecorder(connection).applied_migrations()),
    "groups": sorted(Group.objects.values_list("name", flat=True)),
    "rules": ModerationSettings.objects.count(),
}))
"""


@pytest.mark.slow
def test_every_migration_can_be_undone_and_done_again(tmp_path):
    with throwaway_database(tmp_path, "migrations") as database_url:
        env = site_env(database_url, tmp_path / "media")

        result = json.loads(django_run(MIGRATE_DOWN_AND_UP, env).strip().splitlines()[-1])

    assert result["applied"] > 20
    assert result["left_after_zero"] == []
    assert result["again"] == result["applied"]
    assert result["groups"] == ["Administrators", "Authors", "Editors", "Moderators"]
    assert result["rules"] == 1

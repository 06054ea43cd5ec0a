import os
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import timedelta

import pytest
from django.core.cache import cache as django_cache
from django.core.files.base import ContentFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from articles.feeds import stored_size
from articles.models import Article, Author, Region, Rubric
from images.models import Image
from images.services import make_renditions
from reviews.models import ModerationSettings
from tests.helpers import READER_IP, change_url, form_data, picture_bytes, review_data, staff
from tests.redis_server import RedisServer


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    """Keep uploads and renditions out of the developer's var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"
    # Tests store files under fixed names, each in its own folder: sizes learnt in one test
    # must not answer for another's file.
    stored_size.cache_clear()
    return settings.MEDIA_ROOT


@pytest.fixture(scope="session", autouse=True)
def shared_cache():
    """Use the Redis named by NEWSROOM_TEST_REDIS_URL, as production does, when one is given.

    Under a key prefix of this run's own, so that a developer's or another run's keys are never
    read or deleted (``clear()`` deletes only this prefix's keys). Without the variable the
    tests use the local-memory cache, as ``make run`` does.
    """
    url = os.environ.get("NEWSROOM_TEST_REDIS_URL", "").strip()
    if not url:
        yield None
        return
    caches = {
        "default": {
            "BACKEND": "serving.cache.ResilientRedisCache",
            "LOCATION": url,
            "KEY_PREFIX": f"newsroom-test-{uuid.uuid4().hex[:12]}",
        }
    }
    with override_settings(CACHES=caches):
        yield url
        django_cache.clear()


@pytest.fixture(scope="session")
def own_redis(tmp_path_factory) -> Iterator[RedisServer]:
    """A redis-server of this test run's own, for tests that break or inspect Redis."""
    server = RedisServer(tmp_path_factory.mktemp("redis")).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def fresh_cache():
    """Start each test with an empty cache so rate limits and cached pages do not leak."""
    django_cache.clear()
    yield
    django_cache.clear()


@pytest.fixture
def no_page_cache(settings):
    """Render every page: for tests that count a view's own queries, not the page cache's.

    The blocks many pages share ("Latest stories", navigation) are still kept; and the lease
    is long, since its renewal (a few queries every couple of seconds) is nobody's page.
    """
    settings.PAGE_CACHE_SECONDS = 0
    settings.PAGE_CACHE_LEASE_SECONDS = 600


@pytest.fixture
def region(db) -> Region:
    return Region.objects.create(name="Post-Soviet region", slug="post-soviet-region")


@pytest.fixture
def rubric(db) -> Rubric:
    return Rubric.objects.create(name="Road sign", slug="road-sign")


@pytest.fixture
def make_article(db, region, rubric) -> Callable[..., Article]:
    counter = iter(range(1, 1_000_000))

    def make(**fields) -> Article:
        number = next(counter)
        fields.setdefault("title", f"Story number {number}")
        fields.setdefault("slug", f"story-number-{number}")
        fields.setdefault("teaser", f"The lede of story number {number}.")
        fields.setdefault("body", f"<p>The body of story number {number}.</p>")
        fields.setdefault("region", region)
        fields.setdefault("rubric", rubric)
        fields.setdefault("status", Article.Status.PUBLISHED)
        fields.setdefault("publish_at", timezone.now() - timedelta(hours=number))
        tags = fields.pop("tags", ())
        authors = fields.pop("authors", ())
        article = Article.objects.create(**fields)
        if tags:
            article.tags.add(*tags)
        if authors:
            article.authors.add(*authors)
        return article

    return make


@pytest.fixture
def make_image(db) -> Callable[..., Image]:
    """Return a function that stores a picture in the image library, renditions made.

    Small by default (renditions are quick); pass ``size=(1920, 1080)`` where a page's
    widest slot matters.
    """

    def make(size=(320, 200), *, alt_text="A red square on a white wall.", **fields) -> Image:
        image = Image(title=fields.pop("title", "A test picture"), alt_text=alt_text, **fields)
        # Named: Django reads the dimensions from the content, which a nameless file hides.
        image.file.save(
            "picture.jpg", ContentFile(picture_bytes(size), name="picture.jpg"), save=False
        )
        image.save()
        make_renditions(image)
        return image

    return make


@pytest.fixture
def published_article(make_article) -> Article:
    return make_article(title="The Almaty talks", slug="the-almaty-talks")


@pytest.fixture
def draft_article(make_article) -> Article:
    return make_article(title="An unfinished draft", slug="unfinished-draft", status="draft")


# -- People and readers (helpers in tests/helpers.py) -----------------------------------------


@pytest.fixture
def editor(db, django_user_model):
    return staff(django_user_model, "edna", "Editors")


@pytest.fixture
def author_user(db, django_user_model):
    """Return an author with an author profile, so their stories can credit them."""
    user = staff(django_user_model, "arthur", "Authors")
    Author.objects.create(name="Arthur Dent", slug="arthur-dent", user=user)
    return user


@pytest.fixture
def moderator(db, django_user_model):
    return staff(django_user_model, "mona", "Moderators")


@pytest.fixture
def second_editor(db, django_user_model):
    return staff(django_user_model, "bruno", "Editors")


@pytest.fixture
def superuser(db, django_user_model):
    return django_user_model.objects.create_superuser("root", "root@newsroom.example", "x")


@pytest.fixture
def open_form() -> Callable:
    """Open a story's change page as *client* and return the form data it would post back."""

    def open_(client, article: Article, **overrides) -> dict:
        response = client.get(change_url(article))
        assert response.status_code == 200
        form = response.context["adminform"].form
        data = form_data(article, **overrides)
        data["loaded_version"] = form["loaded_version"].value()
        data["loaded_history"] = form["loaded_history"].value() or ""
        return data

    return open_


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def rules(db) -> ModerationSettings:
    """Return the editors' review rules as the migration created them."""
    return ModerationSettings.load()


@pytest.fixture
def post_review(client) -> Callable:
    """Post a story's "Leave a review" form as a reader would."""

    def post(
        article: Article,
        *,
        data: dict | None = None,
        ip: str = READER_IP,
        forwarded_for: str | None = None,
        **overrides,
    ):
        payload = data if data is not None else review_data(article, **overrides)
        extra = {"HTTP_X_FORWARDED_FOR": forwarded_for} if forwarded_for is not None else {}
        return client.post(
            reverse("reviews:form", args=(article.slug,)),
            payload,
            REMOTE_ADDR=ip,
            HTTP_USER_AGENT="Mozilla/5.0 (test reader)",
            **extra,
        )

    return post


# -- The task queue ---------------------------------------------------------------------------


@pytest.fixture
def run_tasks(db) -> Callable[..., list[DBTaskResult]]:
    """Run every due task in the queue here, as ``manage.py worker`` would; return them.

    The queue is production's (django-tasks-db): code under test enqueues into the database,
    and a test calls ``run_tasks()`` where a worker would have picked the tasks up. Tasks that
    enqueue more tasks are run too. A task that fails fails the test, unless
    ``allow_failures=True``.
    """

    def run(*, allow_failures: bool = False) -> list[DBTaskResult]:
        worker = Worker(
            queue_names=["*"],
            interval=0,
            batch=True,
            backend_name="default",
            startup_delay=False,
            max_tasks=None,
            worker_id="tests",
            excluded_queue_names=[],
        )
        done = []
        while True:
            # Taken as the worker takes it: locked and claimed in a transaction of its own (the
            # test's, in a test that has one).
            with transaction.atomic():
                result = DBTaskResult.objects.ready().get_locked()
                if result is None:
                    break
                result.claim("tests")
            worker.run_task(result)
            result.refresh_from_db()
            done.append(result)
        failed = [result for result in done if result.status == "FAILED"]
        if failed and not allow_failures:
            raise AssertionError("A task failed:\n" + failed[0].traceback)
        return done

    return run


@pytest.fixture
def after_commit(django_capture_on_commit_callbacks, run_tasks):
    """Return a context manager: its block's transactions commit, then the worker runs.

    What production does in two processes (the web request commits and enqueues; a worker
    picks the tasks up), done in order, here. Failed tasks are left recorded as the worker
    leaves them when ``allow_failures=True``.
    """

    @contextmanager
    def block(*, allow_failures: bool = False):
        with django_capture_on_commit_callbacks(execute=True):
            yield
        run_tasks(allow_failures=allow_failures)

    return block

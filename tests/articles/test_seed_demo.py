"""`manage.py seed_demo`: the demo newsroom, its logins, and generated volumes."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.storage import default_storage
from django.core.management import CommandError, call_command
from django.urls import reverse
from PIL import Image
from taggit.models import Tag, TaggedItem

from articles.demo import content, content_ru
from articles.demo.drawing import draw_lead_image
from articles.models import Article, Author, BodyImage, Region, Rubric, reading_minutes
from articles.sanitizer import sanitize_html
from embeds.models import Embed
from images.models import Image as LibraryImage
from reviews.models import Review

pytestmark = pytest.mark.django_db

# Russian translations of English stories, stories written in Russian, their English versions.
RUSSIAN_STORIES = (
    len(content_ru.TRANSLATIONS_RU)
    + len(content_ru.STORIES_RU)
    + sum(1 for story in content_ru.STORIES_RU if story["english"])
)


def shown_on(client, story: Article, image: LibraryImage) -> bool:
    """Return whether the page of *story* shows library *image* in the main column."""
    return (
        default_storage.url(image.renditions["full-640.jpg"])
        in client.get(story.get_absolute_url()).content.decode()
    )


def seed(*args: str) -> tuple[str, str]:
    """Run seed_demo and return what it printed on stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    call_command("seed_demo", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def counts() -> dict[str, int]:
    return {
        "regions": Region.objects.count(),
        "rubrics": Rubric.objects.count(),
        "authors": Author.objects.count(),
        "stories": Article.objects.count(),
        "story authors": Article.authors.through.objects.count(),
        "tags": Tag.objects.count(),
        "tagged": TaggedItem.objects.count(),
        "users": get_user_model().objects.count(),
        "memberships": get_user_model().groups.through.objects.count(),
        "reviews": Review.objects.count(),
    }


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True


def test_seeding_twice_creates_nothing_the_second_time(debug_on):
    seed("--no-images")
    first = counts()

    out, _err = seed("--no-images")

    assert counts() == first
    # Five of each in English and in Russian (articles.demo.seed_ru).
    assert first["regions"] == 10 and first["rubrics"] == 10
    assert 6 <= first["authors"] <= 8
    assert len(content.STORIES) == 30
    assert first["stories"] == 30 + RUSSIAN_STORIES
    assert "created 0 regions, 0 rubrics, 0 authors, 0 stories" in out
    # --no-images draws nothing: no library image, and not the media story that needs them.
    assert not LibraryImage.objects.exists() and not Embed.objects.exists()
    assert not Article.objects.filter(slug=content.MEDIA_STORY["slug"]).exists()
    assert "drew 0 library pictures" in out


def test_seeding_keeps_what_an_editor_changed():
    seed("--no-images")
    Article.objects.filter(slug="night-trains-are-back").update(title="Night trains, revised")

    seed("--no-images")

    assert Article.objects.get(slug="night-trains-are-back").title == "Night trains, revised"


def test_demo_stories_have_regions_rubrics_authors_tags_and_a_correction():
    seed("--no-images")

    assert set(Region.objects.in_language("en").values_list("name", flat=True)) == {
        "Post-Soviet region",
        "South Caucasus",
        "Central Asia",
        "Middle East",
        "Europe",
    }
    assert set(Rubric.objects.in_language("en").values_list("name", flat=True)) == {
        "Road sign",
        "Social",
        "Difficult question",
        "Analysis",
        "Interview",
    }
    every = Article.objects.prefetch_related("authors", "tags")
    assert all(story.authors.all() and story.tags.all() for story in every)
    assert all(len(story.teaser) <= 300 for story in every)
    stories = every.filter(slug__in=[story["slug"] for story in content.STORIES])
    assert stories.filter(featured=True).count() in (1, 2)
    # One story was corrected twice, each correction with its own time, "Updated" the last.
    corrected = stories.filter(corrections__isnull=False).distinct().get()
    corrections = list(corrected.corrections.all())
    assert len(corrections) == 2
    assert corrections[0].made_at < corrections[1].made_at
    assert corrected.revised_at == corrections[1].made_at
    assert Article.objects.filter(authors__isnull=False).distinct().count() == 30 + RUSSIAN_STORIES
    assert Author.objects.filter(articles__isnull=False).distinct().count() >= 6


def test_drafts_review_and_scheduled_demo_stories_stay_behind_the_gate(client):
    seed("--no-images")
    public = set(Article.objects.published().values_list("slug", flat=True))
    hidden = Article.objects.exclude(slug__in=public)

    assert set(hidden.values_list("status", flat=True)) == {"draft", "review", "published"}
    scheduled = hidden.get(status="published")
    assert scheduled.is_scheduled
    for story in hidden:
        assert client.get(story.get_absolute_url()).status_code == 404
    response = client.get(reverse("articles:detail", args=["red-sea-detours-price-of-a-container"]))
    assert response.status_code == 200
    assert "Red Sea detours and the price of a container" in response.content.decode()


def test_demo_accounts_exist_with_their_roles_when_debug_is_on(debug_on, client):
    out, _err = seed("--no-images")

    User = get_user_model()
    for username, group in [
        ("editor", "Editors"),
        ("author", "Authors"),
        ("moderator", "Moderators"),
    ]:
        user = User.objects.get(username=username)
        assert user.is_staff and not user.is_superuser
        assert user.check_password("changeme")
        assert list(user.groups.values_list("name", flat=True)) == [group]
    assert Author.objects.get(user__username="author").slug == "nare-avetisyan"
    assert client.login(username="editor", password="changeme")
    assert "editor, author, moderator" in out and "changeme" in out


def test_demo_accounts_are_never_created_when_debug_is_off(settings):
    settings.DEBUG = False

    out, _err = seed("--no-images")

    assert not get_user_model().objects.filter(username__in=["editor", "author", "moderator"])
    assert "Demo accounts skipped" in out
    assert Article.objects.count() == 30 + RUSSIAN_STORIES, "the stories are still loaded"


def test_demo_accounts_join_groups_even_before_the_roles_migration(debug_on):
    Group.objects.filter(name__in=["Editors", "Authors", "Moderators"]).delete()

    seed("--no-images")

    assert get_user_model().objects.get(username="moderator").groups.get().name == "Moderators"


# Drawing and encoding every demo picture takes minutes on CI's two cores, and nothing in it
# depends on the database engine: run once (on SQLite in CI, beside PostgreSQL's run).
@pytest.mark.slow
@pytest.mark.any_database
def test_demo_images_are_library_images_with_renditions_and_a_media_story(client):
    """One test for everything seeding with images proves: drawing them takes tens of seconds."""
    out, _err = seed()

    media_slug = content.MEDIA_STORY["slug"]
    stories = Article.objects.select_related("lead_image", "translation_source")
    assert stories.count() == 31 + RUSSIAN_STORIES
    for story in stories:
        image = story.lead_image
        assert isinstance(image, LibraryImage) and image.alt_text
        assert image.is_processed
        assert (image.width, image.height) == (1920, 1080)
        assert (image.focal_x, image.focal_y) == (0.3, 0.85)
        renditions = image.renditions
        assert {
            "full-320.webp",
            "full-640.jpg",
            "full-1280.webp",
            "full-1920.jpg",
            "3x2-640.webp",
            "1x1-320.jpg",
            "share-16x9-1200.jpg",
            "share-4x3-1200.jpg",
            "share-1x1-1080.jpg",  # a square of the full height: never upscaled
            "og-1200.jpg",
        } <= set(renditions)
        assert all(
            default_storage.exists(name) for key, name in renditions.items() if key != "focal"
        )
    sample = stories.exclude(slug=media_slug).first().lead_image.renditions
    with Image.open(default_storage.open(sample["og-1200.jpg"])) as og:
        assert og.size == (1200, 630)
    # A translation shows its source's picture, each in its own language's words.
    for story in stories.filter(translation_source__isnull=False):
        assert story.lead_image == story.translation_source.lead_image
    written_in_russian = Article.objects.get(slug=content_ru.STORIES_RU[0]["slug"])
    assert written_in_russian.shown_lead_image.alt_text.startswith("Условная карта региона")
    assert written_in_russian.lead_image.alt_text.startswith("An abstract map of the")
    red_sea = Article.objects.get(slug="obkhod-krasnogo-morya-i-tsena-kontejnera")
    assert red_sea.shown_lead_image.caption.startswith("Контейнерные перевозки")
    # Each story its own picture: 30 English leads, 4 of stories written in Russian, and the
    # media story's lead, figure and gallery.
    assert LibraryImage.objects.count() == 30 + 4 + 5
    assert f"drew {30 + 4 + 5} library pictures" in out

    # The media story: a wide figure, a gallery of three, two footnotes and an embed stored
    # as fetched (no network), all drawn on its page.
    media = Article.objects.get(slug=media_slug)
    assert media.is_published()
    assert BodyImage.objects.filter(article=media).count() == 4
    assert 'data-size="wide"' in media.body and media.body.count("data-footnote") == 2
    embed = Embed.objects.get(url=content.MEDIA_STORY["embed_url"])
    assert embed.status == Embed.Status.OK and embed.title == content.MEDIA_STORY["embed_title"]
    page = client.get(media.get_absolute_url()).content.decode()
    assert 'class="figure figure--wide"' in page
    assert 'aria-label="Gallery of 3 pictures"' in page
    assert 'id="fn-1"' in page and 'id="fn-2"' in page
    assert f'data-embed-frame="{content.MEDIA_STORY["embed_frame"]}"' in page

    out, _err = seed()

    assert "drew 0 library pictures" in out
    assert LibraryImage.objects.count() == 39 and Article.objects.count() == 31 + RUSSIAN_STORIES

    # A story left without a picture gets one at the next run, and its page, already in the
    # page cache, shows it at once.
    story = Article.objects.get(slug="night-trains-are-back")
    dropped = story.lead_image
    story.lead_image = None
    story.save()
    assert shown_on(client, story, dropped) is False

    out, _err = seed()

    assert "drew 1 library pictures" in out
    drawn = Article.objects.get(pk=story.pk).lead_image
    assert drawn.is_processed and drawn != dropped
    assert shown_on(client, story, drawn)


def test_drawn_images_are_the_same_for_the_same_story():
    assert draw_lead_image("a-story", "europe", "Europe") == draw_lead_image(
        "a-story", "europe", "Europe"
    )
    assert draw_lead_image("a-story", "europe", "Europe") != draw_lead_image(
        "another-story", "europe", "Europe"
    )


# Generated volumes ----------------------------------------------------------------------


def test_articles_and_reviews_options_add_exactly_that_many():
    seed("--no-images")
    before = counts()

    out, err = seed("--no-images", "--articles", "50", "--reviews", "200")

    after = counts()
    assert after["stories"] - before["stories"] == 50
    assert after["reviews"] - before["reviews"] == 200
    generated = Article.objects.filter(slug__startswith="generated-")
    assert generated.count() == 50
    assert Article.objects.published().filter(slug__startswith="generated-").count() == 50
    assert "Generated 50 stories and 200 reviews" in out
    assert "stories" in err and "100%" in err, "a progress line on stderr"


def test_one_generated_story_gets_many_approved_reviews(client):
    seed("--no-images", "--articles", "50", "--reviews", "400")

    hot = Article.objects.get(slug="generated-1")
    assert hot.reviews.filter(status="approved").count() == 200
    assert Review.objects.filter(article__slug__startswith="generated-").count() == 400
    assert set(Review.objects.values_list("status", flat=True)) <= {
        "approved",
        "pending",
        "rejected",
        "spam",
    }
    assert not Review.objects.filter(created_at__lt=hot.publish_at, article=hot).exists()
    assert Article.objects.published().newest_first().first() == hot
    assert client.get(hot.get_absolute_url()).status_code == 200


def test_generated_stories_are_complete_and_already_safe():
    seed("--no-images", "--articles", "30")

    for story in Article.objects.filter(slug__startswith="generated-").prefetch_related(
        "tags", "authors"
    ):
        assert sanitize_html(story.body) == story.body
        assert story.reading_time == reading_minutes(story.body)
        assert 0 < len(story.teaser) <= 300
        assert story.tags.all() and story.authors.all()
        assert story.created_at <= story.updated_at


def test_generating_again_continues_the_numbering():
    seed("--no-images", "--articles", "5")

    seed("--no-images", "--articles", "5")

    slugs = set(
        Article.objects.filter(slug__startswith="generated-").values_list("slug", flat=True)
    )
    assert slugs == {f"generated-{number}" for number in range(1, 11)}


def test_generated_stories_appear_on_their_region_page(client):
    seed("--no-images", "--articles", "20")
    story = Article.objects.filter(slug__startswith="generated-").newest_first().first()

    response = client.get(story.region.get_absolute_url())

    assert response.status_code == 200
    assert story.title in response.content.decode()


def test_negative_volumes_are_refused():
    with pytest.raises(CommandError, match="--articles must be 0 or more"):
        seed("--articles", "-1")

"""What readers see on every public page, and what each page costs in SQL queries."""

import io
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from PIL import Image

from articles.models import Article, Author, Correction, Region, Rubric
from articles.pictures import process_author_photo
from articles.templatetags.articles_tags import NEWS_DATETIME_FORMAT, timestamp
from tests.helpers import counted

# Anonymous readers, the page not in the page cache but the blocks pages share (navigation,
# latest stories, more from the region) kept; a session or a logged-in user would add queries.
# Home: lead story, region blocks (where each region's block starts, then the stories).
HOME_QUERIES = 3
# Story: story, its tags, its authors, its corrections, previous and next (one query), its
# published translations (hreflang, the language switcher); the reviews block is kept under
# the story's generation.
DETAIL_QUERIES = 6
# Region list: region, count, page of stories, the region's versions in other languages.
REGION_QUERIES = 4


def jpeg_upload(name: str = "photo.jpg", size=(64, 48)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "#885533").save(buffer, "JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


@pytest.fixture
def newsroom(db, make_image):
    """Build a newsroom: five regions, three rubrics, four authors; add stories with grow()."""
    regions = [
        Region.objects.create(name=name, slug=slug, position=position)
        for position, (name, slug) in enumerate(
            [
                ("Post-Soviet region", "post-soviet-region"),
                ("South Caucasus", "south-caucasus"),
                ("Central Asia", "central-asia"),
                ("Middle East", "middle-east"),
                ("Europe", "europe"),
            ]
        )
    ]
    rubrics = [
        Rubric.objects.create(name=name, slug=slug)
        for name, slug in [("Road sign", "road-sign"), ("Social", "social"), ("Analysis", "a")]
    ]
    authors = [Author.objects.create(name=f"Writer {n}", slug=f"writer-{n}") for n in range(4)]
    start = timezone.now() - timedelta(days=30)
    made = []

    def grow(count: int) -> list[Article]:
        for _ in range(count):
            n = len(made)
            article = Article.objects.create(
                title=f"Dispatch {n}",
                slug=f"dispatch-{n}",
                teaser=f"What happened in dispatch {n}.",
                body=f"<p>The full text of dispatch {n}.</p>",
                region=regions[n % len(regions)],
                rubric=rubrics[n % len(rubrics)],
                status=Article.Status.PUBLISHED,
                publish_at=start + timedelta(hours=n),
                featured=n % 17 == 0,
                lead_image=(
                    make_image(alt_text=f"Picture for dispatch {n}") if n % 10 == 0 else None
                ),
            )
            article.tags.add(f"topic-{n % 7}", f"theme-{n % 3}")
            article.authors.add(authors[n % 4], authors[(n + 1) % 4])
            made.append(article)
        return made

    return grow


@pytest.mark.django_db
class TestHomePage:
    def test_home_leads_with_the_featured_story(self, client, make_article):
        make_article(title="Yesterday's big story", featured=True)
        make_article(title="A fresher story", publish_at=timezone.now() - timedelta(minutes=1))
        response = client.get("/")
        page = response.content.decode()
        assert response.status_code == 200
        lead = page[page.index('class="lead-story"') : page.index("Latest stories")]
        assert "Yesterday&#x27;s big story" in lead
        assert "A fresher story" not in lead

    def test_home_leads_with_the_newest_story_when_none_is_featured(self, client, make_article):
        make_article(title="Older story", publish_at=timezone.now() - timedelta(days=2))
        make_article(title="Newest story", publish_at=timezone.now() - timedelta(minutes=5))
        page = client.get("/").content.decode()
        lead = page[page.index('class="lead-story"') : page.index("Latest stories")]
        assert "Newest story" in lead
        assert "Older story" not in lead

    def test_home_has_a_block_per_region_with_its_latest_teasers(self, client, newsroom):
        newsroom(30)
        response = client.get("/")
        page = response.content.decode()
        lead = response.context["lead"]
        blocks = dict(response.context["region_blocks"])
        assert list(blocks) == list(Region.objects.all())
        for region, teased in blocks.items():
            others = Article.objects.published().filter(region=region).exclude(pk=lead.pk)
            newest = list(others.newest_first())
            assert teased == newest[:4]
            block = page[page.index(f'id="region-{region.slug}"') :].split("</section>")[0]
            assert all(article.get_absolute_url() in block for article in newest[:4])
            assert newest[4].get_absolute_url() not in block

    def test_regions_without_stories_get_no_block(self, client, published_article):
        Region.objects.create(name="Antarctica", slug="antarctica")
        page = client.get("/").content.decode()
        assert 'id="region-post-soviet-region"' not in page  # its only story is the lead
        assert 'id="region-antarctica"' not in page
        assert "Antarctica" in page  # still in the navigation

    def test_empty_site_says_so(self, client, db):
        response = client.get("/")
        assert response.status_code == 200
        assert "No stories have been published yet." in response.content.decode()

    def test_navigation_lists_every_region_and_a_search_form(self, client, newsroom):
        newsroom(5)
        page = client.get("/").content.decode()
        nav = page[page.index('class="site-nav"') :]
        for region in Region.objects.all():
            assert f'href="{region.get_absolute_url()}"' in nav
        assert 'role="search"' in page
        assert 'name="q"' in page
        assert 'class="skip-link" href="#main"' in page


@pytest.mark.django_db
class TestStoryPage:
    def test_story_shows_everything_a_reader_needs(self, client, make_article, make_image):
        ann = Author.objects.create(name="Ann Aliyeva", slug="ann-aliyeva")
        ben = Author.objects.create(name="Ben Berg", slug="ben-berg")
        article = make_article(
            title="The Almaty talks",
            slug="the-almaty-talks",
            body="<p>Foreign ministers meet in Almaty.</p>",
            tags=["diplomacy", "Kazakhstan"],
            authors=[ann, ben],
            lead_image=make_image(
                alt_text="Two delegations at a table",
                caption="The delegations before the talks",
                credit="Newsroom photo desk",
            ),
            revised_at=timezone.now(),
        )
        Correction.objects.create(article=article, text="An earlier version gave the wrong date.")
        response = client.get(article.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        assert '<p class="kicker"><a href="/rubrics/road-sign/">Road sign</a></p>' in page
        assert '<h1 class="story__title">The Almaty talks</h1>' in page
        assert "<p>Foreign ministers meet in Almaty.</p>" in page
        assert 'href="/authors/ann-aliyeva/" rel="author">Ann Aliyeva</a> and' in page
        assert 'href="/authors/ben-berg/"' in page
        assert 'href="/tags/diplomacy/" rel="tag">diplomacy</a>' in page
        assert 'href="/tags/kazakhstan/"' in page
        assert "An earlier version gave the wrong date." in page
        assert "Updated" in page
        assert "<figure" in page and 'alt="Two delegations at a table"' in page
        assert "The delegations before the talks" in page
        assert "Newsroom photo desk" in page
        assert 'id="reviews-heading"' in page  # where the reviews app renders

    def test_story_without_update_does_not_claim_one(self, client, published_article):
        page = client.get(published_article.get_absolute_url()).content.decode()
        assert "Updated" not in page
        assert "<figure" not in page

    def test_story_links_its_neighbours_by_rubric_and_time(self, client, make_article, settings):
        settings.TIME_ZONE = "Europe/Berlin"
        social = Rubric.objects.create(name="Social", slug="social")
        question = Rubric.objects.create(name="Difficult question", slug="difficult-question")
        older = make_article(
            title="Older", rubric=social, publish_at=datetime(2024, 5, 9, 17, 20, tzinfo=UTC)
        )
        current = make_article(title="Current", publish_at=datetime(2024, 5, 9, 18, 0, tzinfo=UTC))
        newer = make_article(
            title="Newer", rubric=question, publish_at=datetime(2024, 5, 9, 19, 52, tzinfo=UTC)
        )
        page = client.get(current.get_absolute_url()).content.decode()
        assert f'rel="prev" href="{older.get_absolute_url()}"' in page
        assert f'rel="next" href="{newer.get_absolute_url()}"' in page
        assert 'Social · <time datetime="2024-05-09T19:20+02:00">9 May 2024 19:20</time>' in page
        assert "Difficult question · <time" in page and "9 May 2024 21:52" in page

    def test_more_from_the_region_shows_four_other_stories(self, client, make_article, region):
        stories = [make_article() for _ in range(10)]
        story = stories[0]
        elsewhere = make_article(region=Region.objects.create(name="Europe", slug="europe"))
        page = client.get(story.get_absolute_url()).content.decode()
        block = page[page.index('id="more-from-region"') :]
        block = block[: block.index("</section>")]
        # The region's four newest after those already shown as related stories (the four
        # nearest in time: no story here has tags).
        for other in stories[5:9]:
            assert other.get_absolute_url() in block
        for left_out in (story, *stories[1:5], stories[9], elsewhere):
            assert left_out.get_absolute_url() not in block
        assert "More from Post-Soviet region" in block


@pytest.mark.django_db
class TestListPages:
    def test_region_page_lists_its_stories_newest_first(self, client, newsroom):
        newsroom(12)
        region = Region.objects.get(slug="south-caucasus")
        response = client.get(region.get_absolute_url())
        assert response.status_code == 200
        listed = list(response.context["object_list"])
        assert listed == list(Article.objects.filter(region=region).newest_first())
        page = response.content.decode()
        assert "<h1>South Caucasus</h1>" in page
        # A teaser: rubric, title, time and lede.
        first = listed[0]
        assert first.rubric.name in page and first.teaser in page
        assert f'<h2 class="teaser__title"><a href="{first.get_absolute_url()}">' in page

    def test_rubric_page_lists_its_stories(self, client, newsroom):
        newsroom(9)
        rubric = Rubric.objects.get(slug="social")
        response = client.get(rubric.get_absolute_url())
        assert response.status_code == 200
        assert {a.rubric for a in response.context["object_list"]} == {rubric}
        assert len(response.context["object_list"]) == 3

    def test_tag_page_lists_tagged_stories(self, client, newsroom):
        newsroom(14)
        response = client.get(reverse("articles:tag", kwargs={"slug": "topic-3"}))
        assert response.status_code == 200
        assert [a.title for a in response.context["object_list"]] == ["Dispatch 10", "Dispatch 3"]

    def test_author_page_shows_bio_photo_and_stories(self, client, make_article):
        author = Author.objects.create(
            name="Ann Aliyeva",
            slug="ann-aliyeva",
            bio="Ann covers the South Caucasus from Baku.",
            photo=jpeg_upload("ann.jpg"),
        )
        process_author_photo(author)
        mine = make_article(authors=[author])
        make_article(title="Somebody else's story")
        response = client.get(author.get_absolute_url())
        page = response.content.decode()
        assert response.status_code == 200
        assert "<h1>Ann Aliyeva</h1>" in page
        assert "Ann covers the South Caucasus from Baku." in page
        # A 64 x 48 upload: cropped square, and never enlarged to the 96, 192 and 288 px
        # squares a larger photo gets ("96.jpg"…): one 48 px width, in every format.
        widths = {key.split(".")[0] for key in author.photo_renditions if key[0].isdigit()}
        assert widths == {"48"}
        photo = default_storage.url(author.photo_renditions["48.jpg"])
        assert f'src="{photo}"' in page
        assert default_storage.url(author.photo_renditions["48.webp"]) in page
        assert list(response.context["object_list"]) == [mine]

    @pytest.mark.parametrize("kind", ["region", "rubric", "tag", "author"])
    def test_unknown_taxonomy_is_404(self, client, db, kind):
        assert (
            client.get(reverse(f"articles:{kind}", kwargs={"slug": "nowhere"})).status_code == 404
        )


@pytest.mark.django_db
@pytest.mark.usefixtures("no_page_cache")
class TestQueryCounts:
    """Each page runs the same number of queries for a tiny and a large newsroom."""

    @pytest.mark.parametrize("stories", [3, 60])
    def test_home_page(self, client, newsroom, django_assert_num_queries, stories):
        newsroom(stories)
        response = counted(client, "/", django_assert_num_queries, HOME_QUERIES)
        assert response.status_code == 200

    @pytest.mark.parametrize("stories", [3, 60])
    def test_story_page(self, client, newsroom, django_assert_num_queries, stories):
        url = newsroom(stories)[-2].get_absolute_url()
        response = counted(client, url, django_assert_num_queries, DETAIL_QUERIES)
        assert response.status_code == 200

    @pytest.mark.parametrize("stories", [3, 60])
    def test_region_page(self, client, newsroom, django_assert_num_queries, stories):
        newsroom(stories)
        url = "/regions/post-soviet-region/"
        response = counted(client, url, django_assert_num_queries, REGION_QUERIES)
        assert response.status_code == 200

    def test_large_newsroom_really_fills_the_pages(self, client, newsroom):
        """Guard the counts above: the large data set shows many stories on each page."""
        newsroom(60)
        home = client.get("/")
        assert sum(len(stories) for _, stories in home.context["region_blocks"]) >= 19
        region = client.get("/regions/post-soviet-region/")
        assert len(region.context["object_list"]) == 12
        # Lead images from the library are drawn in the list, at no extra query.
        assert b"<picture" in region.content


@pytest.mark.django_db
def test_times_are_stored_in_utc_and_shown_in_the_site_time_zone(client, make_article, settings):
    settings.TIME_ZONE = "Europe/Berlin"
    article = make_article(publish_at=datetime(2024, 5, 9, 17, 20, tzinfo=UTC))
    article.refresh_from_db()
    assert article.publish_at.utcoffset() == timedelta(0)
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<time datetime="2024-05-09T19:20+02:00">9 May 2024 19:20</time>' in page
    settings.TIME_ZONE = "Asia/Tokyo"
    cache.clear()  # the site's settings changed, not its content: the page cache cannot know
    page = client.get(article.get_absolute_url()).content.decode()
    assert '<time datetime="2024-05-10T02:20+09:00">10 May 2024 02:20</time>' in page


@pytest.mark.parametrize("language", ["en", "de", "ru"])
@pytest.mark.parametrize(
    "day", [datetime(2024, 1, 1, 0, 5, tzinfo=UTC), datetime(2025, 9, 30, 23, 59, tzinfo=UTC)]
)
def test_timestamps_read_as_django_formats_them(language, day):
    """The tag's shortcut for "j F Y H:i" says what date_format() says, in every language."""
    with translation.override(language):
        expected = date_format(timezone.localtime(day), NEWS_DATETIME_FORMAT)
        assert f">{expected}</time>" in timestamp(day)

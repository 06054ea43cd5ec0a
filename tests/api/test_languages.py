"""The content API in the site's languages: lists show one language at a time
(``?language=``, the default language's when left out; an unknown code is a 400 problem);
stories say their language and name their published translations, never a draft one."""

import pytest

from tests.api.helpers import is_problem, local, slugs
from tests.articles import bilingual
from tests.helpers import SITE
from webhooks import payloads

API = f"{SITE}/api/v1"


@pytest.fixture
def newsroom(make_article, region, rubric):
    return bilingual.build(make_article, region, rubric)


def names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [item["name"] for item in response.json()["items"]]


@pytest.mark.django_db
class TestStoryLists:
    def test_default_language_when_left_out(self, api_get, newsroom):
        assert slugs(api_get("stories/")) == ["almaty-talks", "water"]
        assert slugs(api_get("stories/", language="en")) == ["almaty-talks", "water"]

    def test_russian_stories(self, api_get, newsroom):
        assert slugs(api_get("stories/", language="ru")) == [
            "peregovory-v-almaty",
            "tolko-po-russki",
        ]

    def test_filters_read_slugs_in_the_language(self, api_get, newsroom):
        answer = api_get("stories/", language="ru", region="postsovetskoe-prostranstvo")
        assert slugs(answer) == ["peregovory-v-almaty", "tolko-po-russki"]
        # The English region's slug names nothing in Russian.
        assert slugs(api_get("stories/", language="ru", region="post-soviet-region")) == []
        assert slugs(api_get("stories/", language="ru", tag=bilingual.GEORGIA_RU)) == [
            "peregovory-v-almaty",
            "tolko-po-russki",
        ]
        assert slugs(api_get("stories/", language="ru", author="nino")) == ["peregovory-v-almaty"]

    def test_next_link_keeps_the_language(self, api_get, newsroom):
        first = api_get("stories/", language="ru", limit=1).json()
        assert "language=ru" in first["next"]
        assert slugs(api_get(local(first["next"]))) == ["tolko-po-russki"]

    @pytest.mark.parametrize(
        "path", ["stories/", "regions/", "rubrics/", "tags/", "authors/", "regions/europe/"]
    )
    def test_unknown_language_is_a_clear_400(self, api_get, newsroom, path):
        answer = api_get(path, language="xx")
        assert is_problem(answer, 400)
        problem = answer.json()
        assert "xx" in problem["detail"] and "en, ru" in problem["detail"]
        assert problem["errors"][0]["loc"] == ["query", "language"]


@pytest.mark.django_db
class TestStoryRepresentation:
    def test_story_names_its_published_translations(self, api_get, newsroom):
        story = api_get("stories/almaty-talks/").json()
        assert story["language"] == "en"
        assert story["translations"] == [
            {
                "language": "ru",
                "slug": "peregovory-v-almaty",
                "url": f"{SITE}/ru/articles/peregovory-v-almaty/",
                "api_url": f"{API}/stories/peregovory-v-almaty/",
            }
        ]
        story = api_get("stories/peregovory-v-almaty/").json()
        assert story["language"] == "ru"
        assert story["url"] == f"{SITE}/ru/articles/peregovory-v-almaty/"
        assert [item["language"] for item in story["translations"]] == ["en"]
        assert story["region"]["api_url"] == (
            f"{API}/regions/postsovetskoe-prostranstvo/?language=ru"
        )
        # Its tags and authors link to their pages in its language.
        assert [tag["url"] for tag in story["tags"]] == [
            f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/"
        ]
        assert [author["url"] for author in story["authors"]] == [f"{SITE}/ru/authors/nino/"]

    def test_draft_translation_is_named_nowhere(self, api_get, newsroom):
        story = api_get("stories/water/").json()
        assert story["translations"] == []
        assert api_get("stories/voda/").status_code == 404
        for language in ("en", "ru"):
            content = api_get("stories/", language=language).content.decode()
            assert "voda" not in content and "Вода" not in content

    def test_list_items_carry_language_and_translations(self, api_get, newsroom):
        items = api_get("stories/", language="ru").json()["items"]
        assert [(item["language"], len(item["translations"])) for item in items] == [
            ("ru", 1),
            ("ru", 0),
        ]


@pytest.mark.django_db
class TestTaxonomies:
    def test_regions_and_rubrics_per_language(self, api_get, newsroom):
        assert names(api_get("regions/")) == ["Post-Soviet region", "Europe"]
        assert names(api_get("regions/", language="ru")) == ["Постсоветское пространство"]
        assert names(api_get("rubrics/", language="ru")) == ["Дорожный знак"]
        region = api_get("regions/postsovetskoe-prostranstvo/", language="ru").json()
        assert region["language"] == "ru"
        assert region["url"] == f"{SITE}/ru/regions/postsovetskoe-prostranstvo/"
        assert region["stories_url"] == (
            f"{API}/stories/?region=postsovetskoe-prostranstvo&language=ru"
        )
        assert slugs(api_get(local(region["stories_url"]))) == [
            "peregovory-v-almaty",
            "tolko-po-russki",
        ]
        assert api_get("regions/postsovetskoe-prostranstvo/").status_code == 404
        # The default language's addresses are as they were.
        english = api_get("regions/post-soviet-region/").json()
        assert english["stories_url"] == f"{API}/stories/?region=post-soviet-region"

    def test_tags_per_language_with_unicode_slugs(self, api_get, newsroom):
        assert names(api_get("tags/")) == ["Georgia"]
        answer = api_get("tags/", language="ru")
        assert names(answer) == ["Грузия"]
        (tag,) = answer.json()["items"]
        assert tag["slug"] == bilingual.GEORGIA_RU
        assert tag["url"] == f"{SITE}/ru/tags/{bilingual.GEORGIA_RU_URL}/"
        assert tag["stories_url"].endswith("&language=ru")
        assert slugs(api_get(local(tag["stories_url"]))) == [
            "peregovory-v-almaty",
            "tolko-po-russki",
        ]
        # A tag's own answer lists its stories in its own language.
        own = api_get(f"tags/{bilingual.GEORGIA_RU_URL}/").json()
        assert own["stories_url"].endswith("&language=ru")
        # The draft's tag is nowhere.
        assert api_get(f"tags/{'секрет'}/").status_code == 404

    def test_authors_per_language(self, api_get, newsroom):
        assert names(api_get("authors/")) == ["Nino B."]
        assert names(api_get("authors/", language="ru")) == ["Ivan P.", "Nino B."]
        nino = api_get("authors/", language="ru").json()["items"][1]
        assert slugs(api_get(local(nino["stories_url"]))) == ["peregovory-v-almaty"]


@pytest.mark.django_db
def test_search_in_a_language(api_get, newsroom):
    answer = api_get("search/", q="Алматы", language="ru")
    assert answer.status_code == 200
    assert [item["slug"] for item in answer.json()["items"]] == ["peregovory-v-almaty"]
    assert answer.json()["items"][0]["language"] == "ru"
    assert api_get("search/", q="Алматы").json()["items"] == []


@pytest.mark.django_db
def test_the_schema_documents_the_language(client):
    schema = client.get("/api/v1/openapi.json").json()
    for path in ("/api/v1/stories/", "/api/v1/regions/", "/api/v1/tags/", "/api/v1/authors/"):
        parameters = {item["name"]: item for item in schema["paths"][path]["get"]["parameters"]}
        assert "language" in parameters
        assert "en, ru" in parameters["language"]["description"]
    story = schema["components"]["schemas"]["Story"]
    assert {"language", "translations"} <= set(story["required"])


@pytest.mark.django_db
def test_the_page_cache_keeps_languages_apart(api_get, newsroom):
    """The page cache passes ``language`` through for /api/, so each language is its own page."""
    assert slugs(api_get("stories/")) == ["almaty-talks", "water"]
    assert slugs(api_get("stories/", language="ru"))[0] == "peregovory-v-almaty"
    assert slugs(api_get("stories/")) == ["almaty-talks", "water"]


@pytest.mark.django_db
def test_webhook_payload_says_the_storys_language(newsroom):
    data = payloads.story(newsroom.talks_ru)
    assert data["language"] == "ru"
    assert data["url"] == f"{SITE}/ru/articles/peregovory-v-almaty/"

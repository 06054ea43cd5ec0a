"""Search: what readers find, in what order, and that no query can hurt the page."""

import html
import re
from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from articles import search as search_module
from articles.models import Article, Region, Rubric
from articles.search import (
    MAX_QUERY_LENGTH,
    clean_query,
    left_out_words,
    query_words,
    respell,
    run_search,
    snippet_html,
    tsquery_text,
)

on_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="ranked full-text search, stemming and trigram typos need PostgreSQL",
)
on_sqlite = pytest.mark.skipif(
    connection.vendor == "postgresql",
    reason="the word-match search is what SQLite runs; PostgreSQL ranks instead",
)

HOSTILE_QUERIES = [
    "<script>alert('q')</script>",
    '"><img src=x onerror=alert(1)>',
    "' OR 1=1 --",
    "'; DROP TABLE articles_article; --",
    "& | ! : * ( )",
    '"unterminated phrase',
    "!!!:::***",
    "a & b | !c <-> d",
    "(((",
    "\\",
    "%_%",
    "{{ settings.SECRET_KEY }} {% debug %}",
    "café naïve Ωμέγα 東京",
    "nul\x00byte",
    "-",
    '""',
    "the and or",
    "almaty:*",
]


def search(client, **params):
    response = client.get(reverse("search"), params)
    assert response.status_code == 200
    return response


def result_titles(response) -> list[str]:
    return [article.title for article in response.context["page_obj"]]


def suggestion_link(response) -> str | None:
    """Return the address the page's "Did you mean" links to, as a browser would read it."""
    found = re.search(r'Did you mean <a href="([^"]*)">', response.content.decode())
    return html.unescape(found.group(1)) if found else None


@pytest.mark.django_db
class TestFindingStories:
    def test_title_match_beats_body_match(self, client, make_article):
        # The body match is newer, so only ranking can put the title match first.
        make_article(title="Harvest report", body="<p>Pipeline talks resumed in Baku.</p>")
        make_article(
            title="Pipeline politics",
            body="<p>About gas.</p>",
            publish_at=timezone.now() - timedelta(days=30),
        )
        response = search(client, q="pipeline")
        assert result_titles(response) == ["Pipeline politics", "Harvest report"]

    def test_teaser_match_beats_body_match(self, client, make_article):
        make_article(title="One", teaser="Nothing here.", body="<p>Caspian shipping grows.</p>")
        make_article(
            title="Two",
            teaser="Caspian shipping in numbers.",
            publish_at=timezone.now() - timedelta(days=30),
        )
        response = search(client, q="caspian")
        assert result_titles(response)[0] == "Two"

    def test_every_word_must_match(self, client, make_article):
        make_article(title="Armenia and Azerbaijan meet in Almaty")
        make_article(title="Armenia votes")
        assert result_titles(search(client, q="armenia almaty")) == [
            "Armenia and Azerbaijan meet in Almaty"
        ]

    def test_drafts_review_and_scheduled_stories_are_never_found(self, client, make_article):
        make_article(title="Secret draft about tariffs", status=Article.Status.DRAFT)
        make_article(title="Tariffs under review", status=Article.Status.REVIEW)
        make_article(title="Tariffs tomorrow", publish_at=timezone.now() + timedelta(hours=2))
        make_article(title="Tariffs today")
        response = search(client, q="tariffs")
        assert result_titles(response) == ["Tariffs today"]
        assert b"Secret draft" not in response.content

    def test_results_come_twenty_per_page(self, client, make_article):
        for _ in range(23):
            make_article(teaser="A story on drought.")
        first = search(client, q="drought")
        assert len(first.context["page_obj"]) == 20
        assert first.context["paginator"].count == 23
        assert b'rel="next"' in first.content
        second = search(client, q="drought", page=2)
        assert len(second.context["page_obj"]) == 3

    def test_page_links_keep_the_query_and_filters(self, client, make_article, region):
        for _ in range(21):
            make_article(teaser="Floods again.")
        response = search(client, q="floods", region=region.slug)
        next_link = re.search(rb'rel="next" href="([^"]+)"', response.content).group(1)
        assert b"q=floods" in next_link
        assert b"region=" + region.slug.encode() in next_link
        assert b"page=2" in next_link


@pytest.mark.django_db
class TestFilters:
    def test_filter_by_region(self, client, make_article, region):
        caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus")
        make_article(title="Elections in Tbilisi", region=caucasus)
        make_article(title="Elections in Astana", region=region)
        response = search(client, q="elections", region="south-caucasus")
        assert result_titles(response) == ["Elections in Tbilisi"]
        assert b'<option value="south-caucasus" selected>' in response.content

    def test_filter_by_rubric(self, client, make_article, rubric):
        interview = Rubric.objects.create(name="Interview", slug="interview")
        make_article(title="Water talks: an interview", rubric=interview)
        make_article(title="Water talks: the analysis", rubric=rubric)
        response = search(client, q="water", rubric="interview")
        assert result_titles(response) == ["Water talks: an interview"]

    def test_unknown_filter_is_ignored(self, client, make_article):
        make_article(title="Grain corridor")
        response = search(client, q="grain", region="atlantis", rubric="<b>")
        assert result_titles(response) == ["Grain corridor"]


@pytest.mark.django_db
class TestHighlighting:
    def test_matches_are_marked(self, client, make_article):
        make_article(title="Ports", teaser="The railway to the port opens in May.")
        response = search(client, q="railway")
        assert b"<mark>railway</mark>" in response.content.lower()

    def test_stored_text_cannot_inject_markup(self, client, make_article):
        make_article(
            title="Escaping",
            teaser="Ferries <script>alert(1)</script> & more",
            body="<p>Ferries &lt;img src=x onerror=alert(2)&gt; and <b>bold</b> ferries.</p>",
        )
        response = search(client, q="ferries")
        html = response.content.decode()
        assert "<script>alert(1)" not in html
        assert "<img src=x" not in html
        assert "<b>bold</b>" not in html
        snippet = re.search(r'search-result__snippet">(.*?)</p>', html, re.S).group(1)
        assert "&lt;script&gt;" in snippet
        assert re.sub(r"</?mark>", "", snippet).count("<") == 0

    def test_snippet_html_only_keeps_our_marks(self):
        raw = "a \ue000<b>b</b>\ue001 c \ue000 stray"
        assert snippet_html(raw) == "a <mark>&lt;b&gt;b&lt;/b&gt;</mark> c  stray"


@pytest.mark.django_db
class TestAwkwardQueries:
    def test_empty_query_shows_a_friendly_page(self, client, published_article):
        for params in ({}, {"q": ""}, {"q": "   "}):
            response = search(client, **params)
            assert b"Type a few words above" in response.content
            assert b'class="search-result' not in response.content

    @pytest.mark.parametrize("query", HOSTILE_QUERIES)
    def test_hostile_query_is_harmless(self, client, published_article, query):
        response = search(client, q=query)
        html = response.content.decode()
        assert "<script>alert" not in html
        assert "<img src=x" not in html
        assert "SECRET_KEY" not in html or "{{ settings.SECRET_KEY }}" in html
        assert Article.objects.filter(pk=published_article.pk).exists()

    def test_hostile_query_is_shown_escaped(self, client, db):
        response = search(client, q="<b>bold</b>")
        assert b"&lt;b&gt;bold&lt;/b&gt;" in response.content
        assert b"<b>bold</b>" not in response.content

    def test_long_query_is_cut_to_200_characters(self, client, make_article):
        make_article(title="Steppe")
        response = search(client, q="steppe " + "x" * 500)
        assert response.context["query"] == "steppe"
        assert b"only its first 200 characters" in response.content
        assert len(clean_query("y" * 500)) == MAX_QUERY_LENGTH

    def test_long_query_is_cut_between_words(self):
        query = clean_query("grain corridor " * 30)
        assert len(query) <= MAX_QUERY_LENGTH
        assert query.endswith(("grain", "corridor"))

    def test_repeated_words_are_sought_once(self):
        assert tsquery_text("border crossings Border crossings border") == "border crossings"
        assert tsquery_text('"one by one" one') == '"one by one" one'

    def test_clean_query_removes_control_characters(self):
        assert clean_query("  a\x00b\tc\n\x07 ") == "a b c"


@pytest.mark.django_db
class TestSearchPageHeaders:
    def test_search_page_is_noindex_and_shared_like_any_page(self, client, published_article):
        response = search(client, q="almaty")
        assert b'<meta name="robots" content="noindex' in response.content
        assert response.headers["X-Robots-Tag"] == "noindex"
        # The same for every reader who asks the same: a cache may keep it.
        assert response.headers["Cache-Control"].startswith("public, ")
        assert search(client, q="almaty").content == response.content


@pytest.mark.django_db
class TestQueryCount:
    def test_search_runs_a_fixed_number_of_queries(self, make_article):
        make_article(title="Oil")
        params = QueryDict("q=oil")
        with CaptureQueriesContext(connection) as few:
            run_search(params)
        for _ in range(60):
            make_article(title="Oil and gas")
        with CaptureQueriesContext(connection) as many:
            context = run_search(params)
        # Regions, rubrics, then on PostgreSQL the estimate, the ranked ids and one page of
        # rows; elsewhere COUNT and one page of rows (rubric and region joined).
        expected = 5 if connection.vendor == "postgresql" else 4
        assert len(few) == len(many) == expected
        assert len(context["page_obj"]) == 20

    def test_search_page_query_count_does_not_grow(self, client, make_article, no_page_cache):
        make_article(title="Wheat")
        search(client, q="wheat")  # the navigation is kept for every page after the first
        with CaptureQueriesContext(connection) as few:
            search(client, q="wheat")
        for _ in range(60):
            make_article(title="Wheat prices")
        with CaptureQueriesContext(connection) as many:
            search(client, q="wheat")
        assert len(few) == len(many)


@pytest.mark.django_db
class TestLeavingWordsOut:
    """A reader who writes "gas -europe" never sees a story about gas in Europe."""

    @pytest.fixture
    def gas_stories(self, make_article):
        make_article(title="Caspian gas deal", body="<p>Europe signs up for more gas.</p>")
        make_article(title="Caspian gas prices", body="<p>Prices rise in Baku.</p>")

    @pytest.mark.parametrize("query", ["gas -europe", "gas - Europe", "caspian gas deal -europe"])
    def test_a_left_out_word_keeps_its_stories_out(self, client, gas_stories, query):
        assert "Caspian gas deal" not in result_titles(search(client, q=query))

    def test_a_left_out_word_keeps_its_stories_out_of_the_typo_fallback(self, client, gas_stories):
        response = search(client, q="caspain gas -europe")
        assert response.context["suggestion"] == "caspian gas -europe"
        assert result_titles(response) == ["Caspian gas prices"]

    def test_a_left_out_phrase_needs_all_its_words(self, client, gas_stories):
        titles = result_titles(search(client, q='caspian -"europe signs"'))
        assert titles == ["Caspian gas prices"]

    def test_queries_are_read_as_postgresql_reads_them(self):
        assert query_words('gas -europe "rail freight" -"gas pipeline"') == [
            "gas",
            "rail",
            "freight",
        ]
        assert left_out_words('gas -europe "rail freight" -"gas pipeline"') == [
            ["europe"],
            ["gas", "pipeline"],
        ]
        # A hyphen inside a word joins; one before a word, even after a space, leaves it out.
        assert query_words("well-known - armenia") == ["well-known"]
        assert left_out_words("well-known - armenia") == [["armenia"]]
        assert left_out_words("--europe") == []


@pytest.mark.django_db
class TestTypos:
    """A typo finds the story that uses the word, in its body too, with "Did you mean"."""

    @pytest.fixture
    def mountain_story(self, make_article):
        make_article(title="Quiet news", teaser="Nothing to see.", body="<p>Rain in the hills.</p>")
        return make_article(
            title="Mountain report",
            teaser="Notes from the high valleys.",
            body=(
                "<p>The <b>glacier</b> between Armenia and Georgia is shrinking; "
                "a container of ice cores went to the lab.</p>"
            ),
        )

    @pytest.mark.parametrize(
        ("typo", "suggestion"),
        [
            ("Armnia", "Armenia"),
            ("glacer", "glacier"),
            ("contianer", "container"),
            ("Gerogia", "Georgia"),
        ],
    )
    def test_a_typo_of_a_body_word_finds_the_story(self, client, mountain_story, typo, suggestion):
        response = search(client, q=typo)
        assert response.context["suggestion"] == suggestion
        assert result_titles(response) == ["Mountain report"]
        assert parse_qs(urlsplit(suggestion_link(response)).query) == {"q": [suggestion]}

    def test_the_suggestion_keeps_the_filters_and_is_escaped(self, client, mountain_story, region):
        response = search(client, q='Armnia -"<i>zz</i>"', region=region.slug, page="1")
        query = parse_qs(urlsplit(suggestion_link(response)).query)
        assert query == {"q": ['Armenia -"<i>zz</i>"'], "region": [region.slug]}
        assert "<i>zz" not in response.content.decode()
        assert "Armenia -&quot;&lt;i&gt;zz&lt;/i&gt;&quot;" in response.content.decode()

    def test_several_typos_are_respelt_at_once(self, client, mountain_story):
        response = search(client, q="GLACER armnia")
        assert response.context["suggestion"] == "GLACIER armenia"
        assert result_titles(response) == ["Mountain report"]

    def test_only_the_typos_are_respelt_and_the_rest_stays_as_typed(self):
        corrections = {"armnia": "armenia", "glacer": "glacier"}
        assert respell('Armnia -armnia "glacer melt" 2024', corrections) == (
            'Armenia -armnia "glacier melt" 2024'
        )

    def test_known_words_are_not_respelt(self, client, mountain_story):
        response = search(client, q="glacier rain")
        assert response.context["total"] == 0
        assert response.context["suggestion"] is None
        assert b"Did you mean" not in response.content

    def test_nothing_is_suggested_when_the_respelt_query_finds_nothing(
        self, client, mountain_story
    ):
        # "glacier" is known, but no story speaks of it without Armenia.
        response = search(client, q="glacer -armenia")
        assert response.context["suggestion"] is None
        assert result_titles(response) == []

    def test_a_word_only_unpublished_stories_use_is_never_suggested(self, client, make_article):
        make_article(title="Ferry plans", teaser="Boats.", body="<p>Harbours.</p>")
        make_article(title="Zanzibar ferry deal", status=Article.Status.DRAFT)
        make_article(teaser="A Zanzibar ferry.", status=Article.Status.REVIEW)
        make_article(
            body="<p>The Zanzibar ferry sails.</p>",
            publish_at=timezone.now() + timedelta(hours=2),
        )
        response = search(client, q="Zanzibr ferry")
        assert response.context["suggestion"] is None
        assert "zanzibar" not in response.content.decode().lower()

    def test_a_spelling_only_a_draft_uses_is_never_suggested(self, client, make_article):
        # Public stories share the draft word's stem, so a search alone would find them.
        make_article(title="Armenian wine", teaser="Harvest.")
        make_article(title="Draft", body="<p>Armenians vote.</p>", status=Article.Status.DRAFT)
        response = search(client, q="armenianss")
        assert response.context["suggestion"] == "armenian"
        assert not re.search(r"\barmenians\b", response.content.decode(), re.IGNORECASE)

    def test_a_typo_costs_a_bounded_number_of_queries(self, mountain_story, make_article):
        params = QueryDict("q=Armnia")
        run_search(params)  # SQLite builds its vocabulary once per change of the stories
        with CaptureQueriesContext(connection) as few:
            run_search(params)
        for number in range(30):
            make_article(body=f"<p>Armenian glaciers, report {number}.</p>")
        run_search(params)
        with CaptureQueriesContext(connection) as many:
            context = run_search(params)
        # Regions and rubrics, then on PostgreSQL: estimate and ranking, nearest words, their
        # check, the respelt query's estimate and ranking, the page. Elsewhere: COUNT, the
        # vocabulary's key, the respelt query's COUNT, the page.
        expected = 9 if connection.vendor == "postgresql" else 6
        assert len(few) == len(many) == expected
        assert context["suggestion"] == "Armenia"


@on_postgres
@pytest.mark.django_db
class TestPostgresSearch:
    def test_words_are_stemmed(self, client, make_article):
        make_article(title="Negotiators negotiate")
        assert result_titles(search(client, q="negotiation")) == ["Negotiators negotiate"]

    def test_phrase_and_exclusion_syntax(self, client, make_article):
        make_article(title="Gas pipeline opens")
        make_article(title="Pipeline for gas closes")
        assert result_titles(search(client, q='"gas pipeline"')) == ["Gas pipeline opens"]
        assert result_titles(search(client, q="pipeline -closes")) == ["Gas pipeline opens"]

    def test_typo_in_a_title_word_finds_the_story_with_a_suggestion(
        self, client, published_article
    ):
        response = search(client, q="almatty")
        assert result_titles(response) == ["The Almaty talks"]
        assert response.context["suggestion"] == "almaty"
        assert b"Did you mean" in response.content

    def test_body_highlight_comes_from_text_not_tags(self, client, make_article):
        make_article(
            title="Rail",
            teaser="Rail news.",
            body='<p>The <a href="https://example.org/x">Middle Corridor</a> carries freight.</p>',
        )
        response = search(client, q="freight")
        snippet = response.context["page_obj"][0].snippet
        assert "<mark>freight</mark>" in snippet
        assert "href" not in snippet
        assert "Middle Corridor" in snippet

    def test_bulk_created_and_updated_rows_are_searchable(
        self, client, region, rubric, no_page_cache
    ):
        # Written behind the app's back (no signal tells the page cache): the trigger's test.
        Article.objects.bulk_create(
            [
                Article(
                    title="Bulk loaded story",
                    slug="bulk-loaded",
                    teaser="Created by bulk_create.",
                    region=region,
                    rubric=rubric,
                    status=Article.Status.PUBLISHED,
                    publish_at=timezone.now() - timedelta(hours=1),
                )
            ]
        )
        assert result_titles(search(client, q="bulk")) == ["Bulk loaded story"]
        Article.objects.filter(slug="bulk-loaded").update(title="Renamed in one update")
        assert result_titles(search(client, q="renamed")) == ["Renamed in one update"]
        assert result_titles(search(client, q="bulk")) == ["Renamed in one update"]  # teaser

    def test_words_of_bulk_created_and_updated_stories_are_suggested(
        self, client, region, rubric, no_page_cache
    ):
        # The words table is kept by a trigger too, so writes behind the app's back count.
        Article.objects.bulk_create(
            [
                Article(
                    title="Silk road",
                    slug="silk-road",
                    teaser="Old cities.",
                    body="<p>Caravans reached Samarkand.</p>",
                    region=region,
                    rubric=rubric,
                    status=Article.Status.PUBLISHED,
                    publish_at=timezone.now() - timedelta(hours=1),
                )
            ]
        )
        assert search(client, q="Samarknd").context["suggestion"] == "Samarkand"
        Article.objects.filter(slug="silk-road").update(body="<p>Caravans reached Bukhara.</p>")
        response = search(client, q="Bukhra")
        assert response.context["suggestion"] == "Bukhara"
        assert result_titles(response) == ["Silk road"]

    def test_broad_query_ranks_the_newest_stories(self, client, make_article, monkeypatch):
        # As if "oil" were in thousands of stories: only the newest three are ranked.
        monkeypatch.setattr(search_module, "estimate_rows", lambda queryset: 10**6)
        monkeypatch.setattr(search_module, "NEWEST_WINDOW", 3)
        monkeypatch.setattr(search_module, "MIN_BROAD_RESULTS", 1)
        make_article(title="Newest", teaser="Oil prices.")
        make_article(title="Oil in the title", teaser="Prices.")
        make_article(title="Third", body="<p>Oil.</p>")
        make_article(title="Old oil story outside the window")
        response = search(client, q="oil")
        assert response.context["search_mode"] == "broad"
        assert result_titles(response) == ["Oil in the title", "Newest", "Third"]
        assert b"Many stories found" in response.content
        assert b"only the best of a part of them" in response.content

    def test_query_rare_among_the_newest_ranks_all_its_matches(
        self, client, make_article, monkeypatch
    ):
        # The planner expects many matches, but none is among the two newest stories.
        monkeypatch.setattr(search_module, "estimate_rows", lambda queryset: 10**6)
        monkeypatch.setattr(search_module, "NEWEST_WINDOW", 2)
        make_article(title="Newest")
        make_article(title="Second")
        make_article(title="An old story about saffron")
        response = search(client, q="saffron")
        assert response.context["search_mode"] == "ranked"
        assert result_titles(response) == ["An old story about saffron"]

    def test_more_matches_than_the_fence_make_a_broad_search(
        self, client, make_article, monkeypatch
    ):
        # Ranking "all" matches stops at the fence; reaching it makes the query broad.
        monkeypatch.setattr(search_module, "EXACT_FENCE", 2)
        make_article(title="First", body="<p>Saffron.</p>")
        make_article(title="Saffron harvest")
        make_article(title="Third", teaser="Saffron fields.")
        response = search(client, q="saffron")
        assert response.context["search_mode"] == "broad"
        assert len(result_titles(response)) == 2

    def test_stop_words_alone_find_nothing_without_error(self, client, published_article):
        response = search(client, q="the")
        assert response.context["total"] == 0


@on_sqlite
@pytest.mark.django_db
class TestSqliteSearch:
    def test_operators_are_not_words(self, client, published_article):
        response = search(client, q="& | ! : * ( )")
        assert response.context["total"] == 0

    def test_single_letters_and_tags_are_not_words(self, client, published_article):
        response = search(client, q="<b>x</b>")
        assert response.context["total"] == 0

    def test_words_match_inside_longer_words(self, client, make_article):
        make_article(title="Negotiators meet")
        assert result_titles(search(client, q="negotiator")) == ["Negotiators meet"]

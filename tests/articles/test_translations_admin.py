"""Translations at the desk: an editor sees each story's language and versions in the list,
translates a story into another language from its page, sees on a translation what changed in
its original since, and says when the translation has caught up."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from taggit.models import Tag

from articles import translations
from articles.models import Article, Region, Rubric, TagLanguage
from tests.helpers import change_url, form_data, logged_in

STORIES = reverse("admin:articles_article_changelist")


def translate_url(article) -> str:
    return reverse("admin:articles_article_translate", args=[article.pk])


def messages_of(response) -> list[str]:
    return [str(message) for message in response.context["messages"]]


@pytest.fixture
def russian(region, rubric):
    """The region and rubric of the test stories, in Russian too."""
    return (
        Region.objects.create(
            name="Постсоветское пространство",
            slug="postsovetskoe-prostranstvo",
            language="ru",
            translation_key=region.translation_key,
        ),
        Rubric.objects.create(
            name="Дорожный знак",
            slug="dorozhnyj-znak",
            language="ru",
            translation_key=rubric.translation_key,
        ),
    )


@pytest.fixture
def pair(published_article, russian, editor):
    """The Almaty talks, and their Russian translation (a draft, up to date)."""
    return published_article, translations.translate_story(published_article, "ru", by=editor)


def edit_source(source: Article, body: str) -> None:
    source.body = body
    source.save()


# -- The story list ---------------------------------------------------------------------------


def row_of(page: str, title: str) -> str:
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        if f">{title}<span" in row:
            return row
    raise AssertionError(f"no row for {title!r}")


def rows_by_language(page: str) -> dict[str, str]:
    rows = {}
    for row in re.findall(r"<tr>.*?</tr>", page, flags=re.S):
        found = re.search(r'<td class="field-language_code"><span lang="(\w+)"', row)
        if found:
            rows[found.group(1)] = row
    return rows


def test_the_list_shows_each_storys_language_and_its_versions_linked(editor_client, pair):
    source, russian_version = pair

    rows = rows_by_language(editor_client.get(STORIES).content.decode())

    assert '<span lang="en" title="English">EN</span>' in rows["en"]
    assert f'<a href="{change_url(russian_version)}" lang="ru" hreflang="ru"' in rows["en"]
    assert ">Русский</a>" in rows["en"]
    assert '<span lang="ru" title="Русский">RU</span>' in rows["ru"]
    assert f'<a href="{change_url(source)}" lang="en" hreflang="en"' in rows["ru"]
    assert ">English</a>" in rows["ru"]


def test_a_translation_whose_original_changed_is_out_of_date_in_the_list(editor_client, pair):
    source, russian_version = pair
    edit_source(source, "<p>The talks went on until dawn.</p><p>A new paragraph.</p>")

    page = editor_client.get(STORIES).content.decode()
    listed = editor_client.get(STORIES, {"translation": "out_of_date"})

    assert 'class="translation-out-of-date">Out of date</strong>' in page
    assert "Русский</a> (out of date)" in page
    assert [story.pk for story in listed.context["cl"].result_list] == [russian_version.pk]
    assert "Translations out of date" in listed.content.decode()


def test_an_up_to_date_translation_is_not_marked(editor_client, pair):
    page = editor_client.get(STORIES).content.decode()
    up_to_date = editor_client.get(STORIES, {"translation": "up_to_date"})

    assert "Out of date" not in page.replace("Translations out of date", "")
    assert [story.pk for story in up_to_date.context["cl"].result_list] == [pair[1].pk]


def test_the_list_filters_by_language(editor_client, pair, make_article):
    make_article(title="Another English story")

    russian_only = editor_client.get(STORIES, {"language__exact": "ru"})
    originals = editor_client.get(STORIES, {"translation": "original"})

    assert [story.pk for story in russian_only.context["cl"].result_list] == [pair[1].pk]
    assert pair[1].pk not in [story.pk for story in originals.context["cl"].result_list]


@pytest.mark.parametrize("value", ["xx", "<b>", "out_of_date'--"])
def test_odd_filter_values_never_break_the_list(editor_client, pair, value):
    assert editor_client.get(STORIES, {"translation": value}).status_code == 200
    assert editor_client.get(STORIES, {"language__exact": value}).status_code == 200


def test_the_list_costs_no_query_per_story_or_translation(
    editor_client, make_article, russian, editor, django_assert_num_queries
):
    def add(count):
        for _number in range(count):
            story = make_article()
            translated = translations.translate_story(story, "ru", by=editor)
            edit_source(story, story.body + "<p>More.</p>")
            assert translations.is_out_of_date(Article.objects.get(pk=translated.pk))

    add(2)
    editor_client.get(STORIES)
    with CaptureQueriesContext(connection) as few:
        editor_client.get(STORIES)
    add(10)

    with django_assert_num_queries(len(few)):
        page = editor_client.get(STORIES).content.decode()
    assert page.count("(out of date)") == 12


def test_an_author_sees_only_the_versions_they_may_open(
    client, author_user, make_article, russian, editor
):
    mine = make_article(title="My story", created_by=author_user)
    translations.translate_story(mine, "ru", by=editor)
    client.force_login(author_user)

    page = client.get(STORIES).content.decode()

    # The translation is the editor's: the author's list does not link it.
    assert "Русский</a>" not in row_of(page, "My story")


# -- "Translate into …" ---------------------------------------------------------------------


def test_a_saved_story_offers_a_button_per_language_without_a_version(
    editor_client, published_article, russian
):
    page = editor_client.get(change_url(published_article)).content.decode()

    assert f'action="{translate_url(published_article)}"' in page
    assert (
        '<button type="submit" name="language" value="ru">Translate into Русский</button>' in page
    )
    assert 'value="en">Translate into' not in page


def test_an_editor_translates_a_story_and_lands_on_the_new_draft(
    editor_client, published_article, russian
):
    published_article.tags.add("energy")

    response = editor_client.post(translate_url(published_article), {"language": "ru"}, follow=True)

    made = Article.objects.get(language="ru")
    assert response.redirect_chain[-1][0] == change_url(made)
    assert made.status == Article.Status.DRAFT
    assert made.translation_source == published_article
    assert (made.region, made.rubric) == russian
    text = " ".join(messages_of(response))
    assert "was made as a draft from the English original" in text
    assert "Left off, as they have no version in Русский yet: “energy”." in text
    page = response.content.decode()
    assert "Translated from" in page
    assert f'<a href="{change_url(published_article)}" lang="en">The Almaty talks</a>' in page
    # No more button for Russian on either version.
    source_page = editor_client.get(change_url(published_article)).content.decode()
    assert "Translate into Русский" not in source_page


def test_tags_with_a_russian_version_come_along(editor_client, published_article, russian):
    published_article.tags.add("energy", "Iran")
    energy = Tag.objects.get(name="energy")
    energiya = Tag.objects.create(name="энергетика", slug="energetika")
    TagLanguage.objects.create(
        tag=energiya, language="ru", translation_key=energy.language_info.translation_key
    )

    response = editor_client.post(translate_url(published_article), {"language": "ru"}, follow=True)

    made = Article.objects.get(language="ru")
    assert list(made.tags.names()) == ["энергетика"]
    assert "“Iran”" in " ".join(messages_of(response))


def test_without_a_russian_region_nothing_is_made_and_the_message_says_what_to_do(
    editor_client, published_article
):
    response = editor_client.post(translate_url(published_article), {"language": "ru"}, follow=True)

    assert response.redirect_chain[-1][0] == change_url(published_article)
    text = " ".join(messages_of(response))
    assert "No translation was made." in text
    assert "The region “Post-Soviet region” has no version in Русский yet: add it first" in text
    assert not Article.objects.filter(language="ru").exists()


def test_a_story_is_translated_into_a_language_once(editor_client, pair):
    source, _russian_version = pair

    response = editor_client.post(translate_url(source), {"language": "ru"}, follow=True)

    assert "It already has a translation in that language" in " ".join(messages_of(response))
    assert Article.objects.filter(language="ru").count() == 1


@pytest.mark.parametrize("language", ["", "en", "xx", "ru' OR 1=1"])
def test_an_odd_language_makes_nothing(editor_client, published_article, russian, language):
    response = editor_client.post(
        translate_url(published_article), {"language": language}, follow=True
    )

    assert response.status_code == 200
    assert "No translation was made" in " ".join(messages_of(response)) or (
        "Choose one of the site's languages" in " ".join(messages_of(response))
    )
    assert Article.objects.count() == 1


def test_translating_is_a_post_with_the_forms_token(editor, published_article, russian):
    client = logged_in(editor)
    assert client.get(translate_url(published_article)).status_code == 405
    client.handler.enforce_csrf_checks = True

    assert client.post(translate_url(published_article), {"language": "ru"}).status_code == 403
    assert Article.objects.count() == 1


def test_who_may_translate(client, author_user, moderator, make_article, russian):
    theirs = make_article(title="Not the author's")
    own = make_article(title="The author's own", created_by=author_user, status="draft")

    client.force_login(author_user)
    assert client.post(translate_url(theirs), {"language": "ru"}).status_code == 404
    assert client.post(translate_url(own), {"language": "ru"}).status_code == 302
    made = Article.objects.get(language="ru")
    # The author can go on with their translation.
    assert client.get(change_url(made)).status_code == 200
    client.force_login(moderator)
    assert client.post(translate_url(theirs), {"language": "ru"}).status_code in (403, 404)
    assert client.post(reverse("admin:articles_article_translate", args=["x"])).status_code == 404
    assert Article.objects.filter(language="ru").count() == 1


# -- A translation's page: its original, what changed, "up to date" ---------------------------


def test_an_out_of_date_translation_shows_what_changed_escaped(editor_client, pair, open_form):
    source, russian_version = pair
    edit_source(
        source,
        "<p>The body of story number 1.</p>"
        "<p>Talks &amp; deals: &lt;script&gt;alert(1)&lt;/script&gt; went on.</p>",
    )

    page = editor_client.get(change_url(russian_version)).content.decode()

    assert "The English original changed on" in page
    assert "since this translation was last brought up to date" in page
    assert "<ins>Talks &amp; deals: &lt;script&gt;alert(1)&lt;/script&gt; went on.</ins>" in page
    assert "<script>alert(1)" not in page
    assert "This translation is up to date with its original" in page


def test_the_diff_shows_kept_removed_and_added_paragraphs(editor_client, make_article, russian):
    source = make_article(body="<p>First.</p><p>Second.</p>")
    made = translations.translate_story(source, "ru", by=None)
    edit_source(source, "<p>First.</p><p>Third.</p>")

    page = editor_client.get(change_url(made)).content.decode()

    assert "<p>First.</p>" in page
    assert "<p><del>Second.</del></p>" in page
    assert "<p><ins>Third.</ins></p>" in page


def test_ticking_up_to_date_clears_the_warning(editor_client, pair, open_form):
    source, russian_version = pair
    edit_source(source, "<p>New text.</p>")
    data = open_form(editor_client, russian_version, mark_up_to_date="on")

    response = editor_client.post(change_url(russian_version), data)

    assert response.status_code == 302
    russian_version.refresh_from_db()
    assert not translations.is_out_of_date(russian_version)
    page = editor_client.get(change_url(russian_version)).content.decode()
    assert "original changed on" not in page
    assert "This translation is up to date with its original" not in page


def test_saving_without_the_tick_leaves_it_out_of_date(editor_client, pair, open_form):
    source, russian_version = pair
    edit_source(source, "<p>New text.</p>")

    editor_client.post(change_url(russian_version), open_form(editor_client, russian_version))

    russian_version.refresh_from_db()
    assert translations.is_out_of_date(russian_version)


# -- The story's language, region and rubric --------------------------------------------------


def test_a_region_of_another_language_is_refused_and_what_was_typed_stays(
    editor_client, pair, open_form, region
):
    _source, russian_version = pair
    data = open_form(editor_client, russian_version, title="Переговоры в Алматы", region=region.pk)

    response = editor_client.post(change_url(russian_version), data)

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["region"]
    assert errors == [
        "“Post-Soviet region” is a region in English, and this story is in Русский: choose its "
        "version “Постсоветское пространство”."
    ]
    assert 'value="Переговоры в Алматы"' in response.content.decode()


def test_a_story_with_translations_keeps_its_language(editor_client, pair, open_form, russian):
    source, _russian_version = pair
    data = open_form(editor_client, source, language="ru", region=russian[0].pk)
    data["rubric"] = russian[1].pk

    response = editor_client.post(change_url(source), data)

    assert response.status_code == 200
    assert (
        "This story has translations, so its language stays English."
        in (response.context["adminform"].form.errors["language"][0])
    )
    source.refresh_from_db()
    assert source.language == "en"


def test_a_story_without_translations_may_change_language(
    editor_client, published_article, open_form, russian
):
    data = open_form(editor_client, published_article, language="ru", region=russian[0].pk)
    data["rubric"] = russian[1].pk

    assert editor_client.post(change_url(published_article), data).status_code == 302
    published_article.refresh_from_db()
    assert published_article.language == "ru"


def test_a_post_without_the_language_keeps_it(editor_client, published_article, open_form):
    data = open_form(editor_client, published_article, teaser="A new teaser.")
    data.pop("language", None)

    assert editor_client.post(change_url(published_article), data).status_code == 302
    published_article.refresh_from_db()
    assert published_article.language == "en"


def test_tags_typed_on_a_russian_story_become_russian_tags(editor_client, russian):
    data = form_data(
        language="ru",
        title="Переговоры в Алматы",
        slug="peregovory-v-almaty",
        region=russian[0].pk,
        rubric=russian[1].pk,
        tags="переговоры, Казахстан",
    )

    response = editor_client.post(reverse("admin:articles_article_add"), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    story = Article.objects.get(slug="peregovory-v-almaty")
    assert story.language == "ru"
    assert set(
        TagLanguage.objects.filter(tag__in=story.tags.all()).values_list("language", flat=True)
    ) == {"ru"}


def test_the_region_and_rubric_boxes_offer_the_storys_language(editor_client, russian, region):
    url = reverse("admin:autocomplete")
    params = {"app_label": "articles", "model_name": "article", "field_name": "region"}

    russian_rows = editor_client.get(url, {**params, "language": "ru"}).json()["results"]
    english_rows = editor_client.get(url, {**params, "language": "en"}).json()["results"]
    odd = editor_client.get(url, {**params, "language": "<x>"})

    assert [row["text"] for row in russian_rows] == ["Постсоветское пространство"]
    assert [row["text"] for row in english_rows] == ["Post-Soviet region"]
    assert odd.status_code == 200 and len(odd.json()["results"]) == 2


def test_the_story_form_sends_the_language_with_its_autocompletes(editor_client):
    page = editor_client.get(reverse("admin:articles_article_add")).content.decode()

    assert "js/admin/story-language.js" in page
    assert 'name="language"' in page

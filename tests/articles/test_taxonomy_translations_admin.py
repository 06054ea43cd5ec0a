"""Regions, rubrics and tags in several languages: an editor sees each one's language and
translations, adds the Russian version of a region from its page, and links a tag to its
translation; the server keeps one row per language in a group."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Region, Rubric, TagLanguage

REGIONS = reverse("admin:articles_region_changelist")
ADD_REGION = reverse("admin:articles_region_add")
ADD_RUBRIC = reverse("admin:articles_rubric_add")
TAGS = reverse("admin:taggit_tag_changelist")


def region_url(region) -> str:
    return reverse("admin:articles_region_change", args=[region.pk])


def region_data(**fields) -> dict:
    data = {
        "name": "Кавказ",
        "slug": "kavkaz",
        "description": "",
        "position": "0",
        "language": "ru",
        "translation_of": "",
    }
    data.update(fields)
    return data


@pytest.fixture
def caucasus(db):
    return Region.objects.create(name="Caucasus", slug="caucasus", position=2)


def test_the_region_list_shows_languages_and_translations(editor_client, caucasus):
    kavkaz = Region.objects.create(
        name="Кавказ", slug="kavkaz", language="ru", translation_key=caucasus.translation_key
    )

    page = editor_client.get(REGIONS).content.decode()
    russian_only = editor_client.get(REGIONS, {"language__exact": "ru"})

    assert f'<a href="{region_url(kavkaz)}" lang="ru">Кавказ</a> (Русский)' in page
    assert f'<a href="{region_url(caucasus)}" lang="en">Caucasus</a> (English)' in page
    assert [row.pk for row in russian_only.context["cl"].result_list] == [kavkaz.pk]


def test_translate_into_opens_the_add_form_prefilled_and_saving_links_them(editor_client, caucasus):
    page = editor_client.get(region_url(caucasus)).content.decode()
    assert "Translate into Русский" in page
    link = page.split("Translate into Русский")[0].rsplit('href="', 1)[1].split('"')[0]
    form = editor_client.get(link.replace("&amp;", "&")).context["adminform"].form
    assert form.initial["language"] == "ru"
    assert str(form.initial["translation_of"]) == str(caucasus.pk)
    assert form.initial["name"] == "Caucasus"

    response = editor_client.post(ADD_REGION, region_data(translation_of=caucasus.pk))

    assert response.status_code == 302
    kavkaz = Region.objects.get(language="ru")
    assert kavkaz.translation_key == caucasus.translation_key
    assert "Translate into Русский" not in editor_client.get(region_url(caucasus)).content.decode()


def test_a_rubric_gets_its_translation_the_same_way(editor_client, rubric):
    response = editor_client.post(
        ADD_RUBRIC,
        {
            "name": "Дорожный знак",
            "slug": "dorozhnyj-znak",
            "description": "",
            "language": "ru",
            "translation_of": rubric.pk,
        },
    )

    assert response.status_code == 302
    assert Rubric.objects.get(language="ru").translation_key == rubric.translation_key


def test_a_translation_is_in_another_language(editor_client, caucasus):
    response = editor_client.post(
        ADD_REGION,
        region_data(name="Kaukasus", slug="kaukasus", language="en", translation_of=caucasus.pk),
    )

    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert "translation_of" in errors
    assert not Region.objects.filter(slug="kaukasus").exists()


def test_a_group_has_one_region_per_language(editor_client, caucasus):
    Region.objects.create(
        name="Кавказ", slug="kavkaz", language="ru", translation_key=caucasus.translation_key
    )

    response = editor_client.post(
        ADD_REGION, region_data(name="Закавказье", slug="zakavkaze", translation_of=caucasus.pk)
    )

    assert response.status_code == 200
    # Not offered, and refused when sent anyway.
    assert response.context["adminform"].form.errors["translation_of"]
    assert Region.objects.filter(language="ru").count() == 1


def test_a_region_stories_use_keeps_its_language(editor_client, published_article, region):
    response = editor_client.post(
        region_url(region),
        region_data(name=region.name, slug=region.slug, language="ru"),
    )

    assert response.status_code == 200
    assert (
        "Stories use this region, so its language stays English."
        in (response.context["adminform"].form.errors["language"][0])
    )
    region.refresh_from_db()
    assert region.language == "en"


@pytest.mark.parametrize("value", ["abc", "999999", "-1", "1" * 30])
def test_an_odd_translation_of_is_a_message_not_an_error(editor_client, caucasus, value):
    response = editor_client.post(ADD_REGION, region_data(translation_of=value))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["translation_of"]


# -- Tags ---------------------------------------------------------------------------------------


def tag_form_data(client, url: str, **fields) -> dict:
    """Return what a tag's add/change form posts, inline management form included."""
    response = client.get(url)
    data = {}
    for formset in response.context["inline_admin_formsets"]:
        management = formset.formset.management_form
        for name, field in management.fields.items():
            data[management.add_prefix(name)] = management[name].value() or field.initial or 0
    data.update(fields)
    return data


def test_the_tag_list_shows_each_tags_language(editor_client, make_article, russian_tag):
    make_article(tags=["energy"])

    page = editor_client.get(TAGS).content.decode()
    russian_only = editor_client.get(TAGS, {"language": "ru"})

    assert '<td class="field-tag_language">Русский</td>' in page
    assert '<td class="field-tag_language">English</td>' in page
    assert [tag.name for tag in russian_only.context["cl"].result_list] == ["энергетика"]


@pytest.fixture
def russian_tag(db):
    tag = Tag.objects.create(name="энергетика", slug="energetika")
    TagLanguage.objects.create(tag=tag, language="ru")
    return tag


def test_an_editor_links_a_tag_to_its_translation(editor_client, make_article, russian_tag):
    make_article(tags=["energy"])
    energy = Tag.objects.get(name="energy")
    url = reverse("admin:taggit_tag_change", args=[russian_tag.pk])
    data = tag_form_data(
        editor_client,
        url,
        name="энергетика",
        slug="energetika",
        language="ru",
        translation_of=energy.pk,
    )

    response = editor_client.post(url, data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert (
        TagLanguage.objects.get(tag=russian_tag).translation_key
        == TagLanguage.objects.get(tag=energy).translation_key
    )


def test_a_tag_group_has_one_tag_per_language(editor_client, make_article, russian_tag):
    make_article(tags=["energy"])
    energy = Tag.objects.get(name="energy")
    TagLanguage.objects.filter(tag=russian_tag).update(
        translation_key=energy.language_info.translation_key
    )
    other = Tag.objects.create(name="энергия", slug="energiya")
    TagLanguage.objects.create(tag=other, language="ru")
    url = reverse("admin:taggit_tag_change", args=[other.pk])

    response = editor_client.post(
        url,
        tag_form_data(
            editor_client,
            url,
            name="энергия",
            slug="energiya",
            language="ru",
            translation_of=energy.pk,
        ),
    )

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["translation_of"]
    assert (
        TagLanguage.objects.get(tag=other).translation_key != energy.language_info.translation_key
    )


def test_a_new_tag_gets_the_language_chosen(editor_client):
    url = reverse("admin:taggit_tag_add")

    response = editor_client.post(
        url, tag_form_data(editor_client, url, name="выборы", slug="vybory", language="ru")
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert TagLanguage.objects.get(tag__name="выборы").language == "ru"

"""The newsletter in the reader's language: the sign-up page's language is the subscriber's,
and every email, link and digest story follows it."""

import pytest
from django.test import Client
from django.utils import translation

from articles.models import Article, Author, Region, Rubric
from newsletters import services, tokens
from newsletters.models import Subscriber
from pagecache.middleware import SharedPageCacheMiddleware
from tests.helpers import READER_IP, SITE

SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def caucasus(db) -> Region:
    return Region.objects.create(name="South Caucasus", slug="south-caucasus")


@pytest.fixture
def kavkaz(db, caucasus) -> Region:
    """The Russian row of the same region (a slug names one row per language)."""
    return Region.objects.create(
        name="Южный Кавказ",
        slug="yuzhnyj-kavkaz",
        language="ru",
        translation_key=caucasus.translation_key,
    )


@pytest.fixture
def analitika(db) -> Rubric:
    return Rubric.objects.create(name="Аналитика", slug="analitika", language="ru")


@pytest.fixture
def russian_story(make_article, kavkaz, analitika):
    """Return a function that publishes a Russian story in the Russian region and rubric."""

    def make(**fields) -> Article:
        return make_article(region=kavkaz, rubric=analitika, language="ru", **fields)

    return make


def path_of(url: str) -> str:
    assert url.startswith(SITE)
    return url[len(SITE) :]


def test_a_reader_signs_up_in_russian_and_gets_everything_in_russian_with_russian_stories_only(
    client, caucasus, kavkaz, russian_story, make_article, start_daily, smtp_server, after_commit
):
    # The Russian sign-up page offers the Russian regions, not the English ones.
    page = client.get("/ru/newsletter/")
    html = page.content.decode()
    assert page["Content-Language"] == "ru"
    assert "Южный Кавказ" in html and "South Caucasus" not in html
    assert 'action="/ru/newsletter/"' in html

    with after_commit():
        signed_up = client.post(
            "/ru/newsletter/",
            {"email": "nare@example.org", "region": "yuzhnyj-kavkaz", "frequency": "daily"},
            REMOTE_ADDR=READER_IP,
        )
    assert signed_up["Location"] == "/ru/newsletter/sent/"
    subscriber = Subscriber.objects.get()
    assert subscriber.language == "ru"
    assert list(subscriber.regions.all()) == [kavkaz]

    # The confirmation is Russian, and its links lead to the Russian pages.
    [confirmation] = smtp_server.messages
    assert confirmation.message["Subject"].strip() == "Пожалуйста, подтвердите подписку на Newsroom"
    assert "Никогда больше ничего не присылать на этот адрес" in confirmation.text
    confirm_link = confirmation.link_to("/newsletter/confirm/")
    assert confirm_link.startswith(f"{SITE}/ru/newsletter/confirm/")
    assert (
        confirmation.message["List-Unsubscribe"]
        .strip()
        .startswith(f"<{SITE}/ru/newsletter/unsubscribe/")
    )
    assert f"{SITE}/ru/" in confirmation.text  # the site's Russian front page

    asked = client.get(path_of(confirm_link))
    assert asked["Content-Language"] == "ru"
    assert "Да, подписаться" in asked.content.decode()
    assert "Южный Кавказ" in asked.content.decode()
    client.post(path_of(confirm_link))
    subscriber.refresh_from_db()
    assert subscriber.status == "confirmed"

    # The next digest: the Russian stories of the chosen region, in Russian.
    russian_story(title="Переговоры в Баку", slug="peregovory-v-baku")
    make_article(title="Talks in Baku", slug="talks-in-baku", region=caucasus)
    with after_commit():
        start_daily()

    [digest] = smtp_server.messages[1:]
    assert digest.to == "nare@example.org"
    assert digest.message["Subject"].strip().startswith("Newsroom: ежедневный дайджест, ")
    assert "Ваш ежедневный дайджест" in digest.text
    assert "Переговоры в Баку" in digest.text and "Talks in Baku" not in digest.text
    assert f"{SITE}/ru/articles/peregovory-v-baku/" in digest.links()
    assert "Южный Кавказ" in digest.html
    assert '<html lang="ru">' in digest.html
    preferences = digest.link_to("/newsletter/preferences/")
    assert preferences.startswith(f"{SITE}/ru/newsletter/preferences/")
    unsubscribe = digest.message["List-Unsubscribe"].strip().strip("<>")
    assert unsubscribe.startswith(f"{SITE}/ru/newsletter/unsubscribe/")

    # The preferences page is Russian, with the Russian topics and theirs ticked.
    settings_page = client.get(path_of(preferences))
    assert settings_page["Content-Language"] == "ru"
    assert "Сохранить выбор" in settings_page.content.decode()
    assert settings_page.context["form"].fields["region"].queryset.get() == kavkaz

    # One click in the mail program still unsubscribes.
    mail_program = Client()
    done = mail_program.post(path_of(unsubscribe), {"List-Unsubscribe": "One-Click"})
    assert done.status_code == 200
    assert not Subscriber.objects.exists()


def test_an_english_subscribers_digest_has_no_russian_story(
    make_subscriber, make_article, russian_story, start_daily, smtp_server, run_tasks
):
    make_subscriber("omar@example.org")
    make_subscriber("nare@example.org", language="ru")
    make_article(title="Talks in Baku", slug="talks-in-baku")
    russian_story(title="Переговоры в Баку", slug="peregovory-v-baku")

    start_daily()
    run_tasks()

    mail = {message.to: message for message in smtp_server.messages}
    english, russian = mail["omar@example.org"], mail["nare@example.org"]
    assert "Talks in Baku" in english.text and "Переговоры" not in english.text
    assert english.message["Subject"].strip().startswith("Newsroom daily digest, ")
    assert english.link_to("/newsletter/preferences/").startswith(f"{SITE}/newsletter/")
    assert "Переговоры в Баку" in russian.text and "Talks in Baku" not in russian.text


def test_a_subscriber_with_nothing_in_their_language_gets_nothing(
    make_subscriber, russian_story, start_daily, smtp_server, run_tasks
):
    make_subscriber("omar@example.org")
    russian_story(title="Переговоры в Баку", slug="peregovory-v-baku")

    send = start_daily()
    run_tasks()

    assert smtp_server.messages == []
    send.refresh_from_db()
    assert (send.recipients, send.delivered, send.skipped) == (1, 0, 1)


def test_a_breaking_alert_for_a_russian_story_goes_to_russian_subscribers_only(
    editor, make_subscriber, russian_story, smtp_server, run_tasks
):
    make_subscriber("omar@example.org", breaking=True)
    make_subscriber("nare@example.org", breaking=True, language="ru")
    story = russian_story(title="Объявлено перемирие", slug="obyavleno-peremirie")

    send = services.alert_send(article=story, by=editor)
    run_tasks()

    assert send.recipients == 1
    [alert] = smtp_server.messages
    assert alert.to == "nare@example.org"
    assert alert.message["Subject"].strip() == "Срочно: Объявлено перемирие"
    assert f"{SITE}/ru/articles/obyavleno-peremirie/" in alert.links()


def test_the_footer_and_list_boxes_of_a_russian_page_sign_up_in_russian(
    client, caucasus, kavkaz, russian_story, smtp_server, after_commit
):
    russian_story()
    home = client.get("/ru/").content.decode()
    assert 'action="/ru/newsletter/subscribe/"' in home
    assert 'value="yuzhnyj-kavkaz"' in home and 'value="south-caucasus"' not in home
    region_page = client.get("/ru/regions/yuzhnyj-kavkaz/").content.decode()
    assert 'action="/ru/newsletter/subscribe/"' in region_page

    with after_commit():
        client.post(
            "/ru/newsletter/subscribe/",
            {"email": "nare@example.org", "region": "yuzhnyj-kavkaz"},
            REMOTE_ADDR=READER_IP,
            **SAME_ORIGIN,
        )

    subscriber = Subscriber.objects.get()
    assert (subscriber.language, list(subscriber.regions.all())) == ("ru", [kavkaz])
    [confirmation] = smtp_server.messages
    assert confirmation.link_to("/newsletter/confirm/").startswith(f"{SITE}/ru/newsletter/")


def test_an_english_form_does_not_take_a_russian_region(client, kavkaz):
    response = client.post(
        "/newsletter/",
        {"email": "omar@example.org", "region": "yuzhnyj-kavkaz", "frequency": "daily"},
        REMOTE_ADDR=READER_IP,
    )

    assert response.status_code == 400
    assert not Subscriber.objects.exists()


def test_a_link_opened_under_another_languages_prefix_leads_to_the_subscribers_own(
    client, make_subscriber
):
    subscriber = make_subscriber("nare@example.org", language="ru")
    token = tokens.make(tokens.PREFERENCES, subscriber.pk)

    response = client.get(f"/newsletter/preferences/{token}/")

    assert response.status_code == 302
    assert response["Location"] == f"/ru/newsletter/preferences/{token}/"
    assert "no-store" in response["Cache-Control"]


def test_a_worker_renders_each_email_in_its_subscribers_language_whatever_is_active(
    make_subscriber, make_article, russian_story, start_daily, smtp_server, run_tasks
):
    make_subscriber("omar@example.org")
    make_subscriber("nare@example.org", language="ru")
    make_article(title="Talks in Baku", slug="talks-in-baku")
    russian_story(title="Переговоры в Баку", slug="peregovory-v-baku")
    start_daily()

    with translation.override("ru"):
        run_tasks()
    mail = {message.to: message for message in smtp_server.messages}

    assert "Your daily digest" in mail["omar@example.org"].text
    assert f"{SITE}/newsletter/unsubscribe/" in mail["omar@example.org"].text
    assert "Ваш ежедневный дайджест" in mail["nare@example.org"].text


@pytest.mark.parametrize("path", ["/ru/newsletter/", "/ru/newsletter/sent/", "/ru/your-data/"])
def test_private_pages_under_a_language_prefix_are_never_looked_up_in_the_page_cache(rf, path):
    assert not SharedPageCacheMiddleware.may_be_shared(rf.get(path))
    assert SharedPageCacheMiddleware.may_be_shared(rf.get("/ru/"))


def test_a_subscriber_moves_their_newsletter_to_english_keeping_what_has_a_version(
    client, make_subscriber, caucasus, kavkaz, analitika
):
    lena = Author.objects.create(name="Lena K.", slug="lena")
    subscriber = make_subscriber(
        "anna@example.org", language="ru", regions=[kavkaz], rubrics=[analitika], authors=[lena]
    )
    link = path_of(tokens.url(tokens.PREFERENCES, subscriber.pk, language="ru"))
    page = client.get(link).content.decode()
    assert 'lang="en"' in page and "English" in page and "Сменить язык" in page

    moved = client.post(link, {"language": "en", "change_language": "1"})

    assert moved.status_code == 302
    assert moved["Location"].startswith(link.removeprefix("/ru") + "?changed=")
    subscriber.refresh_from_db()
    assert subscriber.language == "en" and not subscriber.everything
    assert list(subscriber.regions.all()) == [caucasus]  # Южный Кавказ's English version
    assert list(subscriber.rubrics.all()) == []  # Аналитика has none
    assert list(subscriber.authors.all()) == [lena]
    page = client.get(moved["Location"])
    html = page.content.decode()
    assert page["Content-Language"] == "en" and page["Cache-Control"].startswith("max-age=0")
    assert "Your emails are now in English" in html
    assert "no longer followed:\n          Аналитика." in html
    assert 'value="south-caucasus" id="id_region_0" checked' in html


def test_with_nothing_left_to_follow_the_subscriber_is_told_they_get_every_story(
    client, make_subscriber, analitika
):
    subscriber = make_subscriber("anna@example.org", language="ru", rubrics=[analitika])
    link = path_of(tokens.url(tokens.PREFERENCES, subscriber.pk, language="ru"))

    moved = client.post(link, {"language": "en", "change_language": "1"})

    subscriber.refresh_from_db()
    assert subscriber.everything and list(subscriber.rubrics.all()) == []
    assert "You now get every story" in client.get(moved["Location"]).content.decode()


def test_a_language_the_site_does_not_offer_is_refused_and_nothing_changes(
    client, make_subscriber, kavkaz
):
    subscriber = make_subscriber("anna@example.org", language="ru", regions=[kavkaz])
    link = path_of(tokens.url(tokens.PREFERENCES, subscriber.pk, language="ru"))

    refused = client.post(link, {"language": "xx", "change_language": "1"})

    assert refused.status_code == 400
    assert "Выберите один из предложенных языков." in refused.content.decode()
    subscriber.refresh_from_db()
    assert subscriber.language == "ru" and list(subscriber.regions.all()) == [kavkaz]


def test_only_a_real_change_makes_the_page_say_the_language_changed(client, make_subscriber):
    subscriber = make_subscriber("anna@example.org")
    link = path_of(tokens.url(tokens.PREFERENCES, subscriber.pk))

    for forged in ("", "eyJhIjoiYiJ9:abc", "garbage"):
        html = client.get(f"{link}?changed={forged}").content.decode()
        assert "Your emails are now in" not in html

"""Reviews in the story's language: the form's page under the story's prefix, and the emails
to the reader in the story's language with links under it; moderators' in their admin language
(tests/i18n/test_staff_mail.py), the default one here."""

import re

import pytest
from django.utils import translation

from articles.models import Region, Rubric
from reviews import followup
from reviews.models import Review
from reviews.services import review_moderate
from tests.helpers import READER_IP, SITE, review_data

pytestmark = pytest.mark.django_db

READER = "nino@example.org"
RUSSIAN_CONFIRM = re.compile(rf"{re.escape(SITE)}(/ru/reviews/follow-up/confirm/[^/\s]+/)")


@pytest.fixture
def russian_story(make_article):
    region = Region.objects.create(name="Южный Кавказ", slug="yuzhnyj-kavkaz", language="ru")
    rubric = Rubric.objects.create(name="Аналитика", slug="analitika", language="ru")
    return make_article(
        title="Переговоры в Баку",
        slug="peregovory-v-baku",
        region=region,
        rubric=rubric,
        language="ru",
    )


def send_review(client, article, **fields):
    return client.post(
        f"/ru/articles/{article.slug}/review/",
        review_data(article, **fields),
        REMOTE_ADDR=READER_IP,
        HTTP_USER_AGENT="Mozilla/5.0 (test reader)",
    )


def test_a_review_on_a_russian_story_gets_russian_emails_with_russian_links(
    client, russian_story, moderator, mailoutbox, after_commit
):
    page = client.get("/ru/articles/peregovory-v-baku/review/")
    assert page.status_code == 200
    assert page["Content-Language"] == "ru"
    assert 'action="/ru/articles/peregovory-v-baku/review/"' in page.content.decode()

    with after_commit():
        sent = send_review(client, russian_story, notify="on")
    assert sent["Location"] == "/ru/articles/peregovory-v-baku/review/"
    review = Review.objects.get()

    # The reader's confirmation: Russian, its links under /ru/.
    [confirmation] = [mail for mail in mailoutbox if mail.to == [READER]]
    assert confirmation.subject == (
        "Пожалуйста, подтвердите: сообщать мне, когда мой отзыв опубликуют"
    )
    assert confirmation.body.startswith("Здравствуйте!")
    confirm = RUSSIAN_CONFIRM.search(confirmation.body).group(1)
    assert f"{SITE}/ru/reviews/{review.pk}/edit/" in confirmation.body
    assert confirmation.extra_headers["List-Unsubscribe"].startswith(
        f"<{SITE}/ru/reviews/follow-up/unsubscribe/"
    )
    # The moderators': the site's default language, whatever the story's.
    [to_moderators] = [mail for mail in mailoutbox if mail.to == [moderator.email]]
    assert to_moderators.subject == "New review to moderate: Переговоры в Баку"

    page = client.get(confirm)
    assert page["Content-Language"] == "ru"
    client.post(confirm)
    mailoutbox.clear()

    # Published: the reader hears it in Russian, with the review's place on the Russian page.
    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk=review.pk),
            status=Review.Status.APPROVED,
            by=moderator,
        )
    [published] = mailoutbox
    assert published.subject == "Ваш отзыв к «Переговоры в Баку» опубликован"
    assert "Спасибо, что написали его." in published.body
    assert f"{SITE}/ru/articles/peregovory-v-baku/#review-{review.pk}" in published.body


def test_a_reply_notice_is_in_the_storys_language_whoever_sends_it(
    russian_story, mailoutbox, settings
):
    settings.REVIEWS_REPLIES_SHOWN = 0  # the reply is on the review's pages of replies
    review = Review.objects.create(
        article=russian_story,
        name="Nino",
        email=READER,
        body="Хороший материал.",
        status=Review.Status.APPROVED,
        replies_follow_up=Review.RepliesFollowUp.CONFIRMED,
    )
    reply = Review.objects.create(
        article=russian_story,
        parent=review,
        name="Omar",
        email="omar@example.org",
        body="Согласен.",
        status=Review.Status.APPROVED,
    )

    # A worker speaks the default language until told otherwise.
    with translation.override("en"):
        assert followup.send_reply_notices([reply.pk]) == 1

    [notice] = mailoutbox
    assert notice.subject == "Ответ на ваш отзыв к «Переговоры в Баку»"
    assert (
        f"{SITE}/ru/articles/peregovory-v-baku/review/{review.pk}/replies/#review-{reply.pk}"
        in notice.body
    )


def test_a_review_page_under_the_wrong_prefix_leads_to_the_storys_own(
    client, russian_story, published_article
):
    english = published_article.slug

    assert client.get(f"/articles/{russian_story.slug}/review/").headers["Location"] == (
        f"/ru/articles/{russian_story.slug}/review/"
    )
    wrong = client.get(f"/ru/articles/{english}/review/?from=footer")
    assert wrong.status_code == 301
    assert wrong["Location"] == f"/articles/{english}/review/?from=footer"
    review = Review.objects.create(
        article=russian_story, name="Nino", email=READER, body="Текст.", status="approved"
    )
    replies = client.get(f"/articles/{russian_story.slug}/review/{review.pk}/replies/")
    assert replies.status_code == 301
    assert replies["Location"] == f"/ru/articles/{russian_story.slug}/review/{review.pk}/replies/"
    assert client.get(f"/reviews/{review.pk}/report/")["Location"] == (
        f"/ru/reviews/{review.pk}/report/"
    )


def test_a_review_posted_under_the_wrong_prefix_is_not_taken(client, russian_story):
    response = client.post(
        f"/articles/{russian_story.slug}/review/",
        review_data(russian_story),
        REMOTE_ADDR=READER_IP,
    )

    assert response.status_code == 404
    assert not Review.objects.exists()

"""The newsroom's email to its own people comes in the admin language each of them chose.

Editors hear of stories to review, moderators of reviews waiting, anyone of their password
reset: in Russian for a person who chose Russian for the admin, in the site's default
language for one who chose nothing (an email has no browser to ask) and for an address that
is nobody's account.
"""

import pytest
from django.test import Client
from django.urls import reverse

from accounts.models import AdminPreferences
from articles import services
from articles.models import Article
from reviews.models import Review
from reviews.moderators import send_digest_if_due

pytestmark = pytest.mark.django_db


def speaks_russian(user) -> None:
    AdminPreferences.objects.create(user=user, language="ru")


def test_each_editor_hears_of_a_story_to_review_in_their_admin_language(
    make_article, author_user, editor, second_editor, run_tasks, mailoutbox
):
    speaks_russian(second_editor)
    story = make_article(title="Water rights", status=Article.Status.DRAFT)

    services.article_send_to_review(article=story, by=author_user)
    run_tasks()

    subjects = {mail.to[0]: mail.subject for mail in mailoutbox}
    assert subjects == {
        editor.email: "To review: Water rights",
        second_editor.email: "На проверку: Water rights",
    }


def test_moderators_get_the_new_review_and_the_digest_in_their_admin_language(
    published_article, post_review, moderator, django_user_model, mailoutbox, after_commit, settings
):
    speaks_russian(moderator)
    settings.MODERATOR_EMAILS = []
    other = django_user_model.objects.create_user("mo", "mo@newsroom.example", is_staff=True)
    other.groups.add(*moderator.groups.all())

    with after_commit():
        post_review(published_article)

    by_address = {tuple(mail.to): mail.subject for mail in mailoutbox}
    assert by_address == {
        (moderator.email,): f"Новый отзыв на модерацию: {published_article.title}",
        (other.email,): f"New review to moderate: {published_article.title}",
    }
    mailoutbox.clear()
    Review.objects.update(notified_at=None)
    assert send_digest_if_due(force=True)
    by_address = {tuple(mail.to): mail.subject for mail in mailoutbox}
    assert by_address == {
        (moderator.email,): "Очередь отзывов: ждут 1",
        (other.email,): "Review queue: 1 waiting",
    }


def test_a_password_reset_comes_in_the_admin_language_chosen(author_user, run_tasks, mailoutbox):
    speaks_russian(author_user)

    Client().post(reverse("admin_password_reset"), {"email": author_user.email})
    run_tasks()

    (message,) = mailoutbox
    assert message.subject == "Новый пароль для Newsroom"

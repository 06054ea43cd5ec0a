"""The moderators' side: the queue in the admin, its buttons and actions, and who may use them."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from reviews.models import ModerationSettings, Review

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:reviews_review_changelist"


def moderate_url(review, status):
    return reverse("admin:reviews_review_moderate", args=(review.pk, status))


def bulk(client, action, reviews, **params):
    return client.post(
        reverse(CHANGELIST) + ("?" + "&".join(f"{k}={v}" for k, v in params.items())),
        {"action": action, "_selected_action": [review.pk for review in reviews]},
    )


def test_moderators_group_has_exactly_the_review_rights():
    codenames = set(
        Group.objects.get(name="Moderators").permissions.values_list("codename", flat=True)
    )

    assert {"view_review", "change_review", "delete_review", "moderate_review"} <= codenames
    assert not {name for name in codenames if name.endswith("_article")}


def test_authors_group_has_no_review_rights():
    permissions = Group.objects.get(name="Authors").permissions

    assert not permissions.filter(content_type__app_label="reviews").exists()


def test_editors_can_moderate_and_edit_the_rules(editor):
    assert editor.has_perm("reviews.moderate_review")
    assert editor.has_perm("reviews.change_moderationsettings")


def test_moderator_sees_the_queue_pending_first_then_oldest(client, moderator, make_review):
    now = timezone.now()
    approved_old = make_review(name="Approved old")
    pending_new = make_review(name="Pending new", status=Review.Status.PENDING)
    pending_old = make_review(name="Pending old", status=Review.Status.PENDING)
    Review.objects.filter(pk=approved_old.pk).update(created_at=now - timedelta(days=3))
    Review.objects.filter(pk=pending_new.pk).update(created_at=now - timedelta(hours=1))
    Review.objects.filter(pk=pending_old.pk).update(created_at=now - timedelta(days=1))
    client.force_login(moderator)

    response = client.get(reverse(CHANGELIST))

    assert response.status_code == 200
    rows = list(response.context["cl"].result_list)
    assert [review.name for review in rows] == ["Pending old", "Pending new", "Approved old"]


def test_queue_shows_reasons_email_and_one_click_buttons(client, moderator, make_review):
    review = make_review(
        status=Review.Status.PENDING,
        email="who@example.org",
        reasons=["2 links", "held word: casino"],
    )
    client.force_login(moderator)

    page = client.get(reverse(CHANGELIST)).content.decode()

    assert '<ul class="rule-reasons"><li>2 links</li><li>held word: casino</li></ul>' in page
    assert "who@example.org" in page
    assert f'formaction="{moderate_url(review, "approved")}"' in page
    assert f'formaction="{moderate_url(review, "spam")}"' in page


def test_queue_filters_by_status_story_region_and_searches(
    client, moderator, make_review, make_article
):
    other_story = make_article(title="Elsewhere")
    make_review(name="Waiting here", status=Review.Status.PENDING)
    make_review(name="Waiting there", status=Review.Status.PENDING, article=other_story)
    make_review(name="Already approved", body="unique marmalade words")
    client.force_login(moderator)

    def names(**params):
        response = client.get(reverse(CHANGELIST), params)
        assert response.status_code == 200
        return {review.name for review in response.context["cl"].result_list}

    assert names(status__exact="pending") == {"Waiting here", "Waiting there"}
    assert names(article=str(other_story.pk)) == {"Waiting there"}
    assert names(article__region__id__exact=str(other_story.region_id)) == {
        "Waiting here",
        "Waiting there",
        "Already approved",
    }
    assert names(q="marmalade") == {"Already approved"}


@pytest.mark.parametrize("value", ["²", "not-a-number", "-1"])
def test_queue_story_filter_shows_nothing_for_a_value_that_is_no_story_id(
    client, moderator, make_review, value
):
    make_review(status=Review.Status.PENDING)
    client.force_login(moderator)

    response = client.get(reverse(CHANGELIST), {"article": value})

    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == []


def test_row_button_approves_and_records_who_and_when(client, moderator, make_review):
    review = make_review(status=Review.Status.PENDING)
    client.force_login(moderator)

    response = client.post(moderate_url(review, "approved"))

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED
    assert review.moderated_by == moderator
    assert timezone.now() - review.moderated_at < timedelta(minutes=1)


def test_row_button_posts_the_changelist_forms_csrf_token(moderator, make_review):
    import re

    from django.test import Client

    review = make_review(status=Review.Status.PENDING)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(moderator)
    page = browser.get(reverse(CHANGELIST) + "?status__exact=pending").content.decode()
    form = page[
        page.index('<form id="changelist-form"') : page.index(
            "</form>", page.index('<form id="changelist-form"')
        )
    ]
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form).group(1)
    button = re.search(r'formaction="([^"]+/moderate/approved/)"', form).group(1)

    response = browser.post(
        button,
        {"csrfmiddlewaretoken": token, "action": "", "_selected_action": []},
        HTTP_REFERER="http://testserver" + reverse(CHANGELIST) + "?status__exact=pending",
    )

    assert response.status_code == 302
    assert response["Location"].endswith("?status__exact=pending")
    review.refresh_from_db()
    assert review.status == Review.Status.APPROVED


def test_row_button_refuses_get(client, moderator, make_review):
    review = make_review(status=Review.Status.PENDING)
    client.force_login(moderator)

    assert client.get(moderate_url(review, "approved")).status_code == 405
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_row_button_needs_a_csrf_token(moderator, make_review):
    from django.test import Client

    review = make_review(status=Review.Status.PENDING)
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(moderator)

    assert strict.post(moderate_url(review, "approved")).status_code == 403
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_bulk_approve_is_one_update_and_records_who_and_when(client, moderator, make_review):
    reviews = [make_review(status=Review.Status.PENDING) for _number in range(5)]
    client.force_login(moderator)

    with CaptureQueriesContext(connection) as queries:
        response = bulk(client, "approve", reviews)

    assert response.status_code == 302
    updates = [
        q["sql"] for q in queries if q["sql"].startswith("UPDATE") and "reviews_review" in q["sql"]
    ]
    assert len(updates) == 1
    assert Review.objects.filter(status="approved", moderated_by=moderator).count() == 5
    stamps = set(Review.objects.values_list("moderated_at", flat=True))
    assert len(stamps) == 1


@pytest.mark.parametrize(("action", "status"), [("reject", "rejected"), ("mark_spam", "spam")])
def test_bulk_reject_and_spam(client, moderator, make_review, action, status):
    reviews = [make_review(status=Review.Status.PENDING) for _number in range(2)]
    keep = make_review(status=Review.Status.PENDING)
    client.force_login(moderator)

    bulk(client, action, reviews)

    assert Review.objects.filter(status=status).count() == 2
    keep.refresh_from_db()
    assert keep.status == Review.Status.PENDING


def test_approved_review_appears_on_the_story(client, moderator, make_review, published_article):
    review = make_review(name="Now visible", status=Review.Status.PENDING)
    client.force_login(moderator)
    client.post(moderate_url(review, "approved"))
    client.logout()

    assert "Now visible" in client.get(published_article.get_absolute_url()).content.decode()


def test_author_cannot_open_the_queue_or_approve(client, author_user, make_review):
    review = make_review(status=Review.Status.PENDING)
    client.force_login(author_user)

    assert client.get(reverse(CHANGELIST)).status_code == 403
    assert client.post(moderate_url(review, "approved")).status_code == 403
    bulk(client, "approve", [review])
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_staff_without_moderate_permission_gets_no_actions_or_buttons(
    client, django_user_model, make_review
):
    from django.contrib.auth.models import Permission

    viewer = django_user_model.objects.create_user("viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_review"))
    review = make_review(status=Review.Status.PENDING)
    client.force_login(viewer)

    response = client.get(reverse(CHANGELIST))
    assert response.status_code == 200
    assert response.context["action_form"] is None  # no bulk action offered
    assert "formaction" not in response.content.decode()
    assert client.post(moderate_url(review, "approved")).status_code == 403
    review.refresh_from_db()
    assert review.status == Review.Status.PENDING


def test_moderator_cannot_edit_stories(client, moderator, published_article):
    client.force_login(moderator)

    change = reverse("admin:articles_article_change", args=(published_article.pk,))
    assert not moderator.has_perm("articles.change_article")
    assert client.get(reverse("admin:articles_article_changelist")).status_code == 403
    assert client.get(reverse("admin:articles_article_add")).status_code == 403
    # The story admin answers 403 or "not found" to those who may not open a story.
    assert client.get(change).status_code in (403, 404)
    assert client.post(change, {"title": "Hijacked"}).status_code in (403, 404)
    published_article.refresh_from_db()
    assert published_article.title != "Hijacked"


def test_admin_index_shows_the_queue_state(client, moderator, make_review):
    now = timezone.now()
    oldest = make_review(status=Review.Status.PENDING)
    make_review(status=Review.Status.PENDING)
    Review.objects.filter(pk=oldest.pk).update(created_at=now - timedelta(hours=5))
    make_review(status=Review.Status.APPROVED, moderated_at=now - timedelta(days=1))
    make_review(status=Review.Status.REJECTED, moderated_at=now - timedelta(days=2))
    make_review(status=Review.Status.REJECTED, moderated_at=now - timedelta(days=10))
    make_review(status=Review.Status.SPAM, moderated_at=now - timedelta(hours=1))
    client.force_login(moderator)

    page = client.get(reverse("admin:index")).content.decode()

    assert "Review queue" in page
    assert '<td class="queue-pending">2</td>' in page
    assert "5\xa0hours ago" in page
    assert "1 approved, 1 rejected, 1 spam" in page
    # Django's own index is still there.
    assert 'id="recent-actions-module"' in page


def test_admin_index_queue_state_is_one_query(rf, moderator, make_review):
    from django.template import Context, Template

    make_review(status=Review.Status.PENDING)
    request = rf.get("/admin/")
    request.user = moderator
    with CaptureQueriesContext(connection) as queries:
        Template("{% load reviews %}{% review_queue_summary %}").render(
            Context({"request": request})
        )

    assert len([q for q in queries if "reviews_review" in q["sql"]]) == 1


def test_admin_index_hides_the_queue_from_authors(client, author_user):
    client.force_login(author_user)

    assert "Review queue" not in client.get(reverse("admin:index")).content.decode()


def test_rules_are_one_row_edited_by_editors(client, editor):
    client.force_login(editor)

    response = client.get(reverse("admin:reviews_moderationsettings_changelist"))
    assert response.status_code == 302
    change_url = response["Location"]
    response = client.post(
        change_url,
        {
            "hold_words": "casino\nlottery",
            "block_words": "viagra",
            "link_threshold": 3,
            "trusted_auto_approve": "on",
            "close_after_days": 14,
            "report_threshold": 3,
        },
    )

    assert response.status_code == 302
    rules = ModerationSettings.load()
    assert rules.hold_word_list == ["casino", "lottery"]
    assert rules.trusted_auto_approve
    assert ModerationSettings.objects.count() == 1


def test_moderators_may_read_but_not_change_the_rules(client, moderator):
    client.force_login(moderator)
    change_url = reverse("admin:reviews_moderationsettings_change", args=(1,))

    assert client.get(change_url).status_code == 200
    client.post(
        change_url,
        {"hold_words": "", "block_words": "", "link_threshold": 9, "close_after_days": 1},
    )
    assert ModerationSettings.load().link_threshold == 2


def test_reply_is_stamped_with_who_and_when(client, moderator, make_review):
    review = make_review()
    client.force_login(moderator)

    response = client.post(
        reverse("admin:reviews_review_change", args=(review.pk,)),
        {"status": "approved", "reply": "Thank you, we fixed it."},
    )

    assert response.status_code == 302
    review.refresh_from_db()
    assert review.reply == "Thank you, we fixed it."
    assert review.reply_by == moderator
    assert review.reply_at is not None

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from reviews.models import Review
from reviews.services import review_moderate
from tests.helpers import SITE
from tests.webhooks.receiver import verify
from webhooks.models import Event, EventType


def make_review(article, number: int = 1, **fields) -> Review:
    fields.setdefault("status", Review.Status.PENDING)
    fields.setdefault("name", f"Reader {number}")
    fields.setdefault("email", f"reader{number}@example.org")
    return Review.objects.create(
        article=article,
        body="A careful piece about the border talks.",
        fingerprint="f" * 64,
        **fields,
    )


def approvals(receiver, endpoint) -> list[dict]:
    return [
        payload["data"]
        for payload in (verify(endpoint.secret, request) for request in receiver.requests)
        if payload["type"] == "review.approved"
    ]


def test_approving_one_review_with_its_row_button_tells_review_approved(
    make_endpoint, receiver, published_article, moderator, client, after_commit
):
    endpoint = make_endpoint(events=[EventType.REVIEW_APPROVED])
    review = make_review(published_article)
    client.force_login(moderator)

    with after_commit():
        client.post(reverse("admin:reviews_review_moderate", args=(review.pk, "approved")))

    review.refresh_from_db()
    (data,) = approvals(receiver, endpoint)
    assert data == {
        "id": review.pk,
        "story": {
            "id": published_article.pk,
            "slug": "the-almaty-talks",
            "url": f"{SITE}/articles/the-almaty-talks/",
        },
        "approved_at": review.moderated_at.isoformat().replace("+00:00", "Z"),
    }
    body = receiver.requests[0].body.decode()
    for private in ("reader1@example.org", "Reader 1", "f" * 64, moderator.username):
        assert private not in body


def test_approving_reviews_in_bulk_tells_each_once(
    make_endpoint, receiver, published_article, make_article, after_commit
):
    endpoint = make_endpoint(events=[EventType.REVIEW_APPROVED])
    other_story = make_article()
    reviews = [make_review(published_article, 1), make_review(published_article, 2)]
    reviews.append(make_review(other_story, 3))

    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk__in=[r.pk for r in reviews]),
            status=Review.Status.APPROVED,
            by=None,
        )

    assert sorted(data["id"] for data in approvals(receiver, endpoint)) == sorted(
        review.pk for review in reviews
    )


def test_the_bulk_action_in_the_admin_tells_every_review_approved(
    make_endpoint, receiver, published_article, moderator, client, after_commit
):
    endpoint = make_endpoint(events=[EventType.REVIEW_APPROVED])
    reviews = [make_review(published_article, number) for number in range(3)]
    client.force_login(moderator)

    with after_commit():
        client.post(
            reverse("admin:reviews_review_changelist"),
            {"action": "approve", "_selected_action": [review.pk for review in reviews]},
        )

    assert len(approvals(receiver, endpoint)) == 3


def test_approving_in_the_reviews_change_form_tells_review_approved_once(
    make_endpoint, receiver, published_article, moderator, client, after_commit
):
    endpoint = make_endpoint(events=[EventType.REVIEW_APPROVED])
    review = make_review(published_article)
    client.force_login(moderator)
    url = reverse("admin:reviews_review_change", args=[review.pk])
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data["status"] = Review.Status.APPROVED

    with after_commit():
        response = client.post(url, data)
    assert response.status_code == 302

    assert [data["id"] for data in approvals(receiver, endpoint)] == [review.pk]


def test_rejecting_a_review_tells_nothing(make_endpoint, receiver, published_article, after_commit):
    make_endpoint(events=[EventType.REVIEW_APPROVED])
    review = make_review(published_article)

    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk=review.pk), status=Review.Status.REJECTED, by=None
        )

    assert receiver.requests == []


def test_a_review_of_a_story_the_public_cannot_see_is_not_told(
    make_endpoint, receiver, make_article, after_commit
):
    make_endpoint(events=[EventType.REVIEW_APPROVED])
    scheduled = make_article(publish_at=timezone.now() + timedelta(days=1))
    review = make_review(scheduled)

    with after_commit():
        review_moderate(
            reviews=Review.objects.filter(pk=review.pk), status=Review.Status.APPROVED, by=None
        )

    assert receiver.requests == []
    assert not Event.objects.filter(type=EventType.REVIEW_APPROVED).exists()


def test_a_review_approved_by_the_rules_at_submission_is_told_once(
    make_endpoint, receiver, published_article, rules, post_review, after_commit
):
    endpoint = make_endpoint(events=[EventType.REVIEW_APPROVED])
    make_review(published_article, 9, status=Review.Status.APPROVED, email="nino@example.org")
    rules.trusted_auto_approve = True
    rules.save()

    with after_commit():
        response = post_review(published_article)
    assert response.status_code in (200, 302)

    newest = Review.objects.latest("pk")
    assert newest.status == Review.Status.APPROVED
    assert [data["id"] for data in approvals(receiver, endpoint)] == [newest.pk]

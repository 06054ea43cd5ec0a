"""Every deletion in the admin is on the record: who deleted what, one entry per object."""

import pytest
from django.urls import reverse
from taggit.models import Tag

from articles.models import Author, Redirect, Region, Rubric
from audit.models import AuditEntry
from editorial.services import preview_link_create
from reviews.models import Review
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db


def delete_url(obj) -> str:
    meta = obj._meta
    return reverse(f"admin:{meta.app_label}_{meta.model_name}_delete", args=[obj.pk])


@pytest.fixture
def review(published_article):
    return Review.objects.create(
        article=published_article, name="Nino", email="nino@example.org", body="Fine."
    )


def test_a_moderator_deleting_a_review_is_recorded(moderator, review, published_article):
    response = logged_in(moderator).post(delete_url(review), {"post": "yes"})

    assert response.status_code == 302
    assert not Review.objects.exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
    assert entry.actor == moderator
    assert entry.story_id == published_article.pk
    assert entry.object_repr == "Review by Nino on “The Almaty talks”"
    assert entry.details == {"model": "reviews.review", "id": review.pk}
    assert str(entry) == "mona deleted Review by Nino on “The Almaty talks”"


def test_deleting_reviews_in_bulk_records_each(moderator, published_article):
    reviews = [
        Review.objects.create(
            article=published_article, name=f"Reader {n}", email="r@example.org", body="Fine."
        )
        for n in range(3)
    ]
    response = logged_in(moderator).post(
        reverse("admin:reviews_review_changelist"),
        {"action": "delete_selected", "_selected_action": [r.pk for r in reviews], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Review.objects.exists()
    deleted = AuditEntry.objects.filter(action=AuditEntry.Action.DELETED)
    assert sorted(deleted.values_list("object_repr", flat=True)) == [
        f"Review by Reader {n} on “The Almaty talks”" for n in range(3)
    ]


@pytest.mark.parametrize("kind", ["region", "rubric", "author", "tag", "redirect", "preview"])
def test_each_kind_of_object_deleted_in_the_admin_is_recorded(superuser, draft_article, kind):
    make = {
        "region": lambda: Region.objects.create(name="Baltics", slug="baltics"),
        "rubric": lambda: Rubric.objects.create(name="Interview", slug="interview"),
        "author": lambda: Author.objects.create(name="Guest Writer", slug="guest-writer"),
        "tag": lambda: Tag.objects.create(name="pipelines", slug="pipelines"),
        "redirect": lambda: Redirect.objects.create(old_path="/old/", new_path="/"),
        "preview": lambda: preview_link_create(
            article=draft_article, by=superuser, hours=24, label="For the lawyer"
        )[0],
    }
    obj = make[kind]()

    response = logged_in(superuser).post(delete_url(obj), {"post": "yes"})

    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.DELETED)
    assert (entry.actor, entry.object_repr) == (superuser, str(obj))
    assert entry.details == {"model": obj._meta.label_lower, "id": obj.pk}

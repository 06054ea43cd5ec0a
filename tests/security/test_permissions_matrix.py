"""Who may open what, and who may change what: the whole matrix, through real requests.

Every admin page (list, add, change, delete, history) of every model the newsroom registers,
and every request that changes something (review submission, bulk actions, the moderation
row buttons, form saves, deletions, reverts) or shows unpublished work (preview), for six
people: an anonymous visitor, a logged-in reader without staff rights, an author, a
moderator, an editor and a superuser. Each cell is the answer the server must give;
``LOGIN`` is the admin's redirect to its login page. For requests that change something the
test also checks the database: a refused request changes nothing.
"""

import time
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import Group, User
from django.db import transaction
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from taggit.models import Tag

from articles.models import Article, Author, Redirect, Region, Rubric
from reviews.forms import sign_timestamp
from reviews.models import ModerationSettings, Review, ReviewerBlock
from tests.security.forms import form_data

ROLES = ("anonymous", "reader", "author", "moderator", "editor", "superuser")
LOGIN = "login"
# The admin's redirect from a list to the one object's change page.
EDIT = "to the change page"
BACK = "back"

# fmt: off
#  model               view              object           anonymous, reader, author, moderator,
#                                                         editor, superuser
ADMIN_PAGES = [
    ("articles.article", "changelist",     None,            (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.article", "add",            None,            (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.article", "change",         "own_story",     (LOGIN, LOGIN, 200, 404, 200, 200)),
    ("articles.article", "change",         "own_published", (LOGIN, LOGIN, 200, 404, 200, 200)),
    ("articles.article", "change",         "other_story",   (LOGIN, LOGIN, 404, 404, 200, 200)),
    ("articles.article", "delete",         "own_story",     (LOGIN, LOGIN, 403, 404, 200, 200)),
    ("articles.article", "delete",         "other_story",   (LOGIN, LOGIN, 404, 404, 200, 200)),
    # A story one may not see is not found on every page of it: no id is confirmed by a 403.
    ("articles.article", "history",        "own_story",     (LOGIN, LOGIN, 200, 404, 200, 200)),
    ("articles.article", "history",        "other_story",   (LOGIN, LOGIN, 404, 404, 200, 200)),
    ("articles.article", "simple_history", "own_version",   (LOGIN, LOGIN, 200, 404, 200, 200)),
    ("articles.region",  "changelist",     None,            (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.region",  "add",            None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.region",  "change",         "region",        (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.region",  "delete",         "region",        (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.region",  "history",        "region",        (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.rubric",  "changelist",     None,            (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.rubric",  "add",            None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.rubric",  "change",         "rubric",        (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.rubric",  "delete",         "rubric",        (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.author",  "changelist",     None,            (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.author",  "add",            None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.author",  "change",         "author",        (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("articles.author",  "delete",         "author",        (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.redirect", "changelist",    None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.redirect", "add",           None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.redirect", "change",        "redirect",      (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("articles.redirect", "delete",        "redirect",      (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("taggit.tag",       "changelist",     None,            (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("taggit.tag",       "add",            None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("taggit.tag",       "change",         "tag",           (LOGIN, LOGIN, 200, 403, 200, 200)),
    ("taggit.tag",       "delete",         "tag",           (LOGIN, LOGIN, 403, 403, 200, 200)),
    # Reviews come from readers only: nobody adds one in the admin.
    ("reviews.review",   "changelist",     None,            (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.review",   "add",            None,            (LOGIN, LOGIN, 403, 403, 403, 403)),
    ("reviews.review",   "change",         "review",        (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.review",   "delete",         "review",        (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.review",   "history",        "review",        (LOGIN, LOGIN, 403, 200, 200, 200)),
    # The moderators' tools on a review's page, and the blocks they make (never added here).
    ("reviews.review",   "redact",         "review",        (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.review",   "block",          "review",        (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.reviewerblock", "changelist", None,           (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.reviewerblock", "add",       None,            (LOGIN, LOGIN, 403, 403, 403, 403)),
    ("reviews.reviewerblock", "change",    "block",         (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.reviewerblock", "delete",    "block",         (LOGIN, LOGIN, 403, 403, 403, 403)),
    # The rules are one row: the list goes straight to it, and it is never added or deleted.
    ("reviews.moderationsettings", "changelist", None,      (LOGIN, LOGIN, 403, EDIT, EDIT, EDIT)),
    ("reviews.moderationsettings", "add",  None,            (LOGIN, LOGIN, 403, 403, 403, 403)),
    ("reviews.moderationsettings", "change", "rules",       (LOGIN, LOGIN, 403, 200, 200, 200)),
    ("reviews.moderationsettings", "delete", "rules",       (LOGIN, LOGIN, 403, 403, 403, 403)),
    # Editors see accounts (to link author profiles) but change none.
    ("auth.user",        "changelist",     None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("auth.user",        "add",            None,            (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("auth.user",        "change",         "someone",       (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("auth.user",        "password_change", "someone",      (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("auth.user",        "delete",         "someone",       (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("auth.group",       "changelist",     None,            (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("auth.group",       "add",            None,            (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("auth.group",       "change",         "group",         (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("auth.group",       "delete",         "group",         (LOGIN, LOGIN, 403, 403, 403, 200)),
    # Failed logins (django-axes): only superusers see them or lift a lockout.
    ("axes.accessattempt", "changelist",   None,            (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("axes.accessattempt", "change",       "attempt",       (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("axes.accessattempt", "delete",       "attempt",       (LOGIN, LOGIN, 403, 403, 403, 200)),
    # Editorial: the audit log is read by editors and written by the site alone (superusers
    # may correct it); preview links are made and revoked from a story's page and listed
    # here; "upcoming" is the editors' view of scheduled stories, deleted as stories only.
    ("audit.auditentry", "changelist", None,            (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("audit.auditentry", "add",      None,              (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("audit.auditentry", "change",   "audit_entry",     (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("audit.auditentry", "delete",   "audit_entry",     (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("editorial.previewlink", "changelist", None,           (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("editorial.previewlink", "add",     None,              (LOGIN, LOGIN, 403, 403, 403, 403)),
    ("editorial.previewlink", "change",  "preview_link",    (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("editorial.previewlink", "delete",  "preview_link",    (LOGIN, LOGIN, 403, 403, 403, 200)),
    ("editorial.upcomingstory", "changelist", None,         (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("editorial.upcomingstory", "add",   None,              (LOGIN, LOGIN, 403, 403, 403, 403)),
    ("editorial.upcomingstory", "change", "upcoming",       (LOGIN, LOGIN, 403, 403, 200, 200)),
    ("editorial.upcomingstory", "delete", "upcoming",       (LOGIN, LOGIN, 403, 403, 403, 403)),
    # Readers' data (look up, download, erase an address): moderators and superusers only.
    ("datarights.readerdata", "changelist", None,           (LOGIN, LOGIN, 403, 200, 403, 200)),
    ("admin",            "index",          None,            (LOGIN, LOGIN, 200, 200, 200, 200)),
]
# fmt: on


@pytest.fixture
def world(db, django_user_model, region, rubric, make_article):
    """Everything the matrix touches: people in their roles and one of each object."""
    people = {"anonymous": None}
    # No passwords (force_login below): hashing six of them per test would dominate the run.
    people["reader"] = django_user_model.objects.create_user("rita")
    for username, group in (("arthur", "Authors"), ("mona", "Moderators"), ("edna", "Editors")):
        user = django_user_model.objects.create_user(username, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        people[{"arthur": "author", "mona": "moderator", "edna": "editor"}[username]] = user
    people["superuser"] = django_user_model.objects.create_superuser("root", password=None)
    profile = Author.objects.create(name="Arthur Dent", slug="arthur-dent", user=people["author"])

    own_story = make_article(status=Article.Status.DRAFT, title="Own draft")
    own_story.authors.add(profile)
    own_published = make_article(title="Own published story")
    own_published.authors.add(profile)
    other_story = make_article(status=Article.Status.DRAFT, title="Someone else's draft")
    own_story.title = "Own draft, second version"
    own_story.save()
    spare_region = Region.objects.create(name="Europe", slug="europe")
    spare_rubric = Rubric.objects.create(name="Interview", slug="interview")
    objects = {
        "own_story": (own_story.pk,),
        "own_published": (own_published.pk,),
        "other_story": (other_story.pk,),
        "own_version": (own_story.pk, own_story.history.earliest().history_id),
        "region": (spare_region.pk,),
        "rubric": (spare_rubric.pk,),
        "author": (Author.objects.create(name="Guest", slug="guest").pk,),
        "redirect": (Redirect.objects.create(old_path="/old/", new_path="/").pk,),
        # On a public story: authors see only tags in public use or on their own stories.
        "tag": (Tag.objects.create(name="energy", slug="energy").pk,),
        "review": (
            Review.objects.create(
                article=own_published, name="A reader", email="r@example.org", body="Fine."
            ).pk,
        ),
        "rules": (ModerationSettings.load().pk,),
        "block": (
            ReviewerBlock.objects.create(
                email="troll@example.org", note="Abuse", expires_at=timezone.now() + timedelta(1)
            ).pk,
        ),
        "someone": (django_user_model.objects.create_user("someone").pk,),
        "group": (Group.objects.get(name="Authors").pk,),
        "attempt": (
            AccessAttempt.objects.create(
                username="edna", ip_address="198.51.100.1", failures_since_start=2
            ).pk,
        ),
    }
    # On a public story: authors see only the tags in public use or on their own stories.
    own_published.tags.add(Tag.objects.get(pk=objects["tag"][0]))
    from audit import log
    from editorial.services import preview_link_create

    scheduled = make_article(title="Scheduled", publish_at=timezone.now() + timedelta(days=1))
    shared = make_article(status=Article.Status.DRAFT, title="Shared with a lawyer")
    link, _token = preview_link_create(article=shared, by=people["editor"], hours=48)
    objects.update(
        audit_entry=(
            log.record(log.Action.PUBLISHED, actor=people["editor"], story=own_published).pk,
        ),
        preview_link=(link.pk,),
        upcoming=(scheduled.pk,),
    )
    objects.update(
        own_story_obj=own_story,
        own_published_obj=own_published,
        other_story_obj=other_story,
        review_obj=Review.objects.get(pk=objects["review"][0]),
        region_obj=spare_region,
    )
    return people, objects


def client_for(client, people, role):
    if people[role] is not None:
        client.force_login(people[role])
    return client


def answer(response, url: str) -> int | str:
    """Return the status, or what a redirect means (to the login, the change page, back)."""
    if response.status_code != 302:
        return response.status_code
    location = response["Location"]
    if location.startswith(reverse("admin:login")):
        assert "next=" in location
        return LOGIN
    if location.endswith("/change/"):
        return EDIT
    return BACK


def admin_page_url(model: str, view: str, key: str | None, objects: dict) -> str:
    name = "admin:index" if model == "admin" else f"admin:{model.replace('.', '_')}_{view}"
    return reverse(name, args=objects[key] if key else ())


@pytest.mark.parametrize("role", ROLES)
def test_every_admin_page_answers_each_role_as_the_matrix_says(client, world, role):
    people, objects = world
    client = client_for(client, people, role)
    column = ROLES.index(role)

    got, wanted = {}, {}
    for model, view, key, answers in ADMIN_PAGES:
        url = admin_page_url(model, view, key, objects)
        got[f"{model} {view} {key or ''}"] = answer(client.get(url), url)
        wanted[f"{model} {view} {key or ''}"] = answers[column]

    assert got == wanted


def test_the_matrix_covers_every_model_in_the_admin():
    from django.contrib import admin

    covered = {model for model, _view, _key, _answers in ADMIN_PAGES}
    registered = {
        model._meta.label_lower
        for model in admin.site._registry
        if model._meta.app_label
        in {
            *("articles", "reviews", "auth", "taggit", "axes", "editorial", "audit"),
            *("pagecache", "datarights"),
        }
        # django-axes' logs of successful and failed logins: off in our settings.
        and model._meta.model_name not in {"accesslog", "accessfailurelog"}
    }
    assert registered <= covered


# Requests that change something ------------------------------------------------------------

DONE = "done"  # accepted, and the change is in the database
REFUSED = "refused"  # answered (the form again with an error, or back to the list), nothing changed


def admin_url(name: str, *args) -> str:
    return reverse(f"admin:{name}", args=args)


def bulk(changelist: str, action: str, pk: int):
    def send(client, superuser_client):
        return client.post(
            admin_url(changelist), {"action": action, "_selected_action": [pk], "index": 0}
        )

    return send


def change_form(url_name: str, pk: int, form_id: str, changes: dict):
    """Send the change form of an object, read as the superuser sees it, with *changes*."""

    def send(client, superuser_client):
        url = admin_url(url_name, pk)
        page = superuser_client.get(url)
        return client.post(url, form_data(page.content.decode(), form_id, **changes))

    return send


def delete(url_name: str, pk: int):
    def send(client, superuser_client):
        return client.post(admin_url(url_name, pk), {"post": "yes"})

    return send


# fmt: off
#  request                                         anonymous, reader, author, moderator,
#                                                  editor, superuser
STATE_CHANGES = {
    "review: submit on a story":                     (DONE, DONE, DONE, DONE, DONE, DONE),
    "stories: publish selected (own draft)":         (LOGIN, LOGIN, REFUSED, 403, DONE, DONE),
    "stories: unpublish selected (own published)":   (LOGIN, LOGIN, REFUSED, 403, DONE, DONE),
    "stories: send to review selected (own draft)":  (LOGIN, LOGIN, DONE, 403, DONE, DONE),
    "stories: save own draft as published":          (LOGIN, LOGIN, REFUSED, 404, DONE, DONE),
    "stories: retitle own published story":          (LOGIN, LOGIN, 403, 404, DONE, DONE),
    "stories: retitle another's draft":              (LOGIN, LOGIN, 404, 404, DONE, DONE),
    "stories: delete another's draft":               (LOGIN, LOGIN, 404, 404, DONE, DONE),
    "reviews: approve (row button)":                 (LOGIN, LOGIN, 403, DONE, DONE, DONE),
    "reviews: reject selected (bulk)":               (LOGIN, LOGIN, 403, DONE, DONE, DONE),
    "reviews: mark selected as spam (bulk)":         (LOGIN, LOGIN, 403, DONE, DONE, DONE),
    "reviews: delete":                               (LOGIN, LOGIN, 403, DONE, DONE, DONE),
    "rules: change the hold words":                  (LOGIN, LOGIN, 403, 403, DONE, DONE),
    "regions: rename":                               (LOGIN, LOGIN, 403, 403, DONE, DONE),
    "regions: delete one without stories":           (LOGIN, LOGIN, 403, 403, DONE, DONE),
    "users: make someone a superuser":               (LOGIN, LOGIN, 403, 403, 403, DONE),
    "login attempts: delete (unlock)":               (LOGIN, LOGIN, 403, 403, 403, DONE),
}
# fmt: on


def state_changes(objects: dict) -> dict:
    """Return, for each request of STATE_CHANGES, how to send it and how to see its effect."""
    story = objects["own_story_obj"]
    published = objects["own_published_obj"]
    other = objects["other_story_obj"]
    review = objects["review_obj"]
    region = objects["region_obj"]
    someone = objects["someone"][0]
    body = "A state-changing review from the matrix."

    def status_of(model, pk):
        return model.objects.filter(pk=pk).values_list("status", flat=True).first()

    def submit_review(client, superuser_client):
        data = {
            "name": "Matrix reader",
            "email": "matrix@example.org",
            "body": body,
            "website": "",
            "timestamp": sign_timestamp(published.pk, at=time.time() - 60),
        }
        return client.post(reverse("reviews:form", args=(published.slug,)), data)

    def approve(client, superuser_client):
        return client.post(admin_url("reviews_review_moderate", review.pk, "approved"))

    stories = "articles_article_changelist"
    reviews = "reviews_review_changelist"
    return {
        "review: submit on a story": (
            submit_review,
            lambda: Review.objects.filter(body=body).exists(),
        ),
        "stories: publish selected (own draft)": (
            bulk(stories, "publish_selected", story.pk),
            lambda: status_of(Article, story.pk) == "published",
        ),
        "stories: unpublish selected (own published)": (
            bulk(stories, "unpublish_selected", published.pk),
            lambda: status_of(Article, published.pk) == "draft",
        ),
        "stories: send to review selected (own draft)": (
            bulk(stories, "send_to_review_selected", story.pk),
            lambda: status_of(Article, story.pk) == "review",
        ),
        "stories: save own draft as published": (
            change_form(
                "articles_article_change", story.pk, "article_form", {"status": "published"}
            ),
            lambda: status_of(Article, story.pk) == "published",
        ),
        "stories: retitle own published story": (
            change_form(
                "articles_article_change", published.pk, "article_form", {"title": "Rewritten"}
            ),
            lambda: Article.objects.filter(title="Rewritten").exists(),
        ),
        "stories: retitle another's draft": (
            change_form(
                "articles_article_change", other.pk, "article_form", {"title": "Taken over"}
            ),
            lambda: Article.objects.filter(title="Taken over").exists(),
        ),
        "stories: delete another's draft": (
            delete("articles_article_delete", other.pk),
            lambda: not Article.objects.filter(pk=other.pk).exists(),
        ),
        "reviews: approve (row button)": (
            approve,
            lambda: status_of(Review, review.pk) == "approved",
        ),
        "reviews: reject selected (bulk)": (
            bulk(reviews, "reject", review.pk),
            lambda: status_of(Review, review.pk) == "rejected",
        ),
        "reviews: mark selected as spam (bulk)": (
            bulk(reviews, "mark_spam", review.pk),
            lambda: status_of(Review, review.pk) == "spam",
        ),
        "reviews: delete": (
            delete("reviews_review_delete", review.pk),
            lambda: not Review.objects.filter(pk=review.pk).exists(),
        ),
        "rules: change the hold words": (
            change_form(
                "reviews_moderationsettings_change",
                objects["rules"][0],
                "moderationsettings_form",
                {"hold_words": "matrix"},
            ),
            lambda: ModerationSettings.load().hold_words == "matrix",
        ),
        "regions: rename": (
            change_form("articles_region_change", region.pk, "region_form", {"name": "Renamed"}),
            lambda: Region.objects.filter(name="Renamed").exists(),
        ),
        "regions: delete one without stories": (
            delete("articles_region_delete", region.pk),
            lambda: not Region.objects.filter(pk=region.pk).exists(),
        ),
        "users: make someone a superuser": (
            change_form(
                "auth_user_change",
                someone,
                "user_form",
                {"is_superuser": "on", "is_staff": "on"},
            ),
            lambda: User.objects.filter(pk=someone, is_superuser=True).exists(),
        ),
        "login attempts: delete (unlock)": (
            delete("axes_accessattempt_delete", objects["attempt"][0]),
            lambda: not AccessAttempt.objects.exists(),
        ),
    }


def outcome(response, changed: bool) -> int | str:
    if changed:
        assert response.status_code < 400, response.status_code
        return DONE
    if response.status_code == 302 and response["Location"].startswith(reverse("admin:login")):
        return LOGIN
    if response.status_code >= 400:
        return response.status_code
    return REFUSED


@pytest.mark.parametrize("label", STATE_CHANGES)
def test_every_state_changing_request_answers_each_role_as_the_matrix_says(
    client, world, label, settings
):
    settings.REVIEWS_RATE_LIMIT_COUNT = 0
    people, objects = world
    superuser_client = Client()
    superuser_client.force_login(people["superuser"])
    requests = state_changes(objects)
    assert set(requests) == set(STATE_CHANGES)
    send, changed = requests[label]
    answers = STATE_CHANGES[label]

    got = {}
    for role in ROLES:
        # Each role tries on a fresh copy of the world: a savepoint undone after each.
        with transaction.atomic():
            role_client = Client()
            if people[role] is not None:
                role_client.force_login(people[role])
            response = send(role_client, superuser_client)
            got[role] = outcome(response, changed())
            transaction.set_rollback(True)

    assert got == dict(zip(ROLES, answers, strict=True))


# fmt: off
# preview of                          object          anonymous, reader, author, moderator,
#                                                     editor, superuser
PREVIEWS = [
    ("own draft",                     "own_story",    (404, 404, 200, 404, 200, 200)),
    ("another author's draft",        "other_story",  (404, 404, 404, 404, 200, 200)),
]
# fmt: on


@pytest.mark.parametrize("role", ROLES)
def test_previews_of_unpublished_stories_show_only_to_those_who_may_edit_them(client, world, role):
    people, objects = world
    client = client_for(client, people, role)
    column = ROLES.index(role)

    got = {
        label: client.get(reverse("articles:preview", args=objects[key])).status_code
        for label, key, _answers in PREVIEWS
    }

    assert got == {label: answers[column] for label, _key, answers in PREVIEWS}

"""Partner keys: embargoes for the right key only; a refused key is refused, never the public."""

from datetime import datetime, timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.db.models import Q
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from api.keys import token_hash
from api.models import ApiKey
from api.services import api_keys_revoke
from articles.models import Author
from audit.models import AuditEntry
from tests.api.helpers import is_problem, local, slugs
from tests.helpers import staff

pytestmark = pytest.mark.django_db


def test_embargoed_stories_only_with_an_embargo_key(
    api_get, embargo_key, make_key, published_article, scheduled_article
):
    _key, plain_token = make_key()
    _key, embargo_token = embargo_key
    for token in (None, plain_token):
        assert slugs(api_get("stories/", token)) == [published_article.slug]
        assert api_get(f"stories/{scheduled_article.slug}/", token).status_code == 404
        assert api_get(f"stories/{scheduled_article.slug}/reviews/", token).status_code == 404

    listed = api_get("stories/", embargo_token).json()["items"]
    assert [item["slug"] for item in listed] == [scheduled_article.slug, published_article.slug]
    embargoed, public = listed
    embargo_ends = datetime.fromisoformat(embargoed["embargoed_until"])
    assert abs(embargo_ends - scheduled_article.publish_at) < timedelta(milliseconds=1)
    assert public["embargoed_until"] is None
    detail = api_get(f"stories/{scheduled_article.slug}/", embargo_token)
    assert detail.status_code == 200 and detail.json()["embargoed_until"] is not None
    assert api_get(f"stories/{scheduled_article.slug}/reviews/", embargo_token).status_code == 200


def test_an_embargoed_story_loses_its_mark_when_its_time_comes(
    api_get, embargo_key, scheduled_article, monkeypatch
):
    _key, token = embargo_key
    later = timezone.now() + timedelta(days=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    assert api_get(f"stories/{scheduled_article.slug}/", token).json()["embargoed_until"] is None
    assert api_get(f"stories/{scheduled_article.slug}/").status_code == 200


def test_a_revoked_key_is_refused_at_its_next_request(api_get, embargo_key, published_article):
    key, token = embargo_key
    assert api_get("stories/", token).status_code == 200
    api_keys_revoke(queryset=ApiKey.objects.filter(pk=key.pk), by=None)
    refused = api_get("stories/", token)
    assert is_problem(refused, 401)
    assert refused["WWW-Authenticate"].startswith("Bearer ")
    assert "revoked" in refused.json()["detail"]
    assert published_article.slug not in refused.content.decode()


def test_an_expired_key_is_refused(api_get, make_key, published_article):
    _key, token = make_key(expires_at=timezone.now() - timedelta(seconds=1))
    refused = api_get(f"stories/{published_article.slug}/", token)
    assert is_problem(refused, 401) and "expired" in refused.json()["detail"]


@pytest.mark.parametrize(
    "header",
    [
        "Bearer nr_abcdefgh_not-a-real-key",
        "Bearer {token}x",
        "Bearer {prefix_only}",
        "Bearer ",
        "Bearer",
        "Basic dXNlcjpwYXNz",
        "{token}",
        "Bearer nr_\x00\x00\x00\x00\x00\x00\x00\x00_x",
    ],
)
def test_a_bad_key_gets_401_never_the_public_view(client, make_key, published_article, header):
    _key, token = make_key()
    value = header.format(token=token, prefix_only=token[:12])
    for path in ("/api/v1/stories/", f"/api/v1/stories/{published_article.slug}/", "/api/v1/"):
        response = client.get(path, HTTP_AUTHORIZATION=value)
        assert is_problem(response, 401), (path, value)
        assert response["WWW-Authenticate"] == 'Bearer realm="api", error="invalid_token"'
        assert "private" in response["Cache-Control"]


@pytest.mark.parametrize("header", ["", "   ", "\t"])
def test_an_empty_authorization_header_reads_as_the_public_as_nginx_serves_it(
    client, published_article, header
):
    # nginx reads an empty header as none (deploy/nginx/newsroom.conf): its cached public copy
    # is what such a request gets there, so the app must answer it the same way.
    path = f"/api/v1/stories/{published_article.slug}/"
    public = client.get(path)
    for _attempt in ("miss", "hit"):
        response = client.get(path, HTTP_AUTHORIZATION=header)
        assert response.status_code == 200
        assert "public" in response["Cache-Control"]
        assert response.content == public.content
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path, HTTP_AUTHORIZATION=header).status_code == 200
    assert len(queries) == 0, "a shared page, served from the page cache"


def test_an_embargo_key_follows_the_tag_and_author_links_of_its_embargoed_story(
    api_get, embargo_key, make_key, scheduled_article
):
    _key, token = embargo_key
    _key, plain_token = make_key(name="No embargo")
    scheduled_article.tags.add("summit-only")
    scheduled_article.authors.add(Author.objects.create(name="Embargoed Writer", slug="ew"))
    story = api_get(f"stories/{scheduled_article.slug}/", token).json()
    links = story["tags"] + story["authors"]
    assert len(links) == 2
    for link in links:
        followed = api_get(local(link["api_url"]), token)
        assert followed.status_code == 200, link
        assert followed.json()["slug"] == link["slug"]
        assert slugs(api_get(local(followed.json()["stories_url"]), token)) == [
            scheduled_article.slug
        ]
        # Never to the public, nor to a key without the embargo scope.
        assert is_problem(api_get(local(link["api_url"])), 404), link
        assert is_problem(api_get(local(link["api_url"]), plain_token), 404), link


def test_every_use_is_counted_and_the_last_one_shown(api_get, make_key, published_article):
    key, token = make_key()
    assert key.use_count == 0 and key.last_used_at is None
    for _ in range(3):
        api_get("stories/", token)
    api_get(f"stories/{published_article.slug}/", token)
    key.refresh_from_db()
    assert key.use_count == 4
    assert timezone.now() - key.last_used_at < timedelta(seconds=5)


def test_only_a_hash_of_the_key_is_stored(make_key):
    key, token = make_key()
    stored = ApiKey.objects.filter(pk=key.pk).values().get()
    assert token not in str(stored)
    assert stored["key_hash"] == token_hash(token)
    assert token.startswith(f"nr_{stored['prefix']}_") and len(token) > 40
    assert key.masked == f"nr_{stored['prefix']}…"


def test_the_instance_and_the_queryset_agree_on_which_keys_are_active(make_key):
    now = timezone.now()
    keys = [
        make_key()[0],
        make_key(expires_at=now - timedelta(minutes=1))[0],
        make_key(revoked_at=now)[0],
    ]
    active = set(ApiKey.objects.active().values_list("pk", flat=True))
    assert {key.pk for key in keys if key.is_active()} == active == {keys[0].pk}


class TestAdmin:
    @pytest.fixture
    def editor_client(self, client, editor):
        client.force_login(editor)
        return client

    def test_editors_create_a_key_and_see_it_exactly_once(self, editor_client, editor):
        response = editor_client.post(
            reverse("admin:api_apikey_add"),
            {
                "name": "Caucasus Wire",
                "scopes": ["embargo"],
                "expires_at_0": (timezone.localdate() + timedelta(days=90)).isoformat(),
                "expires_at_1": "12:00:00",
            },
        )
        assert response.status_code == 200
        token = response.context["token"]
        assert token.startswith("nr_") and token in response.content.decode()
        assert "no-store" in response["Cache-Control"]
        key = ApiKey.objects.get()
        assert (key.name, key.scopes, key.created_by) == ("Caucasus Wire", ["embargo"], editor)
        assert key.key_hash == token_hash(token)
        change_page = editor_client.get(reverse("admin:api_apikey_change", args=[key.pk]))
        assert token not in change_page.content.decode()
        assert key.masked in change_page.content.decode()
        listing = editor_client.get(reverse("admin:api_apikey_changelist"))
        assert token not in listing.content.decode()
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.API_KEY_CREATED, actor=editor
        ).exists()

    def test_a_new_key_must_not_be_expired_already(self, editor_client):
        response = editor_client.post(
            reverse("admin:api_apikey_add"),
            {
                "name": "Too late",
                "expires_at_0": (timezone.localdate() - timedelta(days=1)).isoformat(),
                "expires_at_1": "12:00:00",
            },
        )
        assert response.status_code == 200
        assert response.context["adminform"].form.errors["expires_at"]
        assert not ApiKey.objects.exists()

    def test_editors_revoke_keys_with_the_action(self, editor_client, editor, make_key, api_get):
        key, token = make_key()
        editor_client.post(
            reverse("admin:api_apikey_changelist"),
            {"action": "revoke_selected", "_selected_action": [key.pk]},
        )
        key.refresh_from_db()
        assert key.revoked_at is not None and key.revoked_by == editor
        assert api_get("stories/", token).status_code == 401
        assert AuditEntry.objects.filter(
            action=AuditEntry.Action.API_KEY_REVOKED, actor=editor, object_repr=str(key)
        ).exists()

    def test_editors_revoke_a_key_on_its_page(self, editor_client, editor, make_key, api_get):
        key, token = make_key()
        url = reverse("admin:api_apikey_change", args=[key.pk])
        response = editor_client.post(
            url,
            {
                "name": key.name,
                "expires_at_0": timezone.localtime(key.expires_at).date().isoformat(),
                "expires_at_1": "12:00:00",
                "revoke": "on",
            },
        )
        assert response.status_code == 302, response.context["adminform"].form.errors
        key.refresh_from_db()
        assert key.revoked_at is not None
        assert api_get("stories/", token).status_code == 401
        # A revoked key is a record: its page shows it and offers nothing to change.
        page = editor_client.get(url).content.decode()
        assert 'name="revoke"' not in page and 'name="name"' not in page

    def test_authors_and_moderators_cannot_see_keys(self, client, django_user_model):
        for username, group in (("arthur", "Authors"), ("mona", "Moderators")):
            client.force_login(staff(django_user_model, username, group))
            assert client.get(reverse("admin:api_apikey_changelist")).status_code == 403

    def test_editors_hold_exactly_the_key_permissions_the_migration_gives(self):
        codenames = set(
            Group.objects.get(name="Editors")
            .permissions.filter(Q(content_type__app_label="api"))
            .values_list("codename", flat=True)
        )
        assert codenames == {"add_apikey", "change_apikey", "view_apikey"}

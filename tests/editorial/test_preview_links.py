"""Share a draft with an outsider: a secret link that expires, can be revoked, and logs openings."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from audit.models import AuditEntry
from editorial.models import PreviewLink, PreviewOpening
from tests.helpers import SITE, change_url

SHARE_URL = re.compile(r'value="(' + re.escape(SITE) + r'/share/([A-Za-z0-9_-]+)/)"')
OUTSIDER_IP = "198.51.100.23"


def share_url(article: Article) -> str:
    return reverse("admin:articles_article_share", args=[article.pk])


def create_link(client, article: Article, **data) -> tuple[str, str]:
    """Create a preview link in the admin; return its full address and its token."""
    response = client.post(share_url(article), {"hours": 48, "label": "", **data})
    assert response.status_code == 200
    match = SHARE_URL.search(response.content.decode())
    assert match, "the new link is shown as a full address"
    return match.group(1), match.group(2)


def open_link(client, token: str, **extra):
    return client.get(
        reverse("editorial:share", args=[token]),
        REMOTE_ADDR=OUTSIDER_IP,
        HTTP_USER_AGENT="Lawyer's browser",
        **extra,
    )


@pytest.fixture
def draft(make_article) -> Article:
    return make_article(
        title="What the minister knew",
        slug="what-the-minister-knew",
        status=Article.Status.DRAFT,
        body="<p>Documents seen by the newsroom.</p>",
    )


def test_editor_creates_a_link_shown_once_as_a_full_address(editor_client, draft):
    response = editor_client.post(share_url(draft), {"hours": 48, "label": "Our lawyer"})

    page = response.content.decode()
    url, token = SHARE_URL.search(page).groups()
    assert url == f"{SITE}/share/{token}/"
    assert len(token) >= 43
    assert "shown only once" in page
    assert "no-store" in response["Cache-Control"]
    link = PreviewLink.objects.get()
    assert link.label == "Our lawyer"
    assert link.created_by.username == "edna"
    # Only a hash is stored: the database alone opens nothing.
    assert link.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in str(PreviewLink.objects.values().get())
    # Default lifetime: 48 hours.
    assert abs(link.expires_at - (link.created_at + timedelta(hours=48))) < timedelta(seconds=1)


def test_change_page_offers_the_form_with_48_hours_preselected(editor_client, draft):
    page = editor_client.get(change_url(draft)).content.decode()
    assert 'id="preview-links"' in page
    assert '<option value="48" selected>2 days</option>' in page


def test_outsider_sees_the_draft_as_it_will_look_marked_as_preview(client, editor_client, draft):
    _url, token = create_link(editor_client, draft)
    client.logout()

    response = open_link(client, token)

    assert response.status_code == 200
    page = response.content.decode()
    assert "What the minister knew" in page
    assert "Documents seen by the newsroom." in page
    assert "Preview — not published" in page
    assert '<meta name="robots" content="noindex, nofollow">' in page
    assert "noindex" in response["X-Robots-Tag"]
    assert "private" in response["Cache-Control"]
    assert "no-store" in response["Cache-Control"]
    assert response["Referrer-Policy"] == "no-referrer"
    assert "Leave a review" not in page
    assert 'class="review-form"' not in page


def test_every_opening_is_logged_with_a_fingerprint_not_the_address(editor_client, client, draft):
    _url, token = create_link(editor_client, draft)
    open_link(client, token)
    open_link(client, token)

    openings = PreviewOpening.objects.all()
    assert openings.count() == 2
    opening = openings.first()
    assert opening.user_agent == "Lawyer's browser"
    assert len(opening.fingerprint) == 64
    assert OUTSIDER_IP not in str(PreviewOpening.objects.values().first())
    page = editor_client.get(change_url(draft)).content.decode()
    assert "<td>2 (last " in page


@pytest.mark.parametrize(
    "status, publish_in",
    [
        (Article.Status.DRAFT, timedelta(hours=-1)),
        (Article.Status.REVIEW, timedelta(hours=-1)),
        (Article.Status.PUBLISHED, timedelta(days=2)),
    ],
    ids=["draft", "in review", "scheduled"],
)
def test_links_work_for_drafts_stories_in_review_and_scheduled_stories(
    editor_client, client, make_article, status, publish_in
):
    story = make_article(status=status, publish_at=timezone.now() + publish_in)
    _url, token = create_link(editor_client, story)

    response = open_link(client, token)

    assert response.status_code == 200
    assert story.title in response.content.decode()
    # The public address still answers 404.
    assert client.get(story.get_absolute_url()).status_code == 404


def test_a_link_to_a_story_published_since_leads_to_the_public_page(editor_client, client, draft):
    _url, token = create_link(editor_client, draft)
    Article.objects.filter(pk=draft.pk).update(status=Article.Status.PUBLISHED)

    response = open_link(client, token)

    assert response.status_code == 302
    assert response["Location"] == draft.get_absolute_url()


def test_an_expired_link_answers_410_with_a_clear_page(editor_client, client, draft):
    _url, token = create_link(editor_client, draft, hours=1)
    PreviewLink.objects.update(expires_at=timezone.now() - timedelta(seconds=1))

    response = open_link(client, token)

    assert response.status_code == 410
    page = response.content.decode()
    assert "This preview link has expired" in page
    assert "What the minister knew" not in page
    assert "no-store" in response["Cache-Control"]
    assert not PreviewOpening.objects.exists()


def test_a_revoked_link_answers_410_at_once(editor_client, client, draft):
    _url, token = create_link(editor_client, draft)
    assert open_link(client, token).status_code == 200
    link = PreviewLink.objects.get()

    response = editor_client.post(
        reverse("admin:articles_article_share_revoke", args=[draft.pk, link.pk]), follow=True
    )

    assert "The preview link was revoked" in response.content.decode()
    gone = open_link(client, token)
    assert gone.status_code == 410
    assert "This preview link was withdrawn" in gone.content.decode()


@pytest.mark.parametrize("token", ["x" * 43, "short", "a" * 43 + "%00", "../../admin"])
def test_unknown_or_malformed_tokens_answer_404(client, db, token):
    assert client.get(f"/share/{token}/").status_code == 404


def test_the_share_page_is_never_stored_in_the_page_cache(editor_client, client, draft):
    _url, token = create_link(editor_client, draft)
    open_link(client, token)
    PreviewLink.objects.update(revoked_at=timezone.now())
    assert open_link(client, token).status_code == 410


def test_the_lifetime_must_be_one_offered(editor_client, draft):
    response = editor_client.post(share_url(draft), {"hours": 24 * 365}, follow=True)
    assert "Choose how long the preview link should work." in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_a_get_creates_nothing(editor_client, draft):
    assert editor_client.get(share_url(draft)).status_code == 302
    assert not PreviewLink.objects.exists()


def test_a_public_story_gets_no_preview_link(editor_client, published_article):
    response = editor_client.post(share_url(published_article), {"hours": 48}, follow=True)
    assert "already public" in response.content.decode()
    assert not PreviewLink.objects.exists()


def test_author_shares_own_draft_but_not_another_authors(client, author_user, make_article):
    own = make_article(status=Article.Status.DRAFT, created_by=author_user)
    other = make_article(status=Article.Status.DRAFT)
    client.force_login(author_user)

    create_link(client, own)
    assert client.post(share_url(other), {"hours": 48}).status_code == 404
    assert PreviewLink.objects.filter(article=other).count() == 0


def test_moderator_cannot_create_or_revoke_links(client, editor_client, moderator, draft):
    create_link(editor_client, draft)
    link = PreviewLink.objects.get()
    client.force_login(moderator)

    assert client.post(share_url(draft), {"hours": 48}).status_code in (403, 404)
    revoke = reverse("admin:articles_article_share_revoke", args=[draft.pk, link.pk])
    assert client.post(revoke).status_code in (403, 404)
    assert PreviewLink.objects.get().revoked_at is None


def test_creating_and_revoking_are_in_the_audit_log(editor_client, draft):
    create_link(editor_client, draft, label="Translator")
    link = PreviewLink.objects.get()
    editor_client.post(reverse("admin:articles_article_share_revoke", args=[draft.pk, link.pk]))

    actions = list(AuditEntry.objects.order_by("pk").values_list("action", "actor_name", "story"))
    assert actions == [
        (AuditEntry.Action.PREVIEW_CREATED, "edna", draft.pk),
        (AuditEntry.Action.PREVIEW_REVOKED, "edna", draft.pk),
    ]


def test_editors_revoke_links_in_bulk_from_the_list(editor_client, client, make_article):
    stories = [make_article(status=Article.Status.DRAFT) for _ in range(2)]
    tokens = [create_link(editor_client, story)[1] for story in stories]

    response = editor_client.post(
        reverse("admin:editorial_previewlink_changelist"),
        {
            "action": "revoke_selected",
            "_selected_action": list(PreviewLink.objects.values_list("pk", flat=True)),
        },
        follow=True,
    )

    assert "2 preview link(s) revoked." in response.content.decode()
    assert all(open_link(client, token).status_code == 410 for token in tokens)


def test_editor_deletes_a_story_and_its_preview_links_go_with_it(editor_client, client, draft):
    _, token = create_link(editor_client, draft)
    open_link(client, token)
    delete_url = reverse("admin:articles_article_delete", args=(draft.pk,))
    confirm = editor_client.get(delete_url)
    assert confirm.status_code == 200
    assert not confirm.context["perms_lacking"]
    response = editor_client.post(delete_url, {"post": "yes"})
    assert response.status_code == 302
    assert not Article.objects.filter(pk=draft.pk).exists()
    assert not PreviewLink.objects.exists()
    assert open_link(client, token).status_code == 404

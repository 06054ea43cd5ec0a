"""About, Contact, Privacy: pages editors write, every reader page links to, the cache keeps."""

import pytest
from django.urls import reverse

from audit.models import AuditEntry
from pages.demo import seed_pages
from pages.models import Page
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

ADD_URL = "/admin/pages/page/add/"


def change_url(page: Page) -> str:
    return reverse("admin:pages_page_change", args=[page.pk])


def page_data(**overrides) -> dict:
    data = {
        "title": "About us",
        "slug": "about",
        "language": "en",
        "body": "<p>We are a newsroom.</p>",
        "in_footer": "on",
        "position": "1",
    }
    data.update(overrides)
    return data


def footer(html: str) -> str:
    return html.split('<footer class="site-footer">', 1)[1]


def test_every_newsroom_starts_with_a_privacy_page_that_says_what_is_kept(client):
    page = Page.objects.get(slug="privacy", language="en")
    html = client.get("/pages/privacy/").content.decode()

    assert '<h1 class="page__title story__title">Privacy</h1>' in html
    for kept in ("keyed hash", "user agent", "email address", "csrftoken", "erased"):
        assert kept in page.body, kept
    # The notes for whoever edits the text stay in the migration, not on the page.
    assert "TODO" not in page.body and "<!--" not in page.body
    assert 'href="/pages/privacy/"' in footer(html)


def test_an_editor_adds_a_page_and_every_footer_links_to_it(client, editor, published_article):
    home = client.get("/").content.decode()
    assert "/pages/about/" not in home
    editor_client = logged_in(editor)
    assert editor_client.get(ADD_URL).status_code == 200

    response = editor_client.post(ADD_URL, page_data())

    assert response.status_code == 302
    page = Page.objects.get(slug="about")
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATED)
    assert (entry.actor, entry.object_repr, entry.details["id"]) == (editor, "About us", page.pk)
    # Cached pages learn of it at once: the footer is on every one of them.
    for path in ("/", published_article.get_absolute_url()):
        assert '<a href="/pages/about/">About us</a>' in footer(client.get(path).content.decode())
    assert "We are a newsroom." in client.get("/pages/about/").content.decode()


def test_a_changed_page_is_served_changed_at_once(client, editor):
    page = Page.objects.create(**{**page_data(), "in_footer": True})
    assert "We are a newsroom." in client.get("/pages/about/").content.decode()
    home = client.get("/").content.decode()

    response = logged_in(editor).post(
        change_url(page), page_data(body="<p>We are a small newsroom.</p>")
    )

    assert response.status_code == 302
    assert "We are a small newsroom." in client.get("/pages/about/").content.decode()
    assert client.get("/").content.decode() == home
    assert AuditEntry.objects.filter(action=AuditEntry.Action.EDITED).exists()


def test_a_renamed_page_moves_in_every_footer_and_its_old_address_goes(client, editor):
    page = Page.objects.create(title="About us", slug="about")
    assert client.get("/pages/about/").status_code == 200
    assert "About us" in footer(client.get("/").content.decode())

    logged_in(editor).post(change_url(page), page_data(title="Who we are", slug="who-we-are"))

    assert client.get("/pages/about/").status_code == 404
    assert client.get("/pages/who-we-are/").status_code == 200
    home_footer = footer(client.get("/").content.decode())
    assert '<a href="/pages/who-we-are/">Who we are</a>' in home_footer
    assert "About us" not in home_footer


def test_a_deleted_page_is_gone_everywhere(client, editor):
    page = Page.objects.create(title="About us", slug="about")
    client.get("/pages/about/")
    client.get("/")

    response = logged_in(editor).post(
        reverse("admin:pages_page_delete", args=[page.pk]), {"post": "yes"}
    )

    assert response.status_code == 302
    assert client.get("/pages/about/").status_code == 404
    assert "/pages/about/" not in client.get("/").content.decode()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETED).exists()


def test_pages_left_out_of_the_footer_still_have_their_address(client):
    Page.objects.create(title="Imprint", slug="imprint", in_footer=False)

    assert client.get("/pages/imprint/").status_code == 200
    assert "/pages/imprint/" not in footer(client.get("/").content.decode())


def test_an_unknown_page_is_404(client):
    assert client.get("/pages/no-such-page/").status_code == 404
    assert client.get("/pages/").status_code == 404


@pytest.mark.parametrize("who", ["author_user", "moderator"])
def test_only_editors_may_add_change_or_delete_pages(client, request, who):
    page = Page.objects.get(slug="privacy", language="en")
    other = logged_in(request.getfixturevalue(who))

    assert other.get("/admin/pages/page/").status_code == 403
    assert other.get(ADD_URL).status_code == 403
    assert other.post(ADD_URL, page_data()).status_code == 403
    assert other.post(change_url(page), page_data(slug="privacy")).status_code == 403
    assert (
        other.post(reverse("admin:pages_page_delete", args=[page.pk]), {"post": "yes"}).status_code
        == 403
    )
    assert not Page.objects.filter(slug="about").exists()
    assert Page.objects.get(slug="privacy", language="en").title == "Privacy"


def test_a_page_body_keeps_only_what_the_sanitiser_allows(client, editor):
    hostile = (
        '<p onclick="alert(1)">Hello<script>alert(2)</script></p>'
        '<img src=x onerror="alert(3)"><a href="javascript:alert(4)">link</a>'
        '<iframe src="https://evil.example"></iframe><h2>Team</h2>'
    )
    logged_in(editor).post(ADD_URL, page_data(body=hostile, title='<b>"Us"</b>'))

    html = client.get("/pages/about/").content.decode()
    body = html.split('class="page__body', 1)[1].split("</article>", 1)[0]
    assert "<p>Hello</p>" in body and "<h2>Team</h2>" in body
    for bad in ("onclick", "<script", "onerror", "javascript:", "<iframe", "<img"):
        assert bad not in body, bad
    assert "&lt;b&gt;&quot;Us&quot;&lt;/b&gt;" in html


def test_a_page_saved_outside_the_admin_is_sanitised_too():
    page = Page.objects.create(title="X", slug="x", body="<p>ok</p><script>alert(1)</script>")
    assert page.body == "<p>ok</p>"


def test_the_footer_links_the_feeds_and_a_list_page_its_own(client, published_article):
    home = footer(client.get("/").content.decode())
    assert 'href="/feed/" type="application/rss+xml">RSS feed: all stories</a>' in home

    region = published_article.region
    listing = client.get(region.get_absolute_url()).content.decode()
    own = f'href="/regions/{region.slug}/feed/" type="application/rss+xml">'
    assert own + f"RSS feed: {region.name}</a>" in footer(listing)
    # And a visible link at the top of the list.
    header = listing.split('<header class="list-header">', 1)[1].split("</header>", 1)[0]
    assert own + f"Follow {region.name} by RSS</a>" in header


def test_pages_are_in_the_sitemap_with_their_last_edit(client):
    page = Page.objects.get(slug="privacy", language="en")
    index = client.get("/sitemap.xml").content.decode()
    assert "/sitemap-pages.xml" in index

    section = client.get("/sitemap-pages.xml").content.decode()
    assert "<loc>http://127.0.0.1:8000/pages/privacy/</loc>" in section
    assert page.updated_at.strftime("%Y-%m-%d") in section


def test_the_demo_adds_about_and_contact_once_and_keeps_an_editors_text():
    assert seed_pages() == 4  # in English and in Russian
    Page.objects.filter(slug="about", language="en").update(body="<p>Our own words.</p>")

    assert seed_pages() == 0
    assert Page.objects.get(slug="about", language="en").body == "<p>Our own words.</p>"
    titles = list(Page.objects.in_language("en").in_footer().values_list("title", flat=True))
    assert titles == ["About us", "Contact", "Privacy"]
    titles = list(Page.objects.in_language("ru").in_footer().values_list("title", flat=True))
    assert titles == ["О нас", "Контакты", "Конфиденциальность"]

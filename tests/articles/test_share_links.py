"""Share links under a story: plain links to the networks' own pages, nothing of theirs here."""

import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.helpers import SITE

pytestmark = pytest.mark.django_db

SHARE_LINK = re.compile(r'<a class="share__link" href="([^"]+)" aria-label="([^"]+)"')


@pytest.fixture
def story(make_article):
    return make_article(title="Gas & power: “who pays?” 100% #energy", slug="gas-and-power")


def share_links(html: str) -> dict[str, str]:
    """Return each share link's accessible name and its address, as a browser reads them."""
    return {label: href.replace("&amp;", "&") for href, label in SHARE_LINK.findall(html)}


def test_a_story_has_plain_share_links_with_its_encoded_address_and_title(client, story):
    html = client.get(story.get_absolute_url()).content.decode()
    links = share_links(html)
    url = f"{SITE}/articles/gas-and-power/"
    title = story.title

    assert list(links) == [
        "Share on X",
        "Share on Facebook",
        "Share on Telegram",
        "Share on WhatsApp",
        "Share by email",
    ]
    x = urlsplit(links["Share on X"])
    assert (x.scheme, x.netloc, x.path) == ("https", "x.com", "/intent/post")
    assert parse_qs(x.query) == {"text": [title], "url": [url]}
    assert parse_qs(urlsplit(links["Share on Facebook"]).query) == {"u": [url]}
    telegram = urlsplit(links["Share on Telegram"])
    assert telegram.netloc == "t.me" and parse_qs(telegram.query) == {"url": [url], "text": [title]}
    assert parse_qs(urlsplit(links["Share on WhatsApp"]).query) == {"text": [f"{title} {url}"]}
    email = links["Share by email"]
    assert email.startswith("mailto:?")
    assert parse_qs(email.removeprefix("mailto:?")) == {"subject": [title], "body": [url]}
    # Percent-encoded, spaces as %20 (mail programs read a "+" as a plus), no raw "&" or "#".
    assert "Gas%20%26%20power%3A%20%E2%80%9Cwho%20pays%3F%E2%80%9D%20100%25%20%23energy" in email
    assert "+" not in email


def test_share_links_load_nothing_from_the_networks(client, story):
    html = client.get(story.get_absolute_url()).content.decode()

    scripts = re.findall(r"<script[^>]*src=\"([^\"]+)\"", html)
    assert all(src.startswith("/static/") for src in scripts), scripts
    for network in ("x.com", "facebook.com", "t.me", "wa.me"):
        # Only as link addresses: no script, frame, image or style of theirs.
        assert not re.search(rf"<(script|iframe|img|link)[^>]+{re.escape(network)}", html)
    assert 'rel="noopener noreferrer"' in html


def test_a_preview_has_no_share_links(client, editor, draft_article):
    client.force_login(editor)
    html = client.get(f"/preview/{draft_article.pk}/").content.decode()

    assert "share__link" not in html

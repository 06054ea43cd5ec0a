"""A reader sees a placeholder that asks nothing of the provider until they click it.

Or a plain link to the original, whenever there is no player to offer.
"""

from html.parser import HTMLParser

import pytest
from django.core.files.storage import default_storage
from django.template import Context, Template

from embeds.models import Embed
from embeds.services import fetch_embed
from tests.embeds.oembed_server import VIDEO_ID, VIDEO_TITLE, answering

WATCH_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"
VOID_ELEMENTS = {"img", "source", "br", "hr", "input", "meta", "link"}


class Page(HTMLParser):
    """Collect a fragment's elements and check that each one is closed where it should be."""

    def __init__(self, html: str):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.open: list[str] = []
        self.text: list[str] = []
        self.feed(html)
        self.close()
        assert self.open == [], f"unclosed: {self.open}"

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag not in VOID_ELEMENTS:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data):
        self.text.append(data)

    def all(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.elements if name == tag]

    def one(self, tag: str) -> dict[str, str]:
        (attrs,) = self.all(tag)
        return attrs

    def words(self) -> str:
        return " ".join(" ".join(self.text).split())


def render(embed: Embed | None, url: str = "") -> Page:
    template = Template("{% load embeds %}{% embed_placeholder embed url %}")
    return Page(template.render(Context({"embed": embed, "url": url})))


def addresses(srcset: str) -> list[str]:
    return [candidate.split()[0] for candidate in srcset.split(",")]


@pytest.fixture
def video(db, providers) -> Embed:
    return fetch_embed(WATCH_URL)


def test_a_video_is_a_placeholder_with_our_thumbnail_and_a_load_button(video):
    page = render(video, WATCH_URL)

    figure = page.one("figure")
    assert figure["class"] == "embed embed--youtube"
    assert figure["data-embed-frame"] == (
        f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}?autoplay=1"
    )
    assert figure["data-embed-title"] == VIDEO_TITLE
    assert figure["data-embed-ratio"] == "1280/720"
    placeholder, caption_link = page.all("a")
    assert placeholder == {"class": "embed__placeholder", "href": WATCH_URL}
    assert caption_link == {"href": WATCH_URL}
    words = page.words()
    assert "Load video from YouTube" in words
    assert "Loading it connects to YouTube, which may set cookies." in words
    assert f"{VIDEO_TITLE} (YouTube)" in words


def test_the_thumbnail_is_decorative_sized_and_lazy(video):
    image = render(video).one("img")

    assert image["alt"] == ""
    assert (image["width"], image["height"]) == ("480", "270")
    assert image["loading"] == "lazy"


def test_the_placeholder_loads_nothing_from_a_third_party(video):
    page = render(video, WATCH_URL)

    loaded = [
        address
        for _tag, attrs in page.elements
        for name, value in attrs.items()
        if name in ("src", "srcset")
        for address in addresses(value)
    ]
    assert loaded
    assert all(address.startswith(default_storage.base_url) for address in loaded)
    # The provider's addresses are only where nothing is fetched: links and the click's frame.
    assert {
        name
        for _tag, attrs in page.elements
        for name, value in attrs.items()
        if "youtube.com" in value or "youtube-nocookie.com" in value
    } == {"href", "data-embed-frame"}


def test_a_placeholder_without_a_thumbnail_still_offers_the_player(oembed_server, db):
    with answering(oembed_server, youtube="thumbnail-elsewhere"):
        embed = fetch_embed(WATCH_URL)

    page = render(embed)

    assert page.all("img") == []
    assert "Load video from YouTube" in page.words()


@pytest.mark.parametrize(
    ("provider", "label"),
    [
        ("datawrapper", "Load chart from Datawrapper"),
        ("x", "Load post from X"),
        ("soundcloud", "Load audio from SoundCloud"),
        ("vimeo", "Load video from Vimeo"),
    ],
)
def test_the_button_says_what_it_loads_and_from_whom(provider, label):
    embed = Embed(
        url="https://example.org/page",
        provider=provider,
        status=Embed.Status.OK,
        frame_url="https://player.example/1",
        title="Turnout by region",
    )

    assert label in render(embed).words()


def test_the_tag_runs_no_query(video, django_assert_num_queries):
    with django_assert_num_queries(0):
        render(video, WATCH_URL)


# Plain links -------------------------------------------------------------------------------


def test_an_address_not_fetched_yet_is_a_plain_link():
    page = render(None, WATCH_URL)

    assert page.elements == [("p", {"class": "embed-link"}), ("a", {"href": WATCH_URL})]
    assert page.words() == WATCH_URL


@pytest.mark.parametrize("status", [Embed.Status.FAILED, Embed.Status.UNKNOWN_PROVIDER], ids=str)
def test_an_embed_without_a_player_is_a_plain_link_with_its_title(status):
    embed = Embed(url=WATCH_URL, provider="youtube", status=status, title="Known title")

    page = render(embed)

    assert page.one("a") == {"href": WATCH_URL}
    assert page.words() == "Known title"


def test_a_provider_that_is_down_leaves_a_plain_link(oembed_server, db):
    with answering(oembed_server, youtube="down"):
        embed = fetch_embed(WATCH_URL)

    page = render(embed, WATCH_URL)

    assert page.all("figure") == []
    assert page.one("a") == {"href": WATCH_URL}


def test_an_address_that_is_not_a_web_page_is_shown_as_text():
    page = render(None, "javascript:alert(1)")

    assert page.all("a") == []
    assert page.words() == "javascript:alert(1)"

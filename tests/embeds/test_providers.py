"""Which addresses belong to which provider, and which players we agree to load."""

import pytest
from django.test import override_settings

from embeds.providers import PROVIDERS, iframe_src, provider_for, thumbnail_allowed

VIMEO = PROVIDERS["vimeo"]
VIMEO_PAGE = "https://vimeo.com/76979871"


@pytest.mark.parametrize(
    ("url", "key"),
    [
        ("https://www.youtube.com/watch?v=dQw4w9WgXcQ", "youtube"),
        ("https://m.youtube.com/watch?feature=share&v=dQw4w9WgXcQ&t=42", "youtube"),
        ("https://youtu.be/dQw4w9WgXcQ", "youtube"),
        ("https://www.youtube.com/shorts/dQw4w9WgXcQ", "youtube"),
        ("https://vimeo.com/76979871", "vimeo"),
        ("https://x.com/newsroom/status/1790000000000000000", "x"),
        ("https://twitter.com/newsroom/status/1790000000000000000?s=20", "x"),
        ("https://datawrapper.dwcdn.net/Ab3Cd/1/", "datawrapper"),
        ("https://public.flourish.studio/visualisation/1234567/", "flourish"),
        ("https://soundcloud.com/newsroom/episode-12", "soundcloud"),
        ("https://www.instagram.com/p/C7abc-DEF12/", "instagram"),
    ],
)
def test_each_provider_owns_its_page_addresses(url, key):
    assert provider_for(url).key == key


@pytest.mark.parametrize(
    "url",
    [
        "https://www.youtube.com.example.net/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com@example.net/watch?v=dQw4w9WgXcQ",
        "https://www.youtube.com/watch?v=short",
        "https://notvimeo.com/76979871",
        "https://www.example.org/video",
    ],
)
def test_look_alikes_belong_to_no_provider(url):
    assert provider_for(url) is None


@override_settings(NEWSROOM_EMBED_PROVIDERS=["vimeo"])
def test_a_disabled_provider_owns_nothing():
    assert provider_for("https://youtu.be/dQw4w9WgXcQ") is None
    assert provider_for(VIMEO_PAGE) is VIMEO


def answer(src: str) -> dict:
    return {"type": "video", "html": f'<div><iframe src="{src}"></iframe></div>'}


@pytest.mark.parametrize(
    "src",
    [
        "https://evil.example/video/76979871",
        "http://player.vimeo.com/video/76979871",
        "https://player.vimeo.com.evil.example/video/76979871",
        "https://player.vimeo.com@evil.example/video/76979871",
        "javascript:alert(1)",
        "",
    ],
)
def test_a_player_off_the_providers_frame_origins_is_refused(src):
    assert VIMEO.frame_url(VIMEO_PAGE, answer(src)) is None


def test_an_answer_without_an_iframe_gives_no_player():
    assert VIMEO.frame_url(VIMEO_PAGE, {"type": "video", "html": "<p>Watch it</p>"}) is None
    assert VIMEO.frame_url(VIMEO_PAGE, {"type": "video"}) is None


def test_a_protocol_relative_player_is_loaded_over_https():
    html = '<iframe src="//w.soundcloud.com/player/?url=https%3A%2F%2Fapi&amp;visual=true">'

    assert iframe_src(html) == "https://w.soundcloud.com/player/?url=https%3A%2F%2Fapi&visual=true"


def test_an_instagram_post_plays_in_instagrams_own_iframe():
    instagram = PROVIDERS["instagram"]
    blockquote = {"type": "rich", "html": '<blockquote class="instagram-media"></blockquote>'}

    frame = instagram.frame_url("https://www.instagram.com/reel/C7abc-DEF12/", blockquote)

    assert frame == "https://www.instagram.com/p/C7abc-DEF12/embed"


@pytest.mark.parametrize(
    ("url", "allowed"),
    [
        ("https://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg", True),
        ("http://i.ytimg.com/vi/dQw4w9WgXcQ/hqdefault.jpg", False),
        ("https://i.ytimg.com:8443/vi/dQw4w9WgXcQ/hqdefault.jpg", False),
        ("https://www.youtube.com/favicon.ico", True),
        ("https://evil.example/hqdefault.jpg", False),
        ("https://127.0.0.1/hqdefault.jpg", False),
        ("file:///etc/passwd", False),
    ],
)
def test_thumbnails_come_only_from_the_endpoint_host_or_the_providers_image_hosts(url, allowed):
    assert thumbnail_allowed(PROVIDERS["youtube"], url) is allowed


def test_a_suffix_host_covers_a_providers_numbered_image_servers():
    soundcloud = PROVIDERS["soundcloud"]

    assert thumbnail_allowed(soundcloud, "https://i1.sndcdn.com/artworks-000-t500x500.jpg")
    assert not thumbnail_allowed(soundcloud, "https://sndcdn.com.evil.example/a.jpg")

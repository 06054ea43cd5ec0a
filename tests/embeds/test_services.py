"""An editor pastes a provider's address; the server asks the provider once and keeps the answer.

Every request goes to a local oEmbed server (tests/embeds/oembed_server.py) through the real
fetching code: timeouts, size limits and redirects are those of real sockets.
"""

import time
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.test import override_settings

from embeds.models import Embed
from embeds.services import fetch_embed, fetch_embeds, thumbnail_files
from tests.embeds.oembed_server import TWEET_ID, VIDEO_ID, VIDEO_TITLE, answering

pytestmark = pytest.mark.django_db

WATCH_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"
YOUTUBE_ADDRESSES = [
    WATCH_URL,
    f"https://youtu.be/{VIDEO_ID}?si=shared-from-phone",
    f"https://www.youtube.com/shorts/{VIDEO_ID}",
]


def stored_files(media_root) -> list[str]:
    return sorted(
        str(path.relative_to(media_root)) for path in media_root.rglob("*") if path.is_file()
    )


# A working provider ------------------------------------------------------------------------


@pytest.mark.parametrize("url", YOUTUBE_ADDRESSES)
def test_a_youtube_address_in_any_form_becomes_a_player_on_youtube_nocookie(providers, url):
    embed = fetch_embed(url)

    assert embed.status == Embed.Status.OK
    assert embed.provider == "youtube"
    assert embed.frame_url == f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}?autoplay=1"
    assert embed.title == VIDEO_TITLE
    assert embed.author_name == "Newsroom Video"
    assert (embed.width, embed.height) == (1280, 720)
    assert embed.is_playable()
    assert embed.error == ""


def test_the_thumbnail_is_copied_into_our_media_and_reencoded(providers, media_root):
    embed = fetch_embed(WATCH_URL)

    assert embed.thumbnail.name.startswith("embeds/")
    assert default_storage.exists(embed.thumbnail.name)
    assert (embed.thumbnail_width, embed.thumbnail_height) == (480, 360)
    assert embed.thumbnail_renditions["320.jpg"]
    # Only the re-encoded picture and its renditions are kept, not the raw download.
    assert stored_files(media_root) == sorted(thumbnail_files(embed))


def test_the_provider_is_asked_for_json_about_the_pasted_address(providers):
    fetch_embed(f"  {WATCH_URL}\n")

    (query,) = providers.asked("youtube")
    assert query == {"url": [WATCH_URL], "format": ["json"], "maxwidth": ["1280"]}
    assert Embed.objects.get().url == WATCH_URL


def test_a_second_fetch_asks_the_provider_nothing(providers):
    fetch_embed(WATCH_URL)
    asked = len(providers.requests)

    embed = fetch_embed(WATCH_URL)

    assert len(providers.requests) == asked
    assert embed.is_playable()


def test_vimeo_plays_the_iframe_from_its_answer_without_tracking(providers):
    embed = fetch_embed("https://vimeo.com/76979871")

    assert embed.status == Embed.Status.OK
    assert embed.frame_url == (
        "https://player.vimeo.com/video/76979871?h=8272103f6e&dnt=1&autoplay=1"
    )


def test_a_post_on_x_plays_in_x_own_iframe_rather_than_its_script(providers):
    embed = fetch_embed(f"https://x.com/newsroom/status/{TWEET_ID}")

    assert embed.status == Embed.Status.OK
    assert embed.frame_url == (
        f"https://platform.twitter.com/embed/Tweet.html?id={TWEET_ID}&dnt=true"
    )
    # X gives no height: the post gets the provider's usual shape.
    assert (embed.width, embed.height) == (550, 650)


def test_fetching_again_replaces_the_thumbnail_and_deletes_the_old_one(
    providers, media_root, django_capture_on_commit_callbacks
):
    first = fetch_embed(WATCH_URL)
    old_files = thumbnail_files(first)

    with django_capture_on_commit_callbacks(execute=True):
        again = fetch_embed(WATCH_URL, force=True)

    assert len(providers.asked("youtube")) == 2
    assert again.thumbnail.name != first.thumbnail.name
    assert stored_files(media_root) == sorted(thumbnail_files(again))
    assert not any(default_storage.exists(name) for name in old_files)


def test_deleting_an_embed_deletes_its_thumbnail(
    providers, media_root, django_capture_on_commit_callbacks
):
    embed = fetch_embed(WATCH_URL)

    with django_capture_on_commit_callbacks(execute=True):
        embed.delete()

    assert stored_files(media_root) == []


# Providers we do not ask ---------------------------------------------------------------


def test_an_address_of_no_known_provider_asks_nobody(providers):
    embed = fetch_embed("https://www.example.org/a-video-page")

    assert embed.status == Embed.Status.UNKNOWN_PROVIDER
    assert embed.provider == ""
    assert not embed.is_playable()
    assert providers.requests == []


@override_settings(NEWSROOM_EMBED_PROVIDERS=["vimeo", "datawrapper"])
def test_a_disabled_provider_is_asked_nothing(providers):
    embed = fetch_embed(WATCH_URL)

    assert embed.status == Embed.Status.UNKNOWN_PROVIDER
    assert providers.requests == []


def test_an_embed_fetched_before_its_provider_was_disabled_no_longer_plays(providers):
    embed = fetch_embed(WATCH_URL)

    with override_settings(NEWSROOM_EMBED_PROVIDERS=["vimeo"]):
        assert not embed.is_playable()


def test_a_look_alike_host_is_not_the_provider(providers):
    embed = fetch_embed(f"https://www.youtube.com.example.net/watch?v={VIDEO_ID}")

    assert embed.status == Embed.Status.UNKNOWN_PROVIDER
    assert providers.requests == []


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/v", "https://"])
def test_something_that_is_not_a_web_address_is_refused_to_the_caller(url):
    with pytest.raises(ValidationError):
        fetch_embed(url)


# Providers that fail -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("down", "HTTP 500"),
        ("huge", "larger than 1 MB"),
        ("huge-unannounced", "larger than 1 MB"),
        ("not-json", "not JSON"),
        ("link-only", "not a player"),
        ("redirect-elsewhere", "another host"),
        ("no-such-path", "HTTP 404"),
    ],
)
def test_a_provider_that_fails_leaves_a_failed_embed_and_no_exception(oembed_server, path, reason):
    with answering(oembed_server, youtube=path):
        embed = fetch_embed(WATCH_URL)

    assert embed.status == Embed.Status.FAILED
    assert reason in embed.error
    assert not embed.is_playable()
    assert not embed.thumbnail
    # The redirect was refused, not followed to the other host.
    assert len(oembed_server.requests) == 1


@override_settings(NEWSROOM_OEMBED_TIMEOUT=0.5)
def test_a_provider_slower_than_the_timeout_leaves_a_failed_embed(oembed_server):
    with answering(oembed_server, youtube="slow"):
        embed = fetch_embed(WATCH_URL)

    assert embed.status == Embed.Status.FAILED
    assert "within 0.5 seconds" in embed.error


@override_settings(NEWSROOM_OEMBED_TIMEOUT=0.5)
def test_a_provider_trickling_its_headers_is_cut_off_at_the_timeout(oembed_server):
    started = time.monotonic()
    with answering(oembed_server, youtube="trickle-headers"):
        embed = fetch_embed(WATCH_URL)

    assert time.monotonic() - started < 1.2
    assert embed.status == Embed.Status.FAILED
    assert "within 0.5 seconds" in embed.error


def test_an_answer_with_absurd_sizes_gets_the_providers_shape(oembed_server):
    with answering(oembed_server, youtube="infinite-size"):
        embed = fetch_embed(WATCH_URL)

    assert embed.is_playable()
    assert (embed.width, embed.height) == (640, 360)


def test_a_title_with_characters_no_feed_can_carry_is_cleaned(oembed_server):
    with answering(oembed_server, youtube="unprintable-title"):
        embed = fetch_embed(WATCH_URL)

    assert embed.title == "Polls close at 8"


def test_a_thumbnail_address_with_a_broken_port_is_not_fetched(oembed_server, media_root):
    with answering(oembed_server, youtube="bad-port-thumbnail"):
        embed = fetch_embed(WATCH_URL)

    assert embed.is_playable() and not embed.thumbnail


def test_a_player_address_in_capitals_is_stored_as_browsers_expect(oembed_server):
    with answering(oembed_server, datawrapper="shouting-player"):
        embed = fetch_embed("https://datawrapper.dwcdn.net/Ab3Cd/1/")

    assert embed.frame_url.startswith("https://datawrapper.dwcdn.net/")


def test_a_provider_that_cannot_be_reached_leaves_a_failed_embed(oembed_server):
    closed_port = oembed_server.origin
    oembed_server.stop()

    with override_settings(NEWSROOM_OEMBED_ENDPOINTS={"youtube": f"{closed_port}/youtube"}):
        embed = fetch_embed(WATCH_URL)

    assert embed.status == Embed.Status.FAILED
    assert "could not be reached" in embed.error


def test_a_player_on_a_foreign_origin_is_refused(oembed_server):
    with answering(oembed_server, vimeo="foreign-iframe"):
        embed = fetch_embed("https://vimeo.com/76979871")

    assert embed.status == Embed.Status.FAILED
    assert embed.frame_url == ""
    assert "https://player.vimeo.com" in embed.error


def test_a_failure_is_not_asked_again_within_the_hour(oembed_server):
    with answering(oembed_server, youtube="down"):
        fetch_embed(WATCH_URL)
        fetch_embed(WATCH_URL)

    assert len(oembed_server.requests) == 1


def test_a_failure_is_asked_again_after_the_hour(oembed_server):
    with answering(oembed_server, youtube="down"):
        embed = fetch_embed(WATCH_URL)
    Embed.objects.filter(pk=embed.pk).update(fetched_at=embed.fetched_at - timedelta(hours=2))

    with answering(oembed_server):
        embed = fetch_embed(WATCH_URL)

    assert embed.is_playable()


# Thumbnails we do not copy -------------------------------------------------------------


def test_a_thumbnail_on_a_foreign_host_is_not_fetched(oembed_server, media_root):
    with answering(oembed_server, youtube="thumbnail-elsewhere"):
        embed = fetch_embed(WATCH_URL)

    assert embed.is_playable()
    assert not embed.thumbnail
    assert "Thumbnail not copied" in embed.error
    assert stored_files(media_root) == []


def test_a_thumbnail_that_is_not_a_picture_is_not_kept(oembed_server, media_root):
    with answering(oembed_server, youtube="thumbnail-not-a-picture"):
        embed = fetch_embed(WATCH_URL)

    assert embed.is_playable()
    assert not embed.thumbnail
    assert "Thumbnail not copied" in embed.error
    assert stored_files(media_root) == []


# A story's embeds ------------------------------------------------------------------------


def test_a_story_save_fetches_each_new_address_once(providers):
    vimeo = "https://vimeo.com/76979871"
    fetch_embed(vimeo)

    embeds = fetch_embeds([WATCH_URL, vimeo, f" {WATCH_URL} ", "javascript:alert(1)"])

    assert set(embeds) == {WATCH_URL, vimeo, f" {WATCH_URL} "}
    assert embeds[WATCH_URL] == embeds[f" {WATCH_URL} "]
    assert all(embed.is_playable() for embed in embeds.values())
    assert len(providers.asked("youtube")) == 1
    assert len(providers.asked("vimeo")) == 1

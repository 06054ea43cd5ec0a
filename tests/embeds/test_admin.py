"""Editors see what each pasted address gave, and can ask its provider again."""

import pytest
from django.urls import reverse

from embeds.models import Embed
from embeds.services import fetch_embed
from tests.embeds.oembed_server import VIDEO_ID, answering
from tests.helpers import logged_in

pytestmark = pytest.mark.django_db

WATCH_URL = f"https://www.youtube.com/watch?v={VIDEO_ID}"
CHANGELIST = reverse("admin:embeds_embed_changelist")


def test_fetch_again_asks_the_provider_even_for_a_recent_failure(superuser, oembed_server):
    with answering(oembed_server, youtube="down"):
        failed = fetch_embed(WATCH_URL)
    assert failed.status == Embed.Status.FAILED

    with answering(oembed_server):
        response = logged_in(superuser).post(
            CHANGELIST, {"action": "fetch_again", "_selected_action": [failed.pk]}, follow=True
        )

    assert response.status_code == 200
    assert "1 of 1 embed fetched again can be played." in response.text
    assert Embed.objects.get(pk=failed.pk).is_playable()
    # Within the hour of the failure, which fetch_embed() alone would not have retried.
    assert len(oembed_server.asked("youtube")) == 1


def test_an_embed_added_in_the_admin_is_fetched(superuser, providers):
    response = logged_in(superuser).post(
        reverse("admin:embeds_embed_add"), {"url": f" {WATCH_URL} "}, follow=True
    )

    assert response.status_code == 200
    assert Embed.objects.get(url=WATCH_URL).is_playable()


def test_the_list_shows_what_each_address_gave(superuser, providers):
    fetch_embed(WATCH_URL)
    fetch_embed("https://www.example.org/page")

    response = logged_in(superuser).get(CHANGELIST, {"status__exact": "unknown_provider"})

    assert response.status_code == 200
    assert "https://www.example.org/page" in response.text
    assert WATCH_URL not in response.text


def test_an_editor_fetches_an_embed_again(editor, providers):
    embed = fetch_embed(WATCH_URL)

    response = logged_in(editor).post(
        CHANGELIST, {"action": "fetch_again", "_selected_action": [embed.pk]}
    )

    assert response.status_code == 302
    assert len(providers.asked("youtube")) == 2


def test_staff_without_the_permission_cannot_fetch_again(moderator, providers):
    embed = fetch_embed(WATCH_URL)

    response = logged_in(moderator).post(
        CHANGELIST, {"action": "fetch_again", "_selected_action": [embed.pk]}
    )

    assert response.status_code == 403
    assert len(providers.asked("youtube")) == 1

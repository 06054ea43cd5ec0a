"""Readers' browsers may frame the enabled providers' players, and nothing else."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from embeds.providers import PROVIDERS, frame_origins

BASE_DIR = Path(__file__).resolve().parent.parent.parent
ALL_SEVEN = ["youtube", "vimeo", "x", "datawrapper", "flourish", "soundcloud", "instagram"]
EVERY_PLAYER = [
    "https://datawrapper.dwcdn.net",
    "https://flo.uri.sh",
    "https://platform.twitter.com",
    "https://player.vimeo.com",
    "https://w.soundcloud.com",
    "https://www.instagram.com",
    "https://www.youtube-nocookie.com",
]


def frame_src(header: str) -> list[str]:
    (directive,) = [part.split() for part in header.split(";") if part.split()[0] == "frame-src"]
    return directive[1:]


def settings_in_new_process(**environment: str) -> subprocess.CompletedProcess:
    """Import the settings as a server started with *environment* would, and print frame-src."""
    code = (
        "from django.conf import settings\n"
        "print(' '.join(settings.CONTENT_SECURITY_POLICY['DIRECTIVES']['frame-src']))\n"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "newsroom.settings", **environment}
    return subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )


@pytest.mark.django_db
def test_every_page_lets_in_exactly_the_enabled_providers_players(client):
    response = client.get("/")

    assert frame_src(response["Content-Security-Policy"]) == frame_origins() == EVERY_PLAYER


def test_all_seven_providers_are_enabled_by_default(settings):
    enabled = settings.NEWSROOM_EMBED_PROVIDERS

    assert enabled == ALL_SEVEN
    assert enabled == list(PROVIDERS)


def test_a_provider_turned_off_is_out_of_the_policy_too():
    result = settings_in_new_process(NEWSROOM_EMBED_PROVIDERS="youtube, datawrapper")

    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == [
        "https://datawrapper.dwcdn.net",
        "https://www.youtube-nocookie.com",
    ]


def test_with_every_provider_off_no_frame_is_allowed():
    result = settings_in_new_process(NEWSROOM_EMBED_PROVIDERS=",")

    assert result.stdout.split() == ["'none'"]


def test_an_unknown_provider_in_the_setting_refuses_to_start():
    result = settings_in_new_process(NEWSROOM_EMBED_PROVIDERS="youtube,myspace")

    assert result.returncode != 0
    assert "NEWSROOM_EMBED_PROVIDERS: no provider called myspace" in result.stderr

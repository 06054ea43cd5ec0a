"""Admin login: brute force meets a lockout, and nobody learns which accounts exist.

django-axes counts failures per username *and* address (settings ``AXES_*``): the pair is
paused after five wrong passwords, the same for a real and an invented username, and the
page says when to try again.
"""

import re
from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.urls import reverse
from django.utils import timezone

LOGIN_URL = reverse("admin:login")
ATTACKER = "198.51.100.66"
EDITOR_OFFICE = "203.0.113.10"


@pytest.fixture
def editor(django_user_model):
    return django_user_model.objects.create_user(
        "edith", "edith@newsroom.example", "a-long-Correct-password", is_staff=True
    )


def attempt(client, username: str, password: str, ip: str = ATTACKER, **extra):
    return client.post(
        LOGIN_URL + extra.pop("query", ""),
        {"username": username, "password": password, "next": extra.pop("next", "/admin/")},
        REMOTE_ADDR=ip,
        **extra,
    )


def fail_until_locked(client, username: str, ip: str = ATTACKER) -> list[int]:
    return [attempt(client, username, f"guess-{n}", ip).status_code for n in range(5)]


def page_text(response, username: str) -> str:
    """Return the page with the parts that differ per request (token, typed username) blanked."""
    html = response.content.decode()
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)
    return html.replace(f'value="{username}"', 'value=""')


def test_wrong_passwords_for_real_and_invented_usernames_get_the_same_answer(client, editor):
    real = attempt(client, "edith", "wrong-password")
    invented = attempt(client, "nobody-here", "wrong-password")

    assert real.status_code == invented.status_code == 200
    assert "Please enter the correct username and password" in real.content.decode()
    assert page_text(real, "edith") == page_text(invented, "nobody-here")


def test_five_wrong_passwords_pause_that_username_from_that_address(client, editor):
    statuses = fail_until_locked(client, "edith")

    assert statuses == [200, 200, 200, 200, 429]
    # Even the right password is refused now, from this address.
    locked = attempt(client, "edith", "a-long-Correct-password")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session


def test_the_lockout_page_says_when_to_try_again_and_is_never_cached(client, editor):
    fail_until_locked(client, "edith")

    response = attempt(client, "edith", "a-long-Correct-password")

    text = response.content.decode()
    assert "Too many failed logins" in text
    assert "try again in 15 minutes" in text
    assert response["Retry-After"] == str(15 * 60)
    assert "no-store" in response["Cache-Control"]


def test_an_attacker_cannot_lock_the_editor_out_of_their_own_office(client, editor):
    fail_until_locked(client, "edith", ip=ATTACKER)

    response = attempt(client, "edith", "a-long-Correct-password", ip=EDITOR_OFFICE)

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_invented_usernames_are_locked_exactly_like_real_ones(client, editor):
    real = fail_until_locked(client, "edith")
    invented = fail_until_locked(client, "no-such-user")

    assert real == invented
    locked_real = attempt(client, "edith", "x")
    locked_invented = attempt(client, "no-such-user", "x")
    assert locked_real.status_code == locked_invented.status_code == 429
    assert page_text(locked_real, "edith") == page_text(locked_invented, "no-such-user")


def test_the_pause_ends_after_the_cool_off_time(client, editor):
    fail_until_locked(client, "edith")
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))

    response = attempt(client, "edith", "a-long-Correct-password")

    assert response.status_code == 302


def test_a_successful_login_starts_the_count_again(client, editor):
    for n in range(4):
        attempt(client, "edith", f"typo-{n}")
    assert attempt(client, "edith", "a-long-Correct-password").status_code == 302
    client.logout()

    statuses = [attempt(client, "edith", f"typo-again-{n}").status_code for n in range(4)]

    assert statuses == [200, 200, 200, 200]


@pytest.mark.parametrize(
    "target",
    [
        "https://evil.example/",
        "//evil.example/",
        "/\\evil.example/",
        "https:evil.example",
        "http://testserver.evil.example/admin/",
        "javascript:alert(1)",
        " https://evil.example/",
    ],
)
def test_login_never_sends_the_user_to_another_site(client, editor, target):
    response = client.post(
        LOGIN_URL,
        {"username": "edith", "password": "a-long-Correct-password", "next": target},
        REMOTE_ADDR=EDITOR_OFFICE,
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_next_in_the_login_address_stays_on_this_site(client, editor):
    response = client.post(
        LOGIN_URL + "?next=https://evil.example/",
        {"username": "edith", "password": "a-long-Correct-password"},
        REMOTE_ADDR=EDITOR_OFFICE,
    )

    assert response.status_code == 302
    assert response["Location"] == "/admin/"


def test_login_follows_next_within_the_site(client, editor):
    target = reverse("admin:articles_article_changelist")

    response = attempt(client, "edith", "a-long-Correct-password", ip=EDITOR_OFFICE, next=target)

    assert response["Location"] == target


def test_logout_never_sends_the_user_to_another_site(client, editor):
    client.force_login(editor)

    response = client.post(reverse("admin:logout") + "?next=https://evil.example/")

    assert "evil.example" not in response.get("Location", "")

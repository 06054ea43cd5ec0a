import base64
from datetime import timedelta

import pytest
from django.utils import timezone

from tests.webhooks.receiver import Received, verify
from webhooks import signing
from webhooks.models import Endpoint, new_message_id, new_secret


def test_signature_matches_the_reference_librarys_known_answer():
    # The vector of the Standard Webhooks reference library's own test of its sign().
    signature = signing.signature(
        "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
        "msg_p5jXN8AQM9LWM0D4loKWxJek",
        1614265330,
        b'{"test": 2432232314}',
    )

    assert signature == "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="


def test_a_new_secret_is_whsec_and_32_random_bytes_in_base64():
    secret = new_secret()

    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"), validate=True)) == 32
    assert new_secret() != secret


def test_a_message_id_has_no_full_stop_the_signed_content_separates_with():
    assert "." not in new_message_id()
    assert new_message_id().startswith("msg_")


def test_headers_verify_with_an_independent_check_of_the_specification():
    secret = new_secret()
    body = '{"type":"story.published","data":{"title":"Ünïcode"}}'.encode()
    now = int(timezone.now().timestamp())

    headers = signing.headers([secret], "msg_abc", now, body)

    assert verify(secret, Received("/", headers, body)) == {
        "type": "story.published",
        "data": {"title": "Ünïcode"},
    }


def test_a_changed_body_no_longer_verifies():
    secret = new_secret()
    headers = signing.headers([secret], "msg_abc", int(timezone.now().timestamp()), b"{}")

    with pytest.raises(AssertionError, match="no v1 signature"):
        verify(secret, Received("/", headers, b'{"x":1}'))


@pytest.mark.django_db
def test_during_a_rotation_both_secrets_sign_so_either_verifies():
    endpoint = Endpoint.objects.create(url="https://partner.example/hooks", events=[])
    old = endpoint.secret
    endpoint.rotate_secret(grace=timedelta(hours=1))
    body = b"{}"

    headers = signing.headers(
        endpoint.signing_secrets(), "msg_abc", int(timezone.now().timestamp()), body
    )

    assert len(headers["webhook-signature"].split(" ")) == 2
    verify(old, Received("/", headers, body))
    verify(endpoint.secret, Received("/", headers, body))


@pytest.mark.django_db
def test_an_expired_previous_secret_no_longer_signs():
    endpoint = Endpoint(url="https://partner.example/hooks", events=[])
    endpoint.rotate_secret(grace=timedelta(hours=1), now=timezone.now() - timedelta(hours=2))

    assert endpoint.signing_secrets() == [endpoint.secret]


@pytest.mark.django_db
def test_each_replaced_secret_signs_until_its_own_grace_ends():
    endpoint = Endpoint(url="https://partner.example/hooks", events=[])
    first = endpoint.secret
    start = timezone.now()
    endpoint.rotate_secret(grace=timedelta(hours=24), now=start)
    second = endpoint.secret
    endpoint.rotate_secret(grace=timedelta(hours=24), now=start + timedelta(hours=1))
    third = endpoint.secret

    assert endpoint.signing_secrets(start + timedelta(hours=2)) == [third, second, first]
    assert endpoint.signing_secrets(start + timedelta(hours=24, minutes=30)) == [third, second]
    assert endpoint.signing_secrets(start + timedelta(hours=26)) == [third]

"""The client's address behind proxies: believed only through the ones we trust.

Rate limits, review fingerprints, preview-link openings, login lockouts and the page cache's
per-client budget all count by this address (serving.clients.client_ip).
"""

import pytest
from django.test import RequestFactory

from reviews.models import Review
from serving.clients import client_ip, client_network

BALANCER = "10.0.0.5"


def request_from(remote: str, forwarded_for: str | None = None):
    extra = {"REMOTE_ADDR": remote}
    if forwarded_for is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded_for
    return RequestFactory().get("/", **extra)


@pytest.fixture
def behind_a_balancer(settings):
    settings.TRUST_PROXY_HEADERS = True
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]


def test_without_trust_the_connection_is_the_client(settings):
    settings.TRUST_PROXY_HEADERS = False
    request = request_from("203.0.113.9", "198.51.100.1")

    assert client_ip(request) == "203.0.113.9"


def test_behind_a_trusted_balancer_the_right_most_untrusted_hop_is_the_client(
    behind_a_balancer,
):
    # The client claims 1.2.3.4; the balancer appends the address it really saw.
    request = request_from(BALANCER, "1.2.3.4, 203.0.113.9")

    assert client_ip(request) == "203.0.113.9"


def test_several_trusted_proxies_are_walked_past(behind_a_balancer):
    request = request_from(BALANCER, "1.2.3.4, 203.0.113.9, 10.1.2.3")

    assert client_ip(request) == "203.0.113.9"


def test_a_client_reaching_the_app_directly_gains_nothing_from_the_header(behind_a_balancer):
    request = request_from("203.0.113.9", "10.0.0.99")

    assert client_ip(request) == "203.0.113.9"


def test_a_balancer_that_forwards_no_header_is_the_client_it_knows(behind_a_balancer):
    assert client_ip(request_from(BALANCER)) == BALANCER
    assert client_ip(request_from(BALANCER, "not an address")) == BALANCER


@pytest.mark.django_db
def test_readers_behind_one_balancer_have_rate_limits_of_their_own(
    behind_a_balancer, settings, client, make_article, post_review
):
    settings.REVIEWS_RATE_LIMIT_COUNT = 1
    first, second = make_article(), make_article()

    def send(article, reader: str):
        return post_review(article, ip=BALANCER, forwarded_for=reader)

    assert send(first, "203.0.113.1").status_code == 302
    assert send(second, "203.0.113.2").status_code == 302
    assert send(second, "203.0.113.1").status_code == 429
    fingerprints = set(Review.objects.values_list("fingerprint", flat=True))
    assert len(fingerprints) == 2


@pytest.mark.django_db
def test_a_client_set_header_without_trust_gains_no_fresh_bucket(
    settings, make_article, post_review
):
    settings.TRUST_PROXY_HEADERS = False
    settings.REVIEWS_RATE_LIMIT_COUNT = 1
    first, second = make_article(), make_article()

    assert post_review(first, forwarded_for="203.0.113.1").status_code == 302
    assert post_review(second, forwarded_for="203.0.113.2").status_code == 429


@pytest.mark.django_db
def test_a_forwarded_scheme_counts_only_from_a_trusted_proxy(behind_a_balancer, settings, client):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = []

    proxied = client.get("/admin/login/", REMOTE_ADDR=BALANCER, HTTP_X_FORWARDED_PROTO="https")
    direct = client.get("/admin/login/", REMOTE_ADDR="203.0.113.9", HTTP_X_FORWARDED_PROTO="https")

    assert proxied.status_code == 200
    assert direct.status_code == 301


@pytest.mark.parametrize(
    ("address", "client"),
    [
        ("203.0.113.7", "203.0.113.7"),
        ("2001:db8:1:2:3:4:5:6", "2001:db8:1:2::/64"),
        ("2001:db8:1:2::", "2001:db8:1:2::/64"),
        ("::ffff:203.0.113.7", "203.0.113.7"),
        ("not an address", "not an address"),
        ("", ""),
    ],
)
def test_a_client_is_its_ipv4_address_or_its_ipv6_64(address, client):
    assert client_network(address) == client

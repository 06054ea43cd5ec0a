"""Where webhooks may go: public addresses only, checked at registration and at each attempt."""

import re
import shutil
import ssl
import subprocess
import time

import pytest

from tests.webhooks.receiver import Drip, Receiver, verify
from webhooks import network
from webhooks.delivery import emit
from webhooks.models import Delivery, Endpoint, EventType

PUBLIC = "93.184.215.14"


@pytest.fixture
def no_allowed_networks(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = []


@pytest.fixture
def dns(monkeypatch) -> dict[str, list[str]]:
    """Play DNS: the names in the returned dict resolve to its addresses, others fail."""
    answers: dict[str, list[str]] = {}

    def resolve(host, port):
        if host in answers:
            return list(answers[host])
        raise OSError(f"{host}: name or service not known")

    monkeypatch.setattr(network, "resolve", resolve)
    return answers


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("https://127.0.0.1/hooks", "loopback"),
        ("https://127.1.2.3/hooks", "loopback"),
        ("https://10.1.2.3/hooks", "private"),
        ("https://172.16.0.9/hooks", "private"),
        ("https://192.168.1.20/hooks", "private"),
        ("https://169.254.169.254/latest/meta-data/", "link-local"),
        ("https://0.0.0.0/hooks", "unspecified"),
        ("https://224.0.0.1/hooks", "multicast"),
        ("https://240.0.0.1/hooks", "reserved"),
        ("https://100.64.0.1/hooks", "non-public"),
        ("https://[::1]/hooks", "loopback"),
        ("https://[::]/hooks", "unspecified"),
        ("https://[fe80::1]/hooks", "link-local"),
        ("https://[fc00::1]/hooks", "private"),
        ("https://[ff02::1]/hooks", "multicast"),
        ("https://[::ffff:127.0.0.1]/hooks", "loopback"),
        ("https://[::ffff:10.0.0.1]/hooks", "private"),
        ("https://[::ffff:169.254.169.254]/hooks", "link-local"),
        ("https://[2002:7f00:1::1]/hooks", "loopback"),
        ("https://[64:ff9b::a9fe:a9fe]/hooks", "link-local"),
        # Not the public internet, though Python 3.11's ipaddress takes them for global.
        ("https://[fec0::1]/hooks", "site-local (deprecated)"),
        ("https://[fed0:1:2::3]/hooks", "site-local (deprecated)"),
        ("https://[3fff::1]/hooks", "documentation"),
        ("https://[3fff:fff:ffff::1]/hooks", "documentation"),
        ("https://192.88.99.1/hooks", "6to4 relay anycast"),
        ("https://[::ffff:192.88.99.1]/hooks", "6to4 relay anycast"),
        ("https://[2002:c058:6301::1]/hooks", "6to4 relay anycast"),
        ("https://192.0.0.8/hooks", "IETF protocol"),
        # Flagged by Python, but for a misleading reason.
        ("https://[2001::1]/hooks", "Teredo tunnel"),
        ("https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/hooks", "Teredo tunnel"),
        ("https://[2001:db8::1]/hooks", "documentation"),
        ("https://203.0.113.7/hooks", "documentation"),
    ],
)
def test_an_address_outside_the_public_internet_is_refused(url, kind, no_allowed_networks):
    with pytest.raises(network.Refused, match=f"an? {re.escape(kind)} address"):
        network.vet(url)


def test_the_address_just_outside_a_refused_network_is_accepted(no_allowed_networks, dns):
    dns["edge.example"] = ["192.88.100.1", "3fff:1000::1", "2001:4860::8888"]

    assert network.vet("https://edge.example/").addresses == (
        "192.88.100.1",
        "3fff:1000::1",
        "2001:4860::8888",
    )


def test_a_host_name_resolving_to_loopback_is_refused(no_allowed_networks):
    with pytest.raises(network.Refused, match="localhost resolves to .* a loopback address"):
        network.vet("https://localhost/hooks")


def test_a_name_with_one_private_address_among_public_ones_is_refused(no_allowed_networks, dns):
    dns["mixed.example"] = [PUBLIC, "10.0.0.7"]

    with pytest.raises(network.Refused, match="10.0.0.7, a private address"):
        network.vet("https://mixed.example/hooks")


def test_a_public_https_endpoint_is_accepted_with_the_addresses_it_was_vetted_at(
    no_allowed_networks, dns
):
    dns["partner.example"] = [PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"]

    target = network.vet("https://Partner.Example:8443/in/hooks?source=newsroom")

    assert target == network.Target(
        scheme="https",
        host="partner.example",
        port=8443,
        path="/in/hooks?source=newsroom",
        addresses=(PUBLIC, "2606:2800:21f:cb07:6820:80da:af6b:8b2c"),
    )


def test_plain_http_to_the_internet_is_refused(no_allowed_networks, dns):
    dns["partner.example"] = [PUBLIC]

    with pytest.raises(network.Refused, match="Use https"):
        network.vet("http://partner.example/hooks")


def test_an_allowed_network_is_accepted_over_http_too(settings):
    settings.WEBHOOK_ALLOWED_NETWORKS = ["127.0.0.0/8", "10.20.0.0/16"]

    assert network.vet("http://127.0.0.1:8080/").addresses == ("127.0.0.1",)
    assert network.vet("http://10.20.3.4/").addresses == ("10.20.3.4",)
    assert network.vet("https://[::ffff:127.0.0.1]/").addresses == ("::ffff:127.0.0.1",)
    with pytest.raises(network.Refused, match="private"):
        network.vet("http://10.21.0.1/")


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("ftp://partner.example/hooks", "starting with https://"),
        ("partner.example/hooks", "starting with https://"),
        ("https://user:secret@partner.example/", "user name and password"),
        ("https://partner.example:99999/", "not a valid URL"),
        ("https://partner.example:0/", "port is not valid"),
        ("https://[::1/", "not a valid URL"),
        ("https://partner.example/a b", "spaces or control characters"),
        ("https://partner.example/\x00", "spaces or control characters"),
        ("https://nowhere.invalid/", "could not be resolved"),
        ("https://" + "a" * 70 + ".example/", "not valid"),
    ],
)
def test_a_malformed_url_is_refused_with_a_reason(url, message, no_allowed_networks, dns):
    with pytest.raises(network.Refused, match=message):
        network.vet(url)


def test_a_non_ascii_path_is_sent_percent_encoded(no_allowed_networks, dns):
    dns["partner.example"] = [PUBLIC]

    assert network.vet("https://partner.example/hooks/ünï?q=ä").path == (
        "/hooks/%C3%BCn%C3%AF?q=%C3%A4"
    )


# -- At delivery time: checked again, and connected to what was checked -----------------------


def deliver_one(endpoint: Endpoint, run_tasks) -> Delivery:
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1}, endpoints=[endpoint])
    run_tasks()
    return event.deliveries.get()


@pytest.mark.django_db
def test_a_name_that_resolves_elsewhere_at_delivery_is_not_contacted(
    no_allowed_networks, dns, receiver, run_tasks
):
    dns["partner.example"] = [PUBLIC]
    endpoint = Endpoint.objects.create(url="https://partner.example/hooks", events=[])
    # DNS rebinding: the name now points at the server itself.
    dns["partner.example"] = ["127.0.0.1"]

    delivery = deliver_one(endpoint, run_tasks)

    assert receiver.requests == []
    assert delivery.status == Delivery.Status.PENDING
    assert "Not sent" in delivery.last_error
    assert "127.0.0.1, a loopback address" in delivery.last_error


@pytest.mark.django_db
def test_delivery_connects_to_the_vetted_address_and_sends_the_urls_host(
    loopback_allowed, dns, receiver, run_tasks
):
    dns["hooks.partner.test"] = ["127.0.0.1"]
    endpoint = Endpoint.objects.create(
        url=receiver.url(host="hooks.partner.test"), events=[EventType.STORY_PUBLISHED]
    )

    delivery = deliver_one(endpoint, run_tasks)

    assert delivery.status == Delivery.Status.SUCCEEDED
    (request,) = receiver.requests
    assert request.headers["host"] == f"hooks.partner.test:{receiver.port}"
    verify(endpoint.secret, request)


def certificate(tmp_path, name: str) -> tuple[str, str]:
    """Make a self-signed certificate for *name* with openssl; return (cert, key) paths."""
    cert, key = tmp_path / f"{name}.pem", tmp_path / f"{name}.key"
    subprocess.run(
        [
            *("openssl", "req", "-x509", "-newkey", "ec"),
            *("-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes", "-days", "1"),
            *("-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"),
            *("-keyout", str(key), "-out", str(cert)),
        ],
        check=True,
        capture_output=True,
    )
    return str(cert), str(key)


@pytest.fixture
def tls_receiver(tmp_path, monkeypatch):
    """Return a function starting an https receiver whose certificate names *name*, the
    certificate trusted by the delivery code as a CA would be."""
    if shutil.which("openssl") is None:
        pytest.skip("openssl is needed to make a test certificate")
    started = []

    def start(name: str) -> Receiver:
        cert, key = certificate(tmp_path, name)
        server_side = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        server_side.load_cert_chain(cert, key)
        trusted = ssl.create_default_context(cafile=cert)
        monkeypatch.setattr(network, "tls_context", lambda: trusted)
        receiver = Receiver(tls=server_side).start()
        started.append(receiver)
        return receiver

    yield start
    for receiver in started:
        receiver.stop()


@pytest.mark.django_db
def test_over_https_the_urls_name_goes_in_sni_and_the_certificate_check(
    loopback_allowed, dns, tls_receiver, run_tasks
):
    dns["hooks.partner.test"] = ["127.0.0.1"]
    receiver = tls_receiver("hooks.partner.test")
    endpoint = Endpoint.objects.create(url=receiver.url(host="hooks.partner.test"), events=[])

    delivery = deliver_one(endpoint, run_tasks)

    assert delivery.status == Delivery.Status.SUCCEEDED
    assert receiver.server_names == ["hooks.partner.test"]
    verify(endpoint.secret, receiver.requests[0])


@pytest.mark.django_db
def test_over_https_an_answer_dripped_slowly_is_cut_off_at_the_deadline(
    loopback_allowed, dns, tls_receiver, run_tasks, settings
):
    settings.WEBHOOK_TIMEOUT = 1
    dns["hooks.partner.test"] = ["127.0.0.1"]
    receiver = tls_receiver("hooks.partner.test")
    receiver.plan(Drip(every=0.3, lines=20))
    endpoint = Endpoint.objects.create(url=receiver.url(host="hooks.partner.test"), events=[])

    started = time.monotonic()
    delivery = deliver_one(endpoint, run_tasks)

    assert time.monotonic() - started < 3
    assert len(receiver.requests) == 1
    assert delivery.status == Delivery.Status.PENDING
    assert "No answer within 1 s" in delivery.last_error


@pytest.mark.django_db
def test_over_https_a_certificate_for_another_name_is_refused(
    loopback_allowed, dns, tls_receiver, run_tasks
):
    dns["hooks.partner.test"] = ["127.0.0.1"]
    receiver = tls_receiver("somebody-else.test")
    endpoint = Endpoint.objects.create(url=receiver.url(host="hooks.partner.test"), events=[])

    delivery = deliver_one(endpoint, run_tasks)

    assert receiver.requests == []
    assert delivery.status == Delivery.Status.PENDING
    assert "SSLCertVerificationError" in delivery.last_error

"""Signing up: the footer's and list pages' forms on cached pages, the sign-up page, the limits."""

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Region, Rubric
from newsletters import services
from newsletters.models import OptOut, Subscriber
from tests.helpers import READER_IP, SITE

SUBSCRIBE = reverse("newsletters:subscribe")
SIGNUP = reverse("newsletters:signup")
SAME_ORIGIN = {"HTTP_SEC_FETCH_SITE": "same-origin"}


@pytest.fixture
def caucasus(db) -> Region:
    return Region.objects.create(name="South Caucasus", slug="south-caucasus")


def footer_post(client, data, ip=READER_IP, **headers):
    return client.post(SUBSCRIBE, data, REMOTE_ADDR=ip, **{**SAME_ORIGIN, **headers})


def test_every_page_has_the_footer_form_and_stays_shareable(client, published_article, caucasus):
    response = client.get("/")

    html = response.content.decode()
    assert f'action="{SUBSCRIBE}"' in html
    assert 'value="south-caucasus"' in html
    assert "csrfmiddlewaretoken" not in html
    assert "public" in response["Cache-Control"]
    assert "Set-Cookie" not in response


def test_region_rubric_and_author_lists_offer_their_own_sign_up_but_tag_lists_do_not(
    client, make_article, caucasus, author_user
):
    make_article(region=caucasus, authors=[author_user.author_profile], tags=["ports"])

    region_page = client.get(reverse("articles:region", args=["south-caucasus"])).content.decode()
    assert '<input type="hidden" name="region" value="south-caucasus">' in region_page
    author_page = client.get(reverse("articles:author", args=["arthur-dent"])).content.decode()
    assert '<input type="hidden" name="author" value="arthur-dent">' in author_page
    tag_page = client.get(reverse("articles:tag", args=["ports"])).content.decode()
    assert "newsletter-list-email" not in tag_page


def test_a_reader_signs_up_from_the_footer_and_gets_only_a_confirmation(
    client, caucasus, smtp_server, after_commit
):
    with after_commit():
        response = footer_post(
            client,
            {"email": " Nare@Example.org ", "region": "south-caucasus", "frequency": "daily"},
        )

    assert response.status_code == 302
    assert response["Location"] == reverse("newsletters:sent")
    subscriber = Subscriber.objects.get()
    assert (subscriber.email, subscriber.status, subscriber.frequency) == (
        "nare@example.org",
        "unconfirmed",
        "daily",
    )
    assert list(subscriber.regions.values_list("slug", flat=True)) == ["south-caucasus"]
    [confirmation] = smtp_server.messages
    assert confirmation.to == "nare@example.org"
    assert confirmation.link_to("/newsletter/confirm/").startswith(f"{SITE}/newsletter/confirm/")
    # Only the site's own words: not even the choices made on the form.
    assert "South Caucasus" not in confirmation.text
    assert "south-caucasus" not in confirmation.text
    assert "Nare" not in confirmation.text
    assert confirmation.message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"


def test_a_bad_address_is_refused_with_a_clear_message_and_everything_typed_kept(client, caucasus):
    response = footer_post(
        client, {"email": "nare at example", "region": "south-caucasus", "frequency": "daily"}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "This does not look like an email address" in html
    assert 'value="nare at example"' in html
    assert 'value="south-caucasus" id="id_region_0" checked' in html
    assert 'value="daily" id="id_frequency_0" checked' in html
    assert 'aria-invalid="true"' in html
    assert "no-store" in response["Cache-Control"]
    assert not Subscriber.objects.exists()


def test_a_post_not_shown_to_come_from_our_pages_takes_nothing_and_asks_again(
    client, caucasus, after_commit
):
    data = {"email": "victim@example.org", "region": "south-caucasus", "frequency": "weekly"}
    cross_site = footer_post(client, data, HTTP_SEC_FETCH_SITE="cross-site")
    other_origin = client.post(SUBSCRIBE, data, HTTP_ORIGIN="https://evil.example")
    no_headers = client.post(SUBSCRIBE, data)

    for response in (cross_site, other_origin, no_headers):
        assert response.status_code == 403
        html = response.content.decode()
        assert "please press “Subscribe” once more" in html
        assert 'value="victim@example.org"' in html
        assert "csrfmiddlewaretoken" in html
        assert f'action="{SIGNUP}"' in html
    assert not Subscriber.objects.exists()

    with after_commit():
        from_our_origin = client.post(SUBSCRIBE, data, HTTP_ORIGIN=SITE)
    assert from_our_origin.status_code == 302
    assert Subscriber.objects.filter(email="victim@example.org").exists()


def test_the_sign_up_page_is_never_cached_and_its_form_needs_the_csrf_token(db, caucasus):
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(SIGNUP + "?region=south-caucasus&region=nowhere")

    assert "no-store" in page["Cache-Control"]
    html = page.content.decode()
    assert 'value="south-caucasus" id="id_region_0" checked' in html
    assert browser.post(SIGNUP, {"email": "a@example.org", "frequency": "daily"}).status_code == 403
    token = page.cookies["csrftoken"].value
    sent = browser.post(
        SIGNUP, {"email": "a@example.org", "frequency": "daily", "csrfmiddlewaretoken": token}
    )
    assert sent.status_code == 302


def test_sign_ups_are_limited_per_client_with_what_was_typed_kept(settings, client, db):
    settings.NEWSLETTER_SIGNUP_RATE_LIMIT_COUNT = 2
    for number in range(2):
        assert footer_post(client, {"email": f"r{number}@example.org"}).status_code == 302

    refused = footer_post(client, {"email": "third@example.org", "frequency": "daily"})

    assert refused.status_code == 429
    assert int(refused["Retry-After"]) > 0
    html = refused.content.decode()
    assert "Please try again in" in html
    assert 'value="third@example.org"' in html
    assert not Subscriber.objects.filter(email="third@example.org").exists()
    # Another reader is not held up.
    elsewhere = footer_post(client, {"email": "other@example.org"}, ip="198.51.100.20")
    assert elsewhere.status_code == 302
    # An IPv6 reader counts as their /64, whichever address of it they use.
    for suffix in ("1", "2"):
        ok = footer_post(client, {"email": f"v6{suffix}@example.org"}, ip=f"2001:db8::{suffix}")
        assert ok.status_code == 302
    assert footer_post(client, {"email": "v63@example.org"}, ip="2001:db8::3").status_code == 429


def test_the_answer_is_the_same_whether_the_address_is_subscribed_or_not(
    client, make_subscriber, caucasus, smtp_server, after_commit
):
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    make_subscriber("known@example.org", rubrics=[rubric])
    answers = []
    with after_commit():
        for address in ("known@example.org", "unknown@example.org"):
            response = footer_post(client, {"email": address, "region": "south-caucasus"})
            answers.append((response.status_code, response["Location"]))
    assert answers[0] == answers[1]
    page = client.get(answers[0][1])
    assert "Check your inbox" in page.content.decode()

    # The subscriber's choices were not touched by a form anyone could send…
    known = Subscriber.objects.get(email="known@example.org")
    assert list(known.rubrics.values_list("slug", flat=True)) == ["analysis"]
    assert not known.regions.exists()
    # …and they were told where to change them, with no confirmation to click.
    [notice] = smtp_server.to("known@example.org")
    assert "/newsletter/preferences/" in notice.text
    assert "/newsletter/confirm/" not in notice.text
    [confirmation] = smtp_server.to("unknown@example.org")
    assert "/newsletter/confirm/" in confirmation.text


def test_one_address_gets_one_sign_up_email_an_hour_however_often_it_is_sent(
    client, db, smtp_server, after_commit
):
    with after_commit():
        for ip in ("198.51.100.1", "198.51.100.2", "198.51.100.3"):
            footer_post(client, {"email": "flooded@example.org"}, ip=ip)

    assert len(smtp_server.to("flooded@example.org")) == 1


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"email": ""},
        {"email": "x" * 5000 + "@example.org"},
        {"email": "nul\x00@example.org"},
        {"email": "a@example.org", "region": ["nowhere", "", "x" * 500]},
        {"email": "a@example.org", "rubric": "\x00"},
        {"email": "a@example.org", "author": "<script>"},
        {"email": "a@example.org", "frequency": "hourly"},
        {"email": ["a@example.org", "b@example.org"], "breaking": "maybe"},
        {"email": "ünïcødé@bücher.example"},
        {"email": "a@[127.0.0.1]"},
    ],
)
def test_junk_never_breaks_the_sign_up(client, db, data):
    for url, headers in ((SUBSCRIBE, SAME_ORIGIN), (SIGNUP, {}), (SUBSCRIBE, {})):
        response = client.post(url, data, **headers)
        assert response.status_code in (302, 400, 403), (url, data, response.status_code)


def test_other_methods_and_junk_addresses_answer_without_an_error(client, db):
    assert client.get(SUBSCRIBE).status_code == 405
    assert client.put(SIGNUP).status_code == 405
    assert client.get(SIGNUP + "?region=%00&author=" + "x" * 3000).status_code == 200
    for name in ("confirm", "preferences", "unsubscribe"):
        for token in ("x", "a" * 4000, "eyJzIjoxfQ:1:2", "%E2%80%AE", "..%2F..%2F"):
            url = f"/newsletter/{name}/{token}/"
            assert client.get(url).status_code == 404, url
            assert client.post(url).status_code in (403, 404), url


def test_an_address_that_said_never_again_is_never_mailed_again(
    client, db, smtp_server, after_commit
):
    with after_commit():
        footer_post(client, {"email": "victim@example.org"})
    [confirmation] = smtp_server.to("victim@example.org")
    # "Never send anything to this address again", from the confirmation email.
    never_again = confirmation.link_to("/newsletter/unsubscribe/")
    Client().post(never_again, {"List-Unsubscribe": "One-Click"})
    assert not Subscriber.objects.exists()

    smtp_server.clear()
    with after_commit():
        answer = footer_post(client, {"email": "Victim@Example.org"}, ip="198.51.100.77")

    assert answer.status_code == 302 and answer["Location"] == reverse("newsletters:sent")
    assert smtp_server.to("victim@example.org") == []
    assert not Subscriber.objects.exists()
    # What remembers the wish is no address.
    [opt_out] = OptOut.objects.all()
    assert "victim" not in opt_out.email_hash


def test_a_subscriber_who_left_may_sign_up_again(
    client, make_subscriber, smtp_server, after_commit
):
    subscriber = make_subscriber("nare@example.org")
    services.subscriber_unsubscribe(subscriber_id=subscriber.pk)

    with after_commit():
        footer_post(client, {"email": "nare@example.org"})

    [confirmation] = smtp_server.to("nare@example.org")
    assert "/newsletter/confirm/" in confirmation.text

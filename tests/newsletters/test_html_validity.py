"""The newsletter's pages and its HTML email, checked by the Nu HTML Checker (vnu.jar)."""

from django.urls import reverse

from articles.models import Region
from newsletters import tokens
from tests.html_checker import errors_of
from tests.newsletters.test_signup import SAME_ORIGIN, SUBSCRIBE


def test_the_newsletter_pages_are_valid_html(
    tmp_path, client, make_article, make_subscriber, start_daily, run_tasks, smtp_server
):
    caucasus = Region.objects.create(name="South Caucasus", slug="south-caucasus")
    make_article(region=caucasus, title="Ports & “cargo” <compete>")
    subscriber = make_subscriber("nare@example.org", regions=[caucasus])
    waiting = make_subscriber("omar@example.org", confirmed=False)
    start_daily()
    run_tasks()
    [digest] = smtp_server.messages

    pages = {
        "home with the footer form": client.get("/").content,
        "region list with its box": client.get(
            reverse("articles:region", args=["south-caucasus"])
        ).content,
        "sign-up": client.get(reverse("newsletters:signup")).content,
        "sign-up with errors": client.post(
            SUBSCRIBE, {"email": "nope", "region": "south-caucasus"}, **SAME_ORIGIN
        ).content,
        "check your inbox": client.get(reverse("newsletters:sent")).content,
        "confirm": client.get(tokens.url(tokens.CONFIRM, waiting.pk)).content,
        "preferences": client.get(tokens.url(tokens.PREFERENCES, subscriber.pk)).content,
        "unsubscribe": client.get(tokens.url(tokens.UNSUBSCRIBE, subscriber.pk)).content,
        "bad link": client.get("/newsletter/confirm/nonsense/").content,
        "digest email": digest.html.encode(),
    }

    assert errors_of(pages, tmp_path) == {name: [] for name in pages}

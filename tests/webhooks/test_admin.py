import pytest
from django.test import Client
from django.urls import reverse

from audit.models import AuditEntry
from tests.helpers import logged_in, staff
from tests.webhooks.receiver import verify
from webhooks import services
from webhooks.delivery import emit
from webhooks.models import Delivery, Endpoint, EventType

ADD_URL = reverse("admin:webhooks_endpoint_add")
ENDPOINTS_URL = reverse("admin:webhooks_endpoint_changelist")
DELIVERIES_URL = reverse("admin:webhooks_delivery_changelist")


def endpoint_url(endpoint: Endpoint, view: str = "change") -> str:
    return reverse(f"admin:webhooks_endpoint_{view}", args=[endpoint.pk])


def delivery_url(delivery: Delivery, view: str = "change") -> str:
    return reverse(f"admin:webhooks_delivery_{view}", args=[delivery.pk])


def add_data(url: str, **overrides) -> dict:
    data = {
        "url": url,
        "description": "Syndication partner",
        "events": ["story.published", "story.unpublished"],
        "active": "on",
    }
    data.update(overrides)
    return data


def failed_delivery(endpoint: Endpoint, receiver, run_tasks, settings) -> Delivery:
    """Return a delivery given up after one 500 (a one-attempt schedule)."""
    settings.WEBHOOK_RETRY_SCHEDULE = []
    receiver.plan(500)
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()
    delivery = event.deliveries.get(endpoint=endpoint)
    assert delivery.status == Delivery.Status.FAILED
    return delivery


# -- Registering an endpoint --------------------------------------------------------------------


def test_an_editor_registers_an_endpoint_and_sees_its_secret(
    editor_client, editor, receiver, loopback_allowed
):
    response = editor_client.post(ADD_URL, add_data(receiver.url()))

    assert response.status_code == 302
    endpoint = Endpoint.objects.get()
    assert endpoint.url == receiver.url()
    assert endpoint.events == ["story.published", "story.unpublished"]
    assert endpoint.created_by == editor
    assert endpoint.secret.startswith("whsec_")
    page = editor_client.get(endpoint_url(endpoint)).content.decode()
    assert endpoint.secret in page
    assert endpoint.secret not in editor_client.get(ENDPOINTS_URL).content.decode()
    entry = AuditEntry.objects.get(action=AuditEntry.Action.CREATED)
    assert entry.details == {"model": "webhooks.endpoint", "id": endpoint.pk}
    assert entry.actor == editor


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("https://127.0.0.1/hooks", "127.0.0.1, a loopback address"),
        ("https://10.0.0.8/hooks", "10.0.0.8, a private address"),
        ("https://169.254.169.254/latest/meta-data/", "a link-local address"),
        ("https://[::1]/hooks", "::1, a loopback address"),
        ("https://[::ffff:127.0.0.1]/hooks", "a loopback address"),
        ("https://localhost:8000/hooks", "localhost resolves to"),
    ],
)
def test_an_endpoint_inside_our_network_is_refused_with_a_form_error(
    editor_client, settings, url, message
):
    settings.WEBHOOK_ALLOWED_NETWORKS = []

    response = editor_client.post(ADD_URL, add_data(url))

    assert response.status_code == 200
    assert message in " ".join(response.context["adminform"].form.errors["url"])
    assert not Endpoint.objects.exists()


@pytest.mark.parametrize(
    "url",
    [
        "",
        "x" * 600,
        "javascript:alert(1)",
        "https://",
        "https://[::1",
        "https://partner.example:70000/",
        "https://exa mple.com/",
        "https://\x00/",
        "https://" + "é" * 80 + ".example/",
        "https://user@partner.example/",
        "http://[fe80::1%25eth0]/",
    ],
)
def test_no_bad_address_gives_a_server_error_but_a_form_error(editor_client, url):
    response = editor_client.post(ADD_URL, add_data(url))

    assert response.status_code == 200
    assert response.context["adminform"].form.errors["url"]


def test_an_endpoint_needs_at_least_one_event(editor_client, receiver, loopback_allowed):
    response = editor_client.post(ADD_URL, add_data(receiver.url(), events=[]))

    assert response.status_code == 200
    assert not Endpoint.objects.exists()


def test_an_unknown_event_type_is_refused(editor_client, receiver, loopback_allowed):
    response = editor_client.post(ADD_URL, add_data(receiver.url(), events=["story.stolen"]))

    assert response.status_code == 200
    assert not Endpoint.objects.exists()


def test_changing_an_endpoint_is_audited_and_switching_it_on_clears_the_reason(
    editor_client, endpoint
):
    endpoint.active = False
    endpoint.disabled_reason = "The endpoint answered 410 Gone."
    endpoint.save()

    response = editor_client.post(
        endpoint_url(endpoint), add_data(endpoint.url, events=["review.approved"])
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.active
    assert endpoint.disabled_reason == ""
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EDITED)
    assert set(entry.details["fields"]) >= {"events", "active"}


def test_deleting_an_endpoint_is_audited(editor_client, endpoint):
    response = editor_client.post(endpoint_url(endpoint, "delete"), {"post": "yes"})

    assert response.status_code == 302
    assert not Endpoint.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETED).exists()


def test_an_editor_deletes_an_endpoint_with_its_deliveries(
    editor_client, endpoint, receiver, run_tasks
):
    receiver.plan(500)
    emit(EventType.STORY_PUBLISHED, key="one", data={"id": 1})
    emit(EventType.STORY_UNPUBLISHED, key="two", data={"id": 1})
    run_tasks()
    assert endpoint.deliveries.count() == 2

    page = editor_client.get(endpoint_url(endpoint, "delete"))
    response = editor_client.post(endpoint_url(endpoint, "delete"), {"post": "yes"})

    assert "Webhook deliveries: 2" in page.content.decode()
    assert not page.context["perms_lacking"]
    assert response.status_code == 302
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()
    assert AuditEntry.objects.filter(action=AuditEntry.Action.DELETED).exists()


def test_an_editor_deletes_endpoints_with_deliveries_in_bulk(
    editor_client, make_endpoint, receiver, run_tasks
):
    make_endpoint(url=receiver.url("/one"))
    make_endpoint(url=receiver.url("/two"))
    emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()

    response = editor_client.post(
        ENDPOINTS_URL,
        {
            "action": "delete_selected",
            "_selected_action": list(Endpoint.objects.values_list("pk", flat=True)),
            "post": "yes",
        },
    )

    assert response.status_code == 302
    assert not Endpoint.objects.exists()
    assert not Delivery.objects.exists()


def test_the_endpoint_list_shows_the_last_delivery(editor_client, endpoint, receiver, run_tasks):
    emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()

    page = editor_client.get(ENDPOINTS_URL).content.decode()

    assert "✓ succeeded" in page


# -- Rotating the secret, sending a test event ------------------------------------------------


def test_rotating_the_secret_keeps_the_old_one_signing_for_a_while(
    editor_client, endpoint, receiver, run_tasks
):
    old = endpoint.secret

    response = editor_client.post(endpoint_url(endpoint, "rotate_secret"))

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert endpoint.secret != old
    assert endpoint.signing_secrets() == [endpoint.secret, old]
    entry = AuditEntry.objects.get(action=AuditEntry.Action.EDITED)
    assert entry.details["secret"] == "rotated"
    assert old not in str(entry.details) and endpoint.secret not in str(entry.details)
    emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()
    verify(old, receiver.requests[0])
    verify(endpoint.secret, receiver.requests[0])


def test_rotating_twice_keeps_every_replaced_secret_signing(
    editor_client, endpoint, receiver, run_tasks
):
    first = endpoint.secret

    # A double-click: two rotations a moment apart.
    editor_client.post(endpoint_url(endpoint, "rotate_secret"))
    endpoint.refresh_from_db()
    second = endpoint.secret
    editor_client.post(endpoint_url(endpoint, "rotate_secret"))
    endpoint.refresh_from_db()
    emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()

    assert len({first, second, endpoint.secret}) == 3
    (request,) = receiver.requests
    for secret in (first, second, endpoint.secret):
        verify(secret, request)
    page = editor_client.get(endpoint_url(endpoint)).content.decode()
    assert page.count("One still signs beside the current one until") == 2
    assert "each secret it replaces keeps signing beside it for 24 hours" in page


def test_a_rotation_beyond_the_most_replaced_secrets_is_refused_with_a_message(
    editor_client, endpoint
):
    for _rotation in range(services.MOST_EARLIER_SECRETS):
        editor_client.post(endpoint_url(endpoint, "rotate_secret"))
    endpoint.refresh_from_db()
    secrets = endpoint.signing_secrets()

    response = editor_client.post(endpoint_url(endpoint, "rotate_secret"), follow=True)

    assert "Not rotated: 5 replaced secrets still sign" in response.content.decode()
    endpoint.refresh_from_db()
    assert endpoint.signing_secrets() == secrets


def test_the_tools_are_buttons_that_post(editor_client, endpoint):
    assert editor_client.get(endpoint_url(endpoint, "rotate_secret")).status_code == 405
    assert editor_client.get(endpoint_url(endpoint, "send_test")).status_code == 405
    page = editor_client.get(endpoint_url(endpoint)).content.decode()
    assert f'formaction="{endpoint_url(endpoint, "send_test")}"' in page
    assert f'formaction="{endpoint_url(endpoint, "rotate_secret")}"' in page


def test_a_test_event_goes_to_that_endpoint_only(editor_client, make_endpoint, receiver, run_tasks):
    tested = make_endpoint(url=receiver.url("/tested"), events=[], active=False)
    make_endpoint(url=receiver.url("/other"))

    response = editor_client.post(endpoint_url(tested, "send_test"), follow=True)
    run_tasks()

    assert "A test event is on its way." in response.content.decode()
    (request,) = receiver.requests
    assert request.path == "/tested"
    payload = verify(tested.secret, request)
    assert payload["type"] == "webhook.test"
    assert tested.deliveries.get().status == Delivery.Status.SUCCEEDED


@pytest.mark.parametrize("object_id", ["999999", "abc", "1%00"])
def test_the_tools_of_an_unknown_endpoint_are_not_found(editor_client, object_id):
    url = reverse("admin:webhooks_endpoint_send_test", args=[object_id])

    assert editor_client.post(url).status_code == 404


# -- Deliveries -------------------------------------------------------------------------------


def test_send_again_makes_a_new_attempt_with_the_same_webhook_id(
    editor_client, endpoint, receiver, run_tasks, settings
):
    delivery = failed_delivery(endpoint, receiver, run_tasks, settings)
    page = editor_client.get(delivery_url(delivery)).content.decode()
    assert f'formaction="{delivery_url(delivery, "send_again")}"' in page

    response = editor_client.post(delivery_url(delivery, "send_again"))
    assert response.status_code == 302
    run_tasks()

    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED
    assert delivery.attempts == 2
    first, second = receiver.requests
    assert first.webhook_id == second.webhook_id == delivery.event.message_id
    verify(endpoint.secret, second)


def test_send_again_as_a_bulk_action(editor_client, endpoint, receiver, run_tasks, settings):
    delivery = failed_delivery(endpoint, receiver, run_tasks, settings)

    response = editor_client.post(
        DELIVERIES_URL, {"action": "send_again", "_selected_action": [delivery.pk]}, follow=True
    )
    run_tasks()

    assert "1 delivery queued again." in response.content.decode()
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.SUCCEEDED


def test_send_again_skips_a_switched_off_endpoint(
    editor_client, endpoint, receiver, run_tasks, settings
):
    delivery = failed_delivery(endpoint, receiver, run_tasks, settings)
    Endpoint.objects.update(active=False)

    response = editor_client.post(delivery_url(delivery, "send_again"), follow=True)
    run_tasks()

    assert "was not queued" in response.content.decode()
    assert len(receiver.requests) == 1


def test_the_delivery_list_shows_and_filters(editor_client, endpoint, receiver, run_tasks):
    receiver.plan(500)
    emit(EventType.STORY_PUBLISHED, key="one", data={"id": 1})
    emit(EventType.STORY_UNPUBLISHED, key="two", data={"id": 1})
    run_tasks()

    page = editor_client.get(DELIVERIES_URL).content.decode()
    assert "story.published" in page and "story.unpublished" in page
    pending = editor_client.get(DELIVERIES_URL, {"status__exact": "pending"})
    assert pending.context["cl"].result_count == 1
    by_type = editor_client.get(DELIVERIES_URL, {"type": "story.unpublished"})
    assert by_type.context["cl"].result_count == 1
    for params in (
        {"type": "nonsense"},
        {"status__exact": "x" * 300},
        {"endpoint__id__exact": "a"},
    ):
        assert editor_client.get(DELIVERIES_URL, params).status_code in (200, 302)


def test_a_delivery_and_its_event_are_read_only(editor_client, endpoint, receiver, run_tasks):
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"title": "<script>x</script>"})
    run_tasks()
    delivery = event.deliveries.get()

    page = editor_client.get(delivery_url(delivery))
    event_page = editor_client.get(reverse("admin:webhooks_event_change", args=[event.pk]))

    assert page.status_code == 200 and event_page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert "&lt;script&gt;" in event_page.content.decode()
    assert editor_client.get(reverse("admin:webhooks_delivery_add")).status_code == 403


# -- Who may do what ----------------------------------------------------------------------------


@pytest.fixture
def people(db, django_user_model, editor, superuser):
    return {
        "author": staff(django_user_model, "arthur", "Authors"),
        "moderator": staff(django_user_model, "mona", "Moderators"),
        "editor": editor,
        "superuser": superuser,
    }


@pytest.mark.parametrize(
    ("role", "allowed"),
    [("author", False), ("moderator", False), ("editor", True), ("superuser", True)],
)
def test_only_editors_open_the_webhook_pages(people, role, allowed, endpoint, receiver, run_tasks):
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()
    delivery = event.deliveries.get()
    client = logged_in(people[role])
    pages = [
        ENDPOINTS_URL,
        ADD_URL,
        endpoint_url(endpoint),
        endpoint_url(endpoint, "delete"),
        DELIVERIES_URL,
        delivery_url(delivery),
        reverse("admin:webhooks_event_changelist"),
        reverse("admin:webhooks_event_change", args=[event.pk]),
    ]

    answers = {url: client.get(url).status_code for url in pages}

    assert answers == {url: 200 if allowed else 403 for url in pages}


@pytest.mark.parametrize("role", ["author", "moderator"])
def test_others_are_refused_the_tools_and_change_nothing(
    people, role, endpoint, receiver, run_tasks
):
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()
    delivery = event.deliveries.get()
    secret = endpoint.secret
    client = logged_in(people[role])

    answers = [
        client.post(endpoint_url(endpoint, "rotate_secret")).status_code,
        client.post(endpoint_url(endpoint, "send_test")).status_code,
        client.post(delivery_url(delivery, "send_again")).status_code,
        client.post(ADD_URL, add_data("https://partner.example/")).status_code,
        client.post(
            DELIVERIES_URL, {"action": "send_again", "_selected_action": [delivery.pk]}
        ).status_code,
    ]
    run_tasks()

    assert answers == [403] * 5
    endpoint.refresh_from_db()
    assert endpoint.secret == secret
    assert Endpoint.objects.count() == 1
    assert len(receiver.requests) == 1


@pytest.mark.parametrize("role", ["author", "moderator"])
def test_others_may_not_delete_an_endpoint_or_its_deliveries(
    people, role, endpoint, receiver, run_tasks
):
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()
    delivery = event.deliveries.get()
    client = logged_in(people[role])

    answers = [
        client.post(endpoint_url(endpoint, "delete"), {"post": "yes"}).status_code,
        client.post(delivery_url(delivery, "delete"), {"post": "yes"}).status_code,
        client.post(
            ENDPOINTS_URL,
            {"action": "delete_selected", "_selected_action": [endpoint.pk], "post": "yes"},
        ).status_code,
    ]

    assert answers == [403] * 3
    assert Endpoint.objects.count() == 1
    assert Delivery.objects.count() == 1


def test_an_editor_may_not_delete_a_delivery_alone(editor_client, endpoint, receiver, run_tasks):
    event = emit(EventType.STORY_PUBLISHED, key="k", data={"id": 1})
    run_tasks()
    delivery = event.deliveries.get()

    response = editor_client.post(delivery_url(delivery, "delete"), {"post": "yes"})

    assert response.status_code == 403
    assert Delivery.objects.count() == 1


def test_anonymous_visitors_go_to_the_login(endpoint):
    response = Client().post(endpoint_url(endpoint, "rotate_secret"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize(
    ("url", "params"),
    [
        (DELIVERIES_URL, {"created_at__year": "abc"}),
        (DELIVERIES_URL, {"q": "\x00' OR 1=1 --"}),
        (DELIVERIES_URL, {"o": "99"}),
        (ENDPOINTS_URL, {"active__exact": "maybe"}),
        (ENDPOINTS_URL, {"q": "%" * 300}),
        (reverse("admin:webhooks_event_changelist"), {"type__exact": "<b>"}),
        (reverse("admin:webhooks_endpoint_change", args=["abc"]), {}),
        (reverse("admin:webhooks_delivery_change", args=["999999"]), {}),
    ],
)
def test_odd_parameters_never_give_a_server_error(editor_client, url, params):
    assert editor_client.get(url, params).status_code in (200, 302)


def test_an_endpoint_whose_name_stopped_resolving_can_still_be_switched_off(
    editor_client, endpoint, settings
):
    Endpoint.objects.filter(pk=endpoint.pk).update(url="https://gone.invalid/hooks")

    response = editor_client.post(
        endpoint_url(endpoint), add_data("https://gone.invalid/hooks", active="")
    )

    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert not endpoint.active

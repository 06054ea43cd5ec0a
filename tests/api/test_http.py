"""The API over HTTP: caching headers, CORS, the rate limit, problem+json, the schema and docs."""

import json
from datetime import timedelta

import pytest
from django.db import OperationalError, connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openapi_spec_validator import validate

from api import views
from tests.api.helpers import is_problem
from tests.helpers import SITE

pytestmark = pytest.mark.django_db


class TestCaching:
    def test_public_answers_are_public_with_an_etag_and_answer_304(
        self, api_get, published_article
    ):
        for path in ("stories/", f"stories/{published_article.slug}/", "regions/", "openapi.json"):
            first = api_get(path)
            assert first.status_code == 200
            assert "public" in first["Cache-Control"]
            etag = first["ETag"]
            again = api_get(path, headers={"If-None-Match": etag})
            assert again.status_code == 304, path
            assert again["ETag"] == etag

    def test_lists_may_be_kept_only_briefly_by_a_cdn(self, api_get, settings, published_article):
        settings.API_LIST_MAX_AGE = 7
        assert "s-maxage=7" in api_get("stories/")["Cache-Control"]
        assert (
            f"s-maxage={settings.PAGE_MAX_AGE}"
            in api_get(f"stories/{published_article.slug}/")["Cache-Control"]
        )

    def test_keyed_answers_are_private_with_their_own_etag_and_answer_304(
        self, api_get, embargo_key, published_article, scheduled_article
    ):
        _key, token = embargo_key
        first = api_get("stories/", token)
        assert first.status_code == 200
        assert "private" in first["Cache-Control"] and "public" not in first["Cache-Control"]
        again = api_get("stories/", token, headers={"If-None-Match": first["ETag"]})
        assert again.status_code == 304
        assert "private" in again["Cache-Control"]
        assert api_get("stories/", headers={"If-None-Match": first["ETag"]}).status_code == 200

    def test_a_changed_story_answers_200_to_its_old_etag(self, api_get, published_article):
        path = f"stories/{published_article.slug}/"
        etag = api_get(path)["ETag"]
        published_article.title = "Renamed"
        published_article.save()
        response = api_get(path, headers={"If-None-Match": etag})
        assert response.status_code == 200 and response.json()["title"] == "Renamed"


class TestCors:
    ORIGIN = {"Origin": "https://partner.example"}

    def test_get_answers_carry_cors_headers_on_a_miss_and_on_a_hit(
        self, api_get, published_article
    ):
        for _attempt in ("miss", "hit"):
            response = api_get("stories/", headers=self.ORIGIN)
            assert response["Access-Control-Allow-Origin"] == "*"
            assert "ETag" in response["Access-Control-Expose-Headers"]

    def test_a_preflight_allows_reading_with_a_key(self, client):
        response = client.options(
            "/api/v1/stories/",
            HTTP_ORIGIN="https://partner.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
            HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization",
        )
        assert response.status_code == 204
        assert response["Access-Control-Allow-Origin"] == "*"
        assert set(response["Access-Control-Allow-Headers"].split(", ")) == {
            "authorization",
            "if-none-match",
            "accept",
        }
        assert set(response["Access-Control-Allow-Methods"].split(", ")) == {
            "GET",
            "HEAD",
            "OPTIONS",
        }
        assert int(response["Access-Control-Max-Age"]) > 0

    def test_errors_carry_cors_headers_so_that_browsers_can_read_them(self, api_get):
        response = api_get("stories/no-such-story/", headers=self.ORIGIN)
        assert response.status_code == 404
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_every_api_answer_allows_any_origin_and_never_varies_on_it(
        self, client, api_get, published_article
    ):
        # Sent with or without an Origin, from any site: one answer, one copy in a CDN.
        for headers in ({}, self.ORIGIN, {"Origin": "https://other.example"}):
            for path in ("stories/", f"stories/{published_article.slug}/", "nothing/"):
                response = api_get(path, headers=headers)
                assert response["Access-Control-Allow-Origin"] == "*", (path, headers)
                assert "origin" not in response.get("Vary", "").lower(), (path, headers)
        preflight = client.options(
            "/api/v1/stories/",
            HTTP_ORIGIN="https://partner.example",
            HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        )
        assert "origin" not in preflight.get("Vary", "").lower()

    def test_api_answers_vary_on_authorization_so_no_cdn_gives_a_key_the_public_copy(
        self, client, api_get, published_article
    ):
        for _attempt in ("miss", "hit"):
            response = api_get("stories/")
            assert response.status_code == 200
            varies = {part.strip().lower() for part in response["Vary"].split(",")}
            assert {"authorization", "accept-encoding"} <= varies
        # The page cache still keeps and serves them: the second one was a hit.
        with CaptureQueriesContext(connection) as queries:
            assert api_get("stories/").status_code == 200
        assert len(queries) == 0

    def test_reader_pages_carry_no_cors_headers(self, client, published_article):
        response = client.get("/", HTTP_ORIGIN="https://partner.example")
        assert "Access-Control-Allow-Origin" not in response


class TestRateLimit:
    @pytest.fixture(autouse=True)
    def small_limit(self, settings):
        settings.API_RATE_LIMIT_COUNT = 3
        settings.API_RATE_LIMIT_PERIOD = 60

    def test_past_the_limit_a_client_gets_429_with_retry_after_even_from_the_cache(
        self, api_get, published_article
    ):
        for _ in range(3):
            assert api_get("stories/").status_code == 200
        refused = api_get("stories/", headers={"Origin": "https://partner.example"})
        assert is_problem(refused, 429)
        assert 1 <= int(refused["Retry-After"]) <= 60
        assert refused["Access-Control-Allow-Origin"] == "*"

    def test_each_client_and_each_key_has_its_own_budget(self, make_key, published_article):
        _key, token = make_key()
        _other, other_token = make_key(name="Other partner")
        reader, other_reader = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="203.0.113.8")
        for _ in range(3):
            reader.get("/api/v1/stories/")
        assert reader.get("/api/v1/stories/").status_code == 429
        assert other_reader.get("/api/v1/stories/").status_code == 200
        # Behind the same address, a partner's key counts on its own.
        for _ in range(3):
            assert reader.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 200
        assert reader.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 429
        assert reader.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer {other_token}").status_code == 200

    def test_made_up_keys_count_on_the_clients_address(self, published_article):
        reader = Client(REMOTE_ADDR="203.0.113.9")
        for number in range(3):
            bad = reader.get("/api/v1/", HTTP_AUTHORIZATION=f"Bearer nr_made{number:04}_up")
            assert bad.status_code == 401
        assert reader.get("/api/v1/").status_code == 429

    def test_an_ipv6_client_counts_on_its_whole_64_network(self, published_article):
        for number in range(3):
            neighbour = Client(REMOTE_ADDR=f"2001:db8:7:1::{number + 1:x}")
            assert neighbour.get("/api/v1/stories/").status_code == 200
        # Another address of the same /64 (one subscriber's usual share): the same budget.
        elsewhere_in_it = Client(REMOTE_ADDR="2001:db8:7:1:a:b:c:d")
        assert elsewhere_in_it.get("/api/v1/stories/").status_code == 429
        assert Client(REMOTE_ADDR="2001:db8:7:2::1").get("/api/v1/stories/").status_code == 200

    def test_reader_pages_are_not_limited_by_the_api(self, client, published_article):
        for _ in range(5):
            assert client.get("/").status_code == 200


class TestProblems:
    def test_an_unknown_address_under_the_api_is_a_404_problem(self, client):
        for path in ("/api/v1/nothing/", "/api/v2/stories/", "/api/", "/api/v1/stories/x/y/z/"):
            assert is_problem(client.get(path), 404), path

    def test_the_api_address_without_its_slash_is_a_404_problem(self, client):
        response = client.get("/api")
        assert is_problem(response, 404)
        assert response["Access-Control-Allow-Origin"] == "*"

    def test_a_request_for_a_host_not_served_is_a_400_problem_that_says_so(self, client):
        for path in ("/api/v1/stories/", "/api/v1/openapi.json"):
            response = client.get(path, HTTP_HOST="attacker.example")
            assert is_problem(response, 400), path
            body = response.json()
            assert "host" in body["detail"].lower() and "errors" not in body["detail"].lower()
            assert "errors" not in body

    def test_posting_to_the_schema_or_the_docs_is_a_405_problem_not_a_csrf_refusal(self):
        browser = Client(enforce_csrf_checks=True)
        for path in ("/api/v1/docs", "/api/v1/openapi.json"):
            for method in ("post", "put", "delete"):
                response = getattr(browser, method)(path)
                assert is_problem(response, 405), (method, path)
                assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}

    def test_an_unknown_story_is_a_404_problem(self, api_get):
        assert is_problem(api_get("stories/no-such-story/"), 404)

    def test_a_refused_method_is_a_405_problem_with_allow(self, client):
        for method in ("post", "put", "patch", "delete"):
            response = getattr(client, method)("/api/v1/stories/")
            assert is_problem(response, 405), method
            assert set(response["Allow"].split(", ")) == {"GET", "HEAD"}

    def test_head_is_answered_as_get(self, client, published_article):
        response = client.head("/api/v1/stories/")
        assert response.status_code == 200 and response["ETag"]

    def test_refused_parameters_are_a_400_problem_listing_each(self, api_get):
        response = api_get("stories/", limit="many", ordering="random")
        assert is_problem(response, 400)
        assert sorted(error["loc"][1] for error in response.json()["errors"]) == [
            "limit",
            "ordering",
        ]

    def test_a_slug_with_a_control_character_is_a_400_problem(self, client):
        assert is_problem(client.get("/api/v1/stories/a%00b/"), 400)
        assert is_problem(client.get("/api/v1/stories/", {"tag": "a\x00b"}), 400)

    def test_a_server_error_is_a_500_problem(self, monkeypatch, published_article):
        def broken(*args, **kwargs):
            raise RuntimeError("a bug")

        monkeypatch.setattr(views.representations, "story", broken)
        response = Client(raise_request_exception=False).get(
            f"/api/v1/stories/{published_article.slug}/"
        )
        assert is_problem(response, 500)
        assert "a bug" not in response.content.decode()

    def test_a_database_outage_is_a_503_problem_with_retry_after(self, monkeypatch):
        def down(*args, **kwargs):
            raise OperationalError("connection refused")

        monkeypatch.setattr(views, "stories_for", down)
        response = Client(raise_request_exception=False).get("/api/v1/stories/")
        assert is_problem(response, 503)
        assert response["Retry-After"]


class TestRepeatedParameters:
    """A parameter sent twice means its first value, as the page cache reads it, for everyone."""

    @pytest.fixture
    def readers(self, make_key) -> dict[str, Client]:
        _key, token = make_key()
        with_session = Client()
        with_session.cookies["sessionid"] = "a-session"
        return {
            "public": Client(),
            "keyed": Client(HTTP_AUTHORIZATION=f"Bearer {token}"),
            "with a session": with_session,
        }

    @pytest.mark.parametrize(
        "repeated, first",
        [
            ("limit=2&limit=3", "limit=2"),
            ("tag=a&tag=b", "tag=a"),
            ("limit=5&limit=abc", "limit=5"),
            ("limit=abc&limit=5", "limit=abc"),
            ("ordering=updated&ordering=published&limit=1", "ordering=updated&limit=1"),
        ],
    )
    def test_a_repeated_parameter_means_its_first_value_for_every_reader(
        self, readers, make_article, repeated, first
    ):
        for number in range(3):
            make_article(tags=["a"])
            make_article(tags=["b"], publish_at=timezone.now() - timedelta(minutes=number))
        for name, reader in readers.items():
            expected = reader.get(f"/api/v1/stories/?{first}")
            response = reader.get(f"/api/v1/stories/?{repeated}")
            assert response.status_code == expected.status_code, (name, repeated)
            if expected.status_code == 200:
                assert response.json() == expected.json(), (name, repeated)
            public = readers["public"].get(f"/api/v1/stories/?{repeated}")
            assert response.content == public.content, (name, repeated)


class TestSchemaAndDocs:
    def test_the_schema_is_valid_openapi_3(self, client):
        response = client.get("/api/v1/openapi.json")
        assert response.status_code == 200
        schema = response.json()
        validate(schema)
        assert schema["openapi"].startswith("3.")
        assert schema["info"]["version"] == "1"

    def test_the_schema_declares_every_answer_an_operation_gives(self, client):
        schema = client.get("/api/v1/openapi.json").json()
        for path, operations in schema["paths"].items():
            assert set(operations) == {"get"}, path
            answers = operations["get"]["responses"]
            assert {"200", "304", "400", "401", "429", "default"} <= set(answers), path
            assert ("404" in answers) == ("{slug}" in path), path
            assert answers["429"]["headers"]["Retry-After"]["required"] is True
            assert "application/problem+json" in answers["default"]["content"]
            assert operations["get"]["security"] == [{"PartnerKey": []}, {}]
        assert schema["components"]["securitySchemes"]["PartnerKey"]["scheme"] == "bearer"

    def test_the_docs_page_is_served_from_our_own_static_files(self, client):
        response = client.get("/api/v1/docs")
        assert response.status_code == 200
        page = response.content.decode()
        assert "/static/ninja/swagger-ui-bundle.js" in page
        assert "cdn" not in page.lower() and "https://" not in page
        settings_json = page.split('id="swagger-settings">')[1].split("</script>")[0]
        assert json.loads(settings_json)["url"] == "/api/v1/openapi.json"

    def test_the_index_links_everything_on_the_configured_origin(self, api_get):
        links = api_get("").json()
        assert links["stories"] == f"{SITE}/api/v1/stories/"
        assert links["docs"] == f"{SITE}/api/v1/docs"

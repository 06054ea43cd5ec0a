"""The content API's operations (``/api/v1/``), on one ``NinjaAPI``.

Every read of stories starts from ``Article.objects.published()``; a key with the embargo
scope adds ``Article.objects.scheduled()``, and the tags and authors those stories use. Each
list page is one keyset page (``api.pagination``) and costs the same fixed number of queries
however long the list and however deep the page: the rows with their region, rubric and lead
image joined and their sync time and review count computed in the same query, then their
authors, their tags, and the images and embeds their bodies show (one query each).
"""

import functools
import hashlib
import re
from datetime import UTC, datetime
from typing import Annotated, Literal
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    DateTimeField,
    F,
    IntegerField,
    OuterRef,
    Subquery,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.http import Http404, HttpResponse, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.urls import NoReverseMatch, Resolver404, resolve, reverse
from django.utils.cache import get_conditional_response, patch_cache_control
from django.utils.encoding import iri_to_uri
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_safe
from ninja import NinjaAPI, Path, Query, Swagger
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer
from pydantic import WithJsonSchema
from taggit.models import Tag

from api import representations, schemas
from api.keys import PUBLIC, Access, KeyRefused, access_of
from api.pagination import DEFAULT_LIMIT, MAX_LIMIT, Ordering, paginate
from api.problems import (
    PARAMETERS_REFUSED,
    PROBLEM_CONTENT_TYPE,
    ApiProblem,
    Problem,
    parameter_error,
    problem_response,
)
from articles import body, translations
from articles.models import Article, Author, Region, Rubric, in_use_by
from articles.redirects import PUBLIC as REDIRECT_TO_PUBLIC
from articles.redirects import find_redirect, target_state
from articles.search import run_search
from pagecache.middleware import is_personal
from reviews.models import Review
from serving.languages import language_codes
from serving.origin import absolute_url

DESCRIPTION = """\
Newsroom's stories, and what they are filed under, as the site shows them: only what is
public, with every URL absolute. Read-only; no key is needed.

**Partner keys.** Staff issue keys in the admin. Send one as `Authorization: Bearer <key>`.
A key with the `embargo` scope also sees scheduled stories before their time, each with
`embargoed_until`; such a story must not be published before then. The tags and authors
of those stories are open to it too. A bad, expired or revoked key is answered 401, never
with the public view; an empty `Authorization` header is no key.

**Pages.** Lists come in pages of `limit` items (20, at most 100), stories newest first,
with a `next` link to the page after, or null at the end. Pages are cut by cursor, not number:
stories published while a client walks the list never shift it, so nothing is skipped or
repeated, and a page deep in the list costs what the first does. Treat `next` as opaque; a
cursor that was not given out here is a 400.

**Syncing.** `ordering=updated` lists stories by `updated_at`, oldest change first, and
`updated_since` keeps those changed since a time (inclusive). Keep the `updated_at` of the
last story seen and ask again from there, a few seconds earlier: a story saved in the very
instant of a request may show up a moment late. A story's `updated_at` is its last edit, or
the moment it went public if that came later. Under embargo, a scheduled story's is its
last edit; when its time comes it is listed again, with `embargoed_until` null. Stories that
stop being public drop out of every list; webhooks say so.

**Languages.** Stories, regions, rubrics, tags and authors each belong to one of the site's
languages. Lists (and a region or rubric by its slug, which is unique within a language) show
one language at a time: `language=<code>` (`en`, `ru`, …), the site's default language when
left out; an unknown code is a 400. A story says its `language` and names its published
`translations`.

**Parameters.** A parameter sent twice counts once, with its first value.

**Caching.** Public answers are `Cache-Control: public` with an `ETag`; send
`If-None-Match` to get `304 Not Modified` while nothing changed. A story's own answers change
the moment the story does. In lists, counts of reviews and authors' photos may lag a little
(the list's `max-age`). Answers to keyed requests are `private`, with their own `ETag`.
Every answer varies on `Authorization` and allows any origin (CORS), without varying on it.
A story whose slug changed answers its old address with `301` to its new one.

**Limits and errors.** Each client (each key, or each address without one) may send a
limited number of requests per period; past it, 429 with `Retry-After`. Every error is
`application/problem+json` (RFC 9457), with `errors` for refused parameters.
"""

STORIES_NEWEST = Ordering("stories", ("-publish_at", "-pk"))
STORIES_UPDATED = Ordering("stories-updated", ("changed_at", "pk"))
REGIONS = Ordering("regions", ("position", "name", "pk"))
RUBRICS = Ordering("rubrics", ("name", "pk"))
TAGS = Ordering("tags", ("name", "pk"))
AUTHORS = Ordering("authors", ("name", "pk"))
REVIEWS = Ordering("reviews", ("created_at", "pk"))

# No control characters: nothing the site names has one, and PostgreSQL refuses NUL.
SLUG_PATTERN = r"^[^\x00-\x1f\x7f]+$"


class PartnerKey(HttpBearer):
    """Read as the public without a key; as its partner with a valid one; 401 otherwise."""

    def __call__(self, request) -> Access:
        return access_of(request)

    def authenticate(self, request, token):
        raise NotImplementedError  # __call__ reads the header itself (api.keys).


class FirstValueParser(Parser):
    """Read a parameter sent more than once by its first value, as the page cache does.

    The page cache builds a public answer from the first value of each parameter
    (``pagecache.keys.normalised_query``); Django's ``QueryDict`` gives the last. Requests it
    does not hold (with a key or a session) reach the operations with every value, and must
    read them the same way, or ``?limit=2&limit=3`` would answer differently for them.
    """

    def parse_querydict(self, data, list_fields, request):
        parsed = {}
        for key in data:
            values = data.getlist(key)
            if values:
                parsed[key] = values if key in list_fields else values[0]
        return parsed


class ContentAPI(NinjaAPI):
    """The NinjaAPI with the house rules for answers and for the schema.

    Every answer gets an ETag. A shared (public) answer is left to the page cache, which
    stores it, makes it public and answers ``If-None-Match`` (304) on a hit and on a miss
    alike; one it never holds (a key's, a session's) gets its conditional check here, and a
    keyed one is ``private``. The schema declares what every operation may answer besides its
    result: the problems, 304, the optional key, a moved story's 301.
    """

    def create_response(self, request, data, *, status=None, temporal_response=None):
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if response.status_code != 200:
            return response
        access = getattr(request, "auth", PUBLIC)
        if access.is_keyed:
            # Only for the key holder: no shared cache may keep it, and it is checked anew.
            del response["Cache-Control"]
            patch_cache_control(response, private=True, no_cache=True)
        digest = hashlib.md5(response.content, usedforsecurity=False).hexdigest()
        response["ETag"] = f'W/"{digest}"'
        if not is_personal(request):
            # The page cache answers If-None-Match once it has the page: a 304 from here would
            # reach it in place of the page, to be neither stored nor made public.
            return response
        return get_conditional_response(request, etag=response["ETag"], response=response)

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        document_answers(schema)
        return schema


def document_answers(schema: dict) -> None:
    """Declare in *schema* the answers every operation shares (see ContentAPI)."""
    problem = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    components = schema.setdefault("components", {})
    definitions = components.setdefault("schemas", {})
    definitions.update(problem.pop("$defs", {}))
    definitions["Problem"] = problem
    components.setdefault("securitySchemes", {})["PartnerKey"] = {
        "type": "http",
        "scheme": "bearer",
        "description": "A partner key issued by the newsroom (nr_…). Optional.",
    }
    as_problem = {PROBLEM_CONTENT_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}}
    text = {"type": "string"}
    for path, operations in schema["paths"].items():
        # HEAD answers as GET does, without a body; it is not an operation of its own.
        operations.pop("head", None)
        for operation in operations.values():
            operation["security"] = [{"PartnerKey": []}, {}]
            answers = operation["responses"]
            for answer in answers.values():
                answer.setdefault("headers", {})["ETag"] = {"schema": text}
            answers["304"] = {"description": "Not modified: the ETag sent is still current."}
            answers["400"] = {"description": "Refused parameters.", "content": as_problem}
            answers["401"] = {
                "description": "The key is not valid, has expired or was revoked.",
                "headers": {"WWW-Authenticate": {"schema": text, "required": True}},
                "content": as_problem,
            }
            if any(parameter["in"] == "path" for parameter in operation.get("parameters", [])):
                answers["404"] = {"description": "No such public resource.", "content": as_problem}
            if "/stories/{slug}/" in path:
                answers["301"] = {
                    "description": "The story's slug changed: Location is its new address.",
                    "headers": {"Location": {"schema": text, "required": True}},
                }
            answers["429"] = {
                "description": "Too many requests from this client.",
                "headers": {"Retry-After": {"schema": {"type": "integer"}, "required": True}},
                "content": as_problem,
            }
            answers["default"] = {
                "description": "Any other error (405, 500, 503…).",
                "content": as_problem,
            }


def read_only_page(view):
    """Answer the schema and the docs page to GET and HEAD only, without a CSRF check.

    They read nothing from a request, and no cookie opens anything in the API, so any other
    method is refused as the operations refuse it: 405 with ``Allow``, not the 403 the CSRF
    check would give a POST.
    """
    return csrf_exempt(require_safe(view))


api = ContentAPI(
    title="Newsroom content API",
    version="1",
    description=DESCRIPTION,
    urls_namespace="api-v1",
    auth=PartnerKey(),
    parser=FirstValueParser(),
    # Served from our own static files; no validator badge fetched from elsewhere.
    docs=Swagger(settings={"validatorUrl": None, "defaultModelsExpandDepth": 0}),
    docs_decorator=read_only_page,
)


# -- Errors ------------------------------------------------------------------------------------


@api.exception_handler(ApiProblem)
def answer_problem(request, exc):
    return problem_response(exc.status, exc.detail, errors=exc.errors, headers=exc.headers)


@api.exception_handler(KeyRefused)
def answer_refused_key(request, exc):
    return refused(exc.detail)


@api.exception_handler(AuthenticationError)
def answer_unauthenticated(request, exc):
    return refused("")


def refused(detail: str) -> HttpResponse:
    return problem_response(
        401, detail, headers={"WWW-Authenticate": 'Bearer realm="api", error="invalid_token"'}
    )


@api.exception_handler(ValidationError)
def answer_invalid(request, exc):
    errors = [
        {
            "loc": [str(part) if not isinstance(part, int) else part for part in error["loc"]],
            "msg": str(error.get("msg", "")),
            "type": str(error.get("type", "")),
        }
        for error in exc.errors
    ]
    return problem_response(400, str(PARAMETERS_REFUSED), errors=errors)


@api.exception_handler(Http404)
def answer_not_found(request, exc):
    return problem_response(404)


@api.exception_handler(HttpError)
def answer_http_error(request, exc):
    return problem_response(exc.status_code, str(exc))


@api.exception_handler(Exception)
def answer_error(request, exc):
    # Django answers it: logged, and a database outage becomes the 503 page (serving).
    raise exc


# -- Helpers -----------------------------------------------------------------------------------


def read(path: str, **kwargs):
    """Register a read operation: GET, and HEAD answered the same way."""
    return api.api_operation(["GET", "HEAD"], path, **kwargs)


def list_lifetime(response: HttpResponse) -> None:
    """Let a list be kept ``API_LIST_MAX_AGE`` seconds at most: its review counts and photos
    are not invalidated by the page cache (only its stories are)."""
    patch_cache_control(response, max_age=settings.API_LIST_MAX_AGE)


def page_of(request, queryset, order: Ordering, *, limit: int, cursor: str | None, query=None):
    """Return one page of *queryset* and the link to the next one, which keeps *query*."""
    page = paginate(queryset, order, limit=limit, cursor=cursor)
    next_url = None
    if page.next_cursor:
        params = {name: value for name, value in (query or {}).items() if value is not None}
        if limit != DEFAULT_LIMIT:
            params["limit"] = limit
        params["cursor"] = page.next_cursor
        next_url = absolute_url(request.path) + "?" + urlencode_sorted(params)
    return page.items, next_url


def urlencode_sorted(params: dict) -> str:
    # Sorted, as the page cache normalises a query: the next link is the stored address.
    return urlencode(sorted((name, str(value)) for name, value in params.items()))


def visible_stories(access: Access):
    """Return the stories *access* may read: the public ones, and scheduled ones under embargo."""
    if access.embargo:
        return (Article.objects.published() | Article.objects.scheduled()).with_visibility()
    return Article.objects.published()


def approved_review_count():
    """Return each story's number of approved reviews, as a subquery: an index read per story
    on the page, where a join would group every column of the page's rows. Readers' replies
    are not counted, as on the story page."""
    approved = (
        Review.objects.approved()
        .top_level()
        .filter(article=OuterRef("pk"))
        .order_by()
        .values("article")
        .annotate(count=Count("pk"))
        .values("count")
    )
    return Coalesce(Subquery(approved, output_field=IntegerField()), 0)


def stories_for(access: Access):
    """Return the stories *access* may read, with everything their representation needs."""
    # When a story last changed for a reader (representations.changed_at): its last edit, or
    # its publication if later, as the index article_status_changed has it.
    changed_at = Greatest("updated_at", "publish_at")
    if access.embargo:
        # Not its publication yet for a scheduled story: that time is in the future, and a
        # client keeping it as where to sync from would miss every edit until then. It comes
        # again when it goes public, at that time. (Keyed pages are few: no index for this.)
        changed_at = Case(
            When(is_public=True, then=changed_at),
            default=F("updated_at"),
            output_field=DateTimeField(),
        )
    return (
        visible_stories(access)
        .for_story()
        .annotate(changed_at=changed_at, review_count=approved_review_count())
    )


def moved_story(request, slug: str, name: str) -> HttpResponse:
    """Return a 301 from the API address *name* of a story that was at *slug* to its new one.

    From the redirects the site follows for ``/articles/<slug>/`` (``articles.redirects``):
    a renamed story, or an editor's redirect to another story, and only to a public story;
    otherwise a 404. The query goes along, as on the site.
    """
    try:
        target = find_redirect(reverse("articles:detail", kwargs={"slug": slug}))
    except NoReverseMatch:
        # Not a slug the site has addresses for.
        target = None
    if target is None or target_state(target) != REDIRECT_TO_PUBLIC:
        raise Http404
    try:
        match = resolve(target.split("?", 1)[0])
    except Resolver404:
        raise Http404 from None
    if match.view_name != "articles:detail":
        raise Http404
    location = representations.api_url(name, slug=match.kwargs["slug"])
    query = request.META.get("QUERY_STRING", "")
    if query:
        location = f"{location}?{iri_to_uri(query)}"
    return HttpResponsePermanentRedirect(location)


def story_data(article, media, versions) -> dict:
    """Return *article* as the API gives it; *versions*: its published translations among
    them (``articles.translations.versions_by_story``)."""
    embargoed_until = None
    if getattr(article, "is_public", True) is False:
        embargoed_until = article.publish_at
    return representations.story(
        article, media=media, embargoed_until=embargoed_until, versions=versions
    )


def language_of(value: str | None) -> str:
    """Return the language *value* names, the default one if None; a 400 problem if the site
    has no such language."""
    if value is None:
        return settings.LANGUAGE_CODE
    if value in language_codes():
        return value
    message = _("There is no language “%(code)s” here: give one of %(codes)s.") % {
        "code": value,
        "codes": ", ".join(language_codes()),
    }
    raise ApiProblem(
        400, str(message), errors=[parameter_error("query", "language", message, "enum")]
    )


# A time as the query carries it, read by parse_since() (a space may stand for "+").
Timestamp = Annotated[str, WithJsonSchema({"type": "string", "format": "date-time"})]
# Within the offset written after a time, "+" is read as a space (in a URL it is one).
_OFFSET_AFTER_SPACE = re.compile(r"(\d{2}:\d{2}(?::\d{2}(?:[.,]\d+)?)?) (\d{2}(?::?\d{2})?)$")
EARLIEST = datetime.min.replace(tzinfo=UTC)
LATEST = datetime.max.replace(tzinfo=UTC)


def parse_since(value: str) -> datetime:
    """Return the ISO 8601 time *value* (with its UTC offset) in UTC; a 400 problem if not."""
    text = _OFFSET_AFTER_SPACE.sub(r"\1+\2", value.strip()).upper()
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        message = _(
            "Give an ISO 8601 time with its UTC offset, e.g. 2025-05-09T14:30:00+02:00 or "
            "2025-05-09T12:30:00Z."
        )
        raise ApiProblem(
            400,
            str(message),
            errors=[parameter_error("query", "updated_since", message, "datetime")],
        )
    try:
        return moment.astimezone(UTC)
    except OverflowError:
        # A time in the first or last day of the calendar, beyond it in UTC.
        return EARLIEST if moment.year == 1 else LATEST


# -- Operations --------------------------------------------------------------------------------


def _slug_filter(description: str):
    return Annotated[
        str | None, Query(None, pattern=SLUG_PATTERN, max_length=200, description=description)
    ]


# The parameters, as annotations: each says its type, its checks and its description once.
Limit = Annotated[int, Query(DEFAULT_LIMIT, ge=1, le=MAX_LIMIT, description="Items per page.")]
Cursor = Annotated[
    str | None, Query(None, description="Where the page starts; take it from a next link.")
]
Slug = Annotated[str, Path(..., pattern=SLUG_PATTERN, description="A slug, as in the site's URLs.")]
RegionFilter = _slug_filter("Only stories of this region (slug).")
RubricFilter = _slug_filter("Only stories of this rubric (slug).")
TagFilter = _slug_filter("Only stories with this tag (slug).")
AuthorFilter = _slug_filter("Only stories by this author (slug).")
Since = Annotated[
    Timestamp | None,
    Query(
        None,
        description="Only stories whose updated_at is at or after this time: ISO 8601 with its "
        "UTC offset.",
    ),
]
StoryOrdering = Annotated[
    Literal["published", "updated"],
    Query(
        "published",
        description="published: newest publication first. updated: oldest updated_at first, "
        "for syncing.",
    ),
]
SearchWords = Annotated[
    str, Query(..., min_length=1, description="Words to find; -word leaves stories out.")
]
ResultPage = Annotated[int, Query(1, ge=1, le=2**31 - 1, description="Page of results.")]
# Checked by language_of(), whose 400 names the codes; the schema lists them.
Language = Annotated[str, WithJsonSchema({"type": "string", "enum": language_codes()})]
LanguageCode = Annotated[
    Language | None,
    Query(
        None,
        max_length=20,
        description="Which language's items: one of the site's language codes "
        f"({', '.join(language_codes())}); the default language ({settings.LANGUAGE_CODE}) if "
        "left out.",
        example=settings.LANGUAGE_CODE,
    ),
]


@read("/", response=schemas.Index, url_name="index", operation_id="getIndex", tags=["index"])
def index(request):
    """Where everything is."""
    return {
        "stories": representations.api_url("stories"),
        "regions": representations.api_url("regions"),
        "rubrics": representations.api_url("rubrics"),
        "tags": representations.api_url("tags"),
        "authors": representations.api_url("authors"),
        "search": representations.api_url("search"),
        "openapi": absolute_url(reverse("api-v1:openapi-json")),
        "docs": absolute_url(reverse("api-v1:openapi-view")),
    }


@read(
    "/stories/",
    response=schemas.StoryPage,
    url_name="stories",
    operation_id="listStories",
    tags=["stories"],
    description="Public stories, newest first; narrowed by region, rubric, tag or author; "
    "with ordering=updated and updated_since, for syncing. A list may be kept for its max-age "
    "(a minute or so), so its review counts may lag that much; a story's own answers never lag.",
)
def list_stories(
    request,
    response: HttpResponse,
    region: RegionFilter = None,
    rubric: RubricFilter = None,
    tag: TagFilter = None,
    author: AuthorFilter = None,
    updated_since: Since = None,
    ordering: StoryOrdering = "published",
    language: LanguageCode = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
):
    """List stories."""
    code = language_of(language)
    stories = stories_for(request.auth).in_language(code)
    for objects, lookup, slug in (
        # A region's or rubric's slug is unique within its language.
        (Region.objects.in_language(code), "region", region),
        (Rubric.objects.in_language(code), "rubric", rubric),
        (Tag.objects.all(), "tags", tag),
        (Author.objects.all(), "authors", author),
    ):
        if slug is None:
            continue
        # By id, as the site's lists narrow: PostgreSQL then plans with what it knows of that
        # tag's or region's own stories; behind a join on the slug it guesses, and walked
        # through every story to find the few with a rare tag.
        found = objects.filter(slug=slug).values_list("pk", flat=True).first()
        stories = stories.filter(**{lookup: found}) if found is not None else stories.none()
    if updated_since is not None:
        stories = stories.filter(changed_at__gte=parse_since(updated_since))
    items, next_url = page_of(
        request,
        stories,
        STORIES_UPDATED if ordering == "updated" else STORIES_NEWEST,
        limit=limit,
        cursor=cursor,
        query={
            "region": region,
            "rubric": rubric,
            "tag": tag,
            "author": author,
            "updated_since": updated_since,
            "ordering": ordering if ordering != "published" else None,
            "language": language,
        },
    )
    # The figures and embeds of every story on the page in two queries, not two per story,
    # and their published translations in one.
    media = body.load_media(story.body for story in items)
    versions = translations.versions_by_story(items)
    list_lifetime(response)
    return {
        "items": [story_data(story, media, versions[story.pk]) for story in items],
        "next": next_url,
    }


@read(
    "/stories/{slug}/",
    response=schemas.Story,
    url_name="story",
    operation_id="getStory",
    tags=["stories"],
)
def get_story(request, slug: Slug):
    """One story, whole."""
    article = stories_for(request.auth).filter(slug=slug).first()
    if article is None:
        return moved_story(request, slug, "story")
    return story_data(article, None, translations.versions_by_story([article])[article.pk])


@read(
    "/stories/{slug}/reviews/",
    response=schemas.ReviewPage,
    url_name="story-reviews",
    operation_id="listStoryReviews",
    tags=["stories"],
    description=(
        "The story's approved reader reviews, oldest first, as on its page, each with its "
        "readers' approved replies."
    ),
)
def list_story_reviews(
    request,
    slug: Slug,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
):
    """List a story's reviews."""
    article = visible_stories(request.auth).filter(slug=slug).only("pk").first()
    if article is None:
        return moved_story(request, slug, "story-reviews")
    reviews = Review.objects.for_story_page(article)
    items, next_url = page_of(request, reviews, REVIEWS, limit=limit, cursor=cursor)
    return {"items": [representations.review(review) for review in items], "next": next_url}


def taxonomy_list(request, response, queryset, ordering, represent, limit, cursor, language):
    items, next_url = page_of(
        request, queryset, ordering, limit=limit, cursor=cursor, query={"language": language}
    )
    list_lifetime(response)
    return {"items": [represent(item) for item in items], "next": next_url}


@read(
    "/regions/",
    response=schemas.RegionPage,
    url_name="regions",
    operation_id="listRegions",
    tags=["taxonomy"],
)
def list_regions(
    request,
    response: HttpResponse,
    language: LanguageCode = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
):
    """List regions, in the order of the site's menu."""
    regions = Region.objects.in_language(language_of(language))
    return taxonomy_list(
        request, response, regions, REGIONS, representations.region, limit, cursor, language
    )


@read(
    "/regions/{slug}/",
    response=schemas.Region,
    url_name="region",
    operation_id="getRegion",
    tags=["taxonomy"],
)
def get_region(request, slug: Slug, language: LanguageCode = None):
    """One region."""
    regions = Region.objects.in_language(language_of(language))
    return representations.region(get_object_or_404(regions, slug=slug))


@read(
    "/rubrics/",
    response=schemas.RubricPage,
    url_name="rubrics",
    operation_id="listRubrics",
    tags=["taxonomy"],
)
def list_rubrics(
    request,
    response: HttpResponse,
    language: LanguageCode = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
):
    """List rubrics."""
    rubrics = Rubric.objects.in_language(language_of(language))
    return taxonomy_list(
        request, response, rubrics, RUBRICS, representations.rubric, limit, cursor, language
    )


@read(
    "/rubrics/{slug}/",
    response=schemas.Rubric,
    url_name="rubric",
    operation_id="getRubric",
    tags=["taxonomy"],
)
def get_rubric(request, slug: Slug, language: LanguageCode = None):
    """One rubric."""
    rubrics = Rubric.objects.in_language(language_of(language))
    return representations.rubric(get_object_or_404(rubrics, slug=slug))


def tags_for(access: Access):
    """Return the tags *access* may look up: as the site, those a public story uses; under
    embargo, also those its scheduled stories use, so that their links lead somewhere."""
    return in_use_by(Tag.objects.all(), "tags", visible_stories(access))


def authors_for(access: Access):
    """Return the authors *access* may look up (as :func:`tags_for`)."""
    return in_use_by(Author.objects.all(), "authors", visible_stories(access))


def public_tags(language: str):
    """Return the tags public stories in *language* use (a tag's page in that language)."""
    return in_use_by(Tag.objects.all(), "tags", Article.objects.published().in_language(language))


def public_authors(language: str):
    """Return the authors of public stories in *language*."""
    public = Article.objects.published().in_language(language)
    return in_use_by(Author.objects.all(), "authors", public)


@read(
    "/tags/",
    response=schemas.TagPage,
    url_name="tags",
    operation_id="listTags",
    tags=["taxonomy"],
    description="Tags that public stories in the language use, by name.",
)
def list_tags(
    request,
    response: HttpResponse,
    language: LanguageCode = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
):
    """List tags."""
    code = language_of(language)
    return taxonomy_list(
        request,
        response,
        public_tags(code),
        TAGS,
        functools.partial(representations.tag, language=code),
        limit,
        cursor,
        language,
    )


@read(
    "/tags/{slug}/",
    response=schemas.Tag,
    url_name="tag",
    operation_id="getTag",
    tags=["taxonomy"],
)
def get_tag(request, slug: Slug, language: LanguageCode = None):
    """One tag; its stories_url lists its stories in *language*, by default its own."""
    tags = tags_for(request.auth).annotate(own_language=F("language_info__language"))
    found = get_object_or_404(tags, slug=slug)
    code = language_of(language) if language is not None else found.own_language
    return representations.tag(found, language=code)


@read(
    "/authors/",
    response=schemas.AuthorPage,
    url_name="authors",
    operation_id="listAuthors",
    tags=["taxonomy"],
    description="Authors credited on public stories in the language, by name.",
)
def list_authors(
    request,
    response: HttpResponse,
    language: LanguageCode = None,
    limit: Limit = DEFAULT_LIMIT,
    cursor: Cursor = None,
):
    """List authors."""
    code = language_of(language)
    return taxonomy_list(
        request,
        response,
        public_authors(code),
        AUTHORS,
        functools.partial(representations.author, language=code),
        limit,
        cursor,
        language,
    )


@read(
    "/authors/{slug}/",
    response=schemas.Author,
    url_name="author",
    operation_id="getAuthor",
    tags=["taxonomy"],
)
def get_author(request, slug: Slug, language: LanguageCode = None):
    """One author, with bio and photo; their stories_url lists their stories in *language*."""
    found = get_object_or_404(authors_for(request.auth), slug=slug)
    return representations.author(found, language=language_of(language))


@read(
    "/search/",
    response=schemas.SearchPage,
    url_name="search",
    operation_id="search",
    tags=["search"],
    description="The site's own search (/search/): the same results in the same order, "
    "public stories only, 20 a page.",
)
def search(
    request,
    q: SearchWords,
    region: RegionFilter = None,
    rubric: RubricFilter = None,
    language: LanguageCode = None,
    page: ResultPage = 1,
):
    """Search stories."""
    context = run_search(
        {"q": q, "region": region, "rubric": rubric, "page": str(page)},
        language=language_of(language),
    )
    page_obj = context["page_obj"]
    if page_obj is None:
        return {
            "query": context["query"],
            "suggestion": None,
            "total": 0,
            "page": 1,
            "next": None,
            "items": [],
        }
    next_url = None
    if page_obj.has_next():
        params = {
            "q": q,
            "region": region,
            "rubric": rubric,
            "language": language,
            "page": page_obj.next_page_number(),
        }
        params = {name: value for name, value in params.items() if value is not None}
        next_url = absolute_url(request.path) + "?" + urlencode_sorted(params)
    return {
        "query": context["query"],
        "suggestion": context["suggestion"],
        "total": context["total"],
        "page": page_obj.number,
        "next": next_url,
        "items": [representations.search_result(article) for article in page_obj],
    }

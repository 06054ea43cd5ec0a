"""The public, read-only content API (``/api/v1/``) and the partner keys that open embargoes.

Built on django-ninja rather than Django REST framework: its pydantic schemas both shape each
response and write the OpenAPI schema (``/api/v1/openapi.json``), so the schema cannot drift
from what is sent (schemathesis, a client no one here wrote, checks exactly that); it is
lighter per request; and Swagger UI ships with it, so the docs page (``/api/v1/docs``) is
served from here under our Content-Security-Policy, with no CDN.

What it shows is what the site shows: every story goes through ``Article.objects.published()``
(the one gate), tags and authors appear once a public story uses them, search is the site's
own (``articles.search``), bodies and images are rendered by the functions the feeds use, and
every absolute URL is on ``SITE_URL`` (``serving.origin``). A partner key with the
``embargo`` scope also sees scheduled stories, each marked with its embargo time, and the
tags and authors they use; an old story address leads to the new one as on the site.

- ``views``: the operations, on one ``NinjaAPI``; ``representations``: the JSON of a story,
  region, rubric, tag, author and review (webhook payloads may use them too);
  ``pagination``: keyset cursors; ``problems``: RFC 9457 errors.
- ``keys`` and ``models``: partner keys (only a hash kept); ``services``: issuing and revoking
  them, audited; ``admin``: where staff manage them.
- ``middleware``: CORS (any origin, never varying on it), the per-client rate limit and
  problem+json for every error under ``/api/``, all above the page cache, so that cached
  answers count and carry them too.

Public answers are shared pages (``pagecache``): stored under their own query parameters
(``PAGE_CACHE_QUERY_PARAMETERS_BY_PREFIX``), and a story's answers under the story's subject
(``PAGE_CACHE_SUBJECT_ALIASES``), so they go stale exactly when its page does; the page cache
also answers their ``If-None-Match``. A request with credentials in its ``Authorization``
header is never looked up or stored there (an empty header carries none, as nginx reads it),
and every answer says ``Vary: Authorization`` for the caches in front. A parameter sent twice
means its first value, for every request (``views.FirstValueParser``).
"""

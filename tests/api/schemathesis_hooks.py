"""schemathesis hooks (``SCHEMATHESIS_HOOKS=tests.api.schemathesis_hooks``): what a client
would really send where the schema cannot say it.

- A cursor is opaque: clients take it from a page's ``next`` link, and no schema can say which
  strings the server gave out. A cursor schemathesis made up is replaced by a real one for the
  same list (``NEWSROOM_API_CURSORS``, JSON, keyed by the operation's path and, for stories,
  the ordering asked for). Made-up cursors are tested in tests/api/test_pagination.py.
- A made-up slug names nothing, so every answer about one would be a 404 and the schemas of
  a found story, region or page of reviews would never be checked. Half of the well-formed
  slugs are replaced by real ones (``NEWSROOM_API_SLUGS``); ill-formed ones, and any in a case
  made invalid on purpose, are left alone.

Everything else is sent as generated.
"""

import json
import os
import re
import zlib

import schemathesis
from schemathesis.core.parameters import ParameterLocation

CURSORS = json.loads(os.environ.get("NEWSROOM_API_CURSORS", "{}"))
SLUGS = json.loads(os.environ.get("NEWSROOM_API_SLUGS", "{}"))
# The schema's slug pattern (api.views.SLUG_PATTERN) as JSON Schema reads it: "$" is the end
# of the text there, whereas Python's would let "road-sign\n" through, and swap a slug the
# schema refuses for a real one (schemathesis then sees its invalid request accepted).
WELL_FORMED = re.compile(r"[^\x00-\x1f\x7f]+")


@schemathesis.hook
def before_call(context, case, kwargs):
    path = case.operation.path
    query = case.query or {}
    if query.get("cursor"):
        ordering = "updated" if query.get("ordering") == "updated" else "published"
        real = CURSORS.get(f"{path}|{ordering}") or CURSORS.get(path)
        if real is not None:
            query["cursor"] = real
    slug = (case.path_parameters or {}).get("slug")
    choices = SLUGS.get(path)
    if choices and swappable(case, slug):
        pick = zlib.crc32(slug.encode("utf-8"))
        if pick % 2:
            case.path_parameters["slug"] = choices[pick // 2 % len(choices)]


def swappable(case, slug) -> bool:
    """Whether *slug* is one the schema allows, in a case meant to be valid: a slug made
    invalid on purpose (a negative case) must reach the API as it is, or schemathesis, which
    still holds it invalid, sees its "invalid" request accepted."""
    meta = getattr(case, "meta", None)
    if meta is not None and meta.is_negative_at(ParameterLocation.PATH):
        return False
    if not isinstance(slug, str):
        return False
    try:
        slug.encode("utf-8")
    except UnicodeEncodeError:
        return False  # a lone surrogate: no JSON string, nor URL, carries it
    return WELL_FORMED.fullmatch(slug) is not None

"""Keyset ("cursor") pagination: each page starts right after the last item of the one before.

A page is read with a condition on the sort key, never an OFFSET, so a page deep in a list
costs what the first one does (a range of an index), and a story published between two
requests cannot shift the pages: nothing is skipped and nothing is repeated. The cursor
carries the last item's sort key and id, signed (``django.core.signing``) so that no client
can forge one: a tampered or garbled cursor, or one from another list, is a 400. Cursors stay
valid as long as the secret key does; after it changes, a client starts again from page one.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core import signing
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from api.problems import ApiProblem, parameter_error

SALT = "api.cursor"
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


@dataclass(frozen=True)
class Ordering:
    """A list's order: its name (also the cursor's) and its ``order_by`` fields.

    The last field must make the order total (the primary key), so that every item has a
    place of its own; a field may be an annotation of the queryset.
    """

    name: str
    fields: tuple[str, ...]

    def key_of(self, item) -> list:
        return [getattr(item, field.lstrip("-")) for field in self.fields]


@dataclass
class Page:
    items: list
    next_cursor: str | None


def encode_cursor(ordering: Ordering, key: list) -> str:
    values = [value.isoformat() if isinstance(value, datetime) else value for value in key]
    # Signed without a time (signing.dumps would add one): the same place in a list is the
    # same cursor for every client at any moment, so its page is one entry in the page cache.
    return signing.Signer(salt=SALT).sign_object([ordering.name, values])


def _field(queryset: QuerySet, name: str):
    if name == "pk":
        return queryset.model._meta.pk
    if name in queryset.query.annotations:
        return queryset.query.annotations[name].output_field
    return queryset.model._meta.get_field(name)


def decode_cursor(queryset: QuerySet, ordering: Ordering, cursor: str) -> list:
    """Return the sort key *cursor* carries for *ordering*; raise a 400 problem otherwise."""
    try:
        name, values = signing.Signer(salt=SALT).unsign_object(cursor)
        if name != ordering.name or len(values) != len(ordering.fields):
            raise ValueError("another list's cursor")
        return [
            _field(queryset, field.lstrip("-")).to_python(value)
            for field, value in zip(ordering.fields, values, strict=True)
        ]
    except (signing.BadSignature, ValueError, TypeError, ValidationError, FieldDoesNotExist):
        message = _(
            "This cursor was not given by this list: follow the “next” link of the page "
            "before, or start again without a cursor."
        )
        raise ApiProblem(
            400, str(message), errors=[parameter_error("query", "cursor", message, "cursor")]
        ) from None


def after(ordering: Ordering, key: list) -> Q:
    """Return the condition for the items after *key* in *ordering*.

    ``(a, b) > (x, y)`` as ``a > x OR (a = x AND b > y)``, with the plain bound ``a >= x``
    beside it, which lets the database start its index scan at the cursor.
    """
    condition = None
    equal = {}
    for field, value in zip(ordering.fields, key, strict=True):
        name = field.lstrip("-")
        comparison = "lt" if field.startswith("-") else "gt"
        step = Q(**equal, **{f"{name}__{comparison}": value})
        condition = step if condition is None else condition | step
        equal[name] = value
    first = ordering.fields[0]
    bound = "lte" if first.startswith("-") else "gte"
    return Q(**{f"{first.lstrip('-')}__{bound}": key[0]}) & condition


def paginate(queryset: QuerySet, ordering: Ordering, *, limit: int, cursor: str | None) -> Page:
    """Return the page of *queryset* in *ordering* after *cursor*: *limit* items at most.

    One query: *limit* + 1 rows are read, the extra one only saying that a next page exists.
    """
    queryset = queryset.order_by(*ordering.fields)
    if cursor:
        queryset = queryset.filter(after(ordering, decode_cursor(queryset, ordering, cursor)))
    items = list(queryset[: limit + 1])
    if len(items) <= limit:
        return Page(items, None)
    items = items[:limit]
    return Page(items, encode_cursor(ordering, ordering.key_of(items[-1])))

"""Queries built and compiled by the ORM once per process, then run with each request's values.

On an uncached story page, Django spent about three times as long building and compiling each
small query (filters, joins, the published gate) as PostgreSQL spent answering it. The SQL of
such a query is the same on every request; only a few values change: the time, the story.
A :class:`CompiledQuery` builds its QuerySet once with :class:`Param` placeholders where those
values go, keeps the SQL and the column converters the ORM chose, and on each run only puts
the values in. The QuerySet is still written with the ORM, through the same QuerySet methods
(``published()`` included) as everywhere else.

    stories = CompiledQuery(
        lambda: Article.objects.published(at=Param("now", DateTimeField()))
        .filter(region=Param("region", BigIntegerField()))
        .values_list("pk", "title")[:4]
    )
    stories.rows(now=timezone.now(), region=3)

Only ``values_list()`` QuerySets: rows come back as tuples, converted as the ORM would.
A Param may not be None: the kept SQL compares with ``=``, which never matches NULL.
"""

import threading
from collections.abc import Callable
from typing import Any

from django.db import connections, router
from django.db.models import Expression, Model, QuerySet


class Param(Expression):
    """A value given when a :class:`CompiledQuery` runs, prepared as *output_field* prepares it."""

    def __init__(self, name: str, output_field):
        super().__init__(output_field=output_field)
        self.name = name

    def as_sql(self, compiler, connection):
        # The placeholder's parameter is the Param itself, replaced by its value at each run.
        return "%s", (self,)

    def __repr__(self):
        return f"Param({self.name!r})"


class CompiledQuery:
    """A ``values_list()`` QuerySet compiled once per database alias; see the module docstring."""

    def __init__(self, build: Callable[[], QuerySet]):
        self.build = build
        self._queryset: QuerySet | None = None
        self._compiled: dict[str, tuple] = {}
        # Compiling touches the QuerySet's Query; threads of a gthread worker take turns.
        self._lock = threading.Lock()

    def rows(self, *, page: tuple[int, int] | None = None, **values: Any) -> list[tuple]:
        """Run the query with *values* for its Params and return its rows.

        *page* is ``(offset, limit)``, for a QuerySet that was ordered but not sliced when
        built; both go to the database as parameters, so every page is one statement.
        """
        alias = router.db_for_read(self.queryset.model)
        sql, params, compiler, converters = self._compiled.get(alias) or self._compile(alias)
        connection = connections[alias]
        bound = [self._value(param, values, connection) for param in params]
        if page is not None:
            if self.queryset.query.is_sliced or not self.queryset.ordered:
                raise ValueError("Only an ordered QuerySet that was not sliced can be paged.")
            offset, limit = page
            sql = f"{sql} LIMIT %s OFFSET %s"
            bound += [limit, offset]
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    @property
    def queryset(self) -> QuerySet:
        if self._queryset is None:
            # Built on first use rather than at import, when the app registry is not ready.
            self._queryset = self.build()
        return self._queryset

    @staticmethod
    def _value(param, values: dict, connection):
        if not isinstance(param, Param):
            return param
        value = values[param.name]
        if value is None:
            # The kept SQL compares with "=", which never matches NULL ("IS NULL" would).
            raise ValueError(f"{param!r} cannot be None in a compiled query.")
        return param.output_field.get_db_prep_value(value, connection)

    def _compile(self, alias: str) -> tuple:
        with self._lock:
            if alias not in self._compiled:
                compiler = self.queryset.query.get_compiler(alias)
                sql, params = compiler.as_sql()
                select = [column for column, _, _ in compiler.select]
                converters = compiler.get_converters(select)
                self._compiled[alias] = (sql, tuple(params), compiler, converters)
            return self._compiled[alias]


class CompiledPages:
    """What Django's Paginator needs, from two CompiledQuery objects: a count and the rows.

    ``count_query`` returns one row holding the number of rows ``query`` has for *values*
    (or no row for none); a slice of this object runs ``query`` with LIMIT and OFFSET for just
    that page.
    """

    def __init__(self, query: CompiledQuery, count_query: CompiledQuery, **values: Any):
        self.query = query
        self.count_query = count_query
        self.values = values

    def count(self) -> int:
        rows = self.count_query.rows(**self.values)
        return rows[0][0] if rows else 0

    def __getitem__(self, key: slice) -> list[tuple]:
        # Paginator always slices with both ends.
        start = key.start or 0
        limit = max(key.stop - start, 0)
        if limit == 0:
            return []  # Paginator's page of an empty list: nothing to ask, as with a QuerySet.
        return self.query.rows(page=(start, limit), **self.values)


def field_order(model: type[Model], names) -> tuple[str, ...]:
    """Return the column names *names* in *model*'s order, the order ``from_db()`` expects."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


def instances(model: type[Model], columns: tuple[str, ...], rows) -> list:
    """Make *model* objects of *rows* (in :func:`field_order`), other columns deferred."""
    alias = router.db_for_read(model)
    return [model.from_db(alias, columns, row) for row in rows]

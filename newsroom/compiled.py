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
"""

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

    def rows(self, *, offset: int = 0, limit: int | None = None, **values: Any) -> list[tuple]:
        """Run the query with *values* for its Params and return its rows.

        *offset* and *limit* page through a QuerySet that was not sliced when built.
        """
        if self._queryset is None:
            # Built on first use rather than at import, when the app registry is not ready.
            self._queryset = self.build()
        alias = router.db_for_read(self._queryset.model)
        compiled = self._compiled.get(alias) or self._compile(alias)
        sql, params, compiler, converters = compiled
        connection = connections[alias]
        bound = [
            param.output_field.get_db_prep_value(values[param.name], connection)
            if isinstance(param, Param)
            else param
            for param in params
        ]
        if offset or limit is not None:
            high = None if limit is None else offset + limit
            sql = f"{sql} {connection.ops.limit_offset_sql(offset, high)}"
        with connection.cursor() as cursor:
            cursor.execute(sql, bound)
            rows = cursor.fetchall()
        if converters:
            rows = [tuple(row) for row in compiler.apply_converters(rows, converters)]
        return rows

    def _compile(self, alias: str) -> tuple:
        compiler = self._queryset.query.get_compiler(alias)
        sql, params = compiler.as_sql()
        converters = compiler.get_converters([column for column, _, _ in compiler.select])
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
        start = key.start or 0
        limit = None if key.stop is None else max(key.stop - start, 0)
        if limit == 0:
            return []  # Paginator's page of an empty list: nothing to ask, as with a QuerySet.
        return self.query.rows(offset=start, limit=limit, **self.values)


def field_order(model: type[Model], names) -> tuple[str, ...]:
    """Return the column names *names* in *model*'s order, the order ``from_db()`` expects."""
    return tuple(field.attname for field in model._meta.concrete_fields if field.attname in names)


def instances(model: type[Model], columns: tuple[str, ...], rows) -> list:
    """Make *model* objects of *rows* (in :func:`field_order`), other columns deferred."""
    alias = router.db_for_read(model)
    return [model.from_db(alias, columns, row) for row in rows]

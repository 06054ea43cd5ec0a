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
from django.db.models import Expression, QuerySet


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

    def rows(self, **values: Any) -> list[tuple]:
        """Run the query with *values* for its Params and return its rows."""
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

"""Full-text search over published stories.

Two engines behind one function, chosen by the database vendor:

* PostgreSQL: a ``search_vector`` tsvector column on ``articles_article``, weighted title (A) >
  teaser (B) > body (C), kept current by a database trigger (migration ``0004_search``) so
  that ``bulk_create()`` and ``QuerySet.update()`` keep it right too. It is deliberately *not* a
  Django model field: Django never selects it (list and story pages do not drag a tsvector
  along) and never writes it; queries reach it through :class:`SearchVectorColumn`. A trigger
  rather than a ``GENERATED ALWAYS`` column so that a later migration may still alter the type
  of title, teaser or body (PostgreSQL refuses that for columns a generated column uses).
  Results are ranked with ``ts_rank`` and get ``ts_headline`` snippets; when the ranked search
  finds nothing, a trigram fallback (``pg_trgm``, GIN index on title) catches typos.

  Ranking costs a read of every matching row, so a word found in most of 100,000 stories
  would take a second. Each ranking is therefore fenced by a LIMIT in a subquery: a query
  the planner expects to be rarer than ``EXACT_FENCE`` has all its matches ranked; any
  other tries the ``NEWEST_WINDOW`` newest stories first (read from the publication-time
  index), and when enough of them match, it is a broad query whose best matches among the
  newest are shown. The cost stays bounded whatever the volume and however wrong the
  planner's estimate.
* Anything else (SQLite for ``make run``): every word must occur in the title, teaser or body
  (``icontains``); title matches come first, then the newest.

Snippets are built so that stored text can never inject markup: the database marks matches
with two private-use characters, the text is escaped, and only then are the markers turned
into ``<mark>`` elements.
"""

import html
import json
import re
from dataclasses import dataclass

from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchVectorField,
    TrigramWordSimilarity,
)
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    Expression,
    F,
    Func,
    IntegerField,
    Q,
    QuerySet,
    TextField,
    Value,
    When,
)
from django.db.models.functions import Concat
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Region, Rubric

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 20
SEARCH_CONFIG = "english"
# Title (A) far above teaser (B) above body (C); D is unused. ts_rank takes them D, C, B, A.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# Words in a SQLite query beyond this many are ignored: each one adds three LIKE scans.
MAX_FALLBACK_WORDS = 8
# How much plain body text the snippet is drawn from; ts_headline parses all it is given.
SNIPPET_SOURCE_CHARS = 8000
# Shorter queries are too vague for typo matching: "tax" would match half the titles; longer
# ones are sentences, not typos, and cost the trigram index dearly.
MIN_FUZZY_LENGTH = 4
MAX_FUZZY_LENGTH = 40
# Ranking reads each match's tsvector (5-10 µs a row here), so every ranking is fenced.
# NEWEST_WINDOW: how many of the newest stories are read to find a broad query's matches.
NEWEST_WINDOW = 800
# This many matches among the newest make a query broad (about 1 % of all stories match).
MIN_BROAD_RESULTS = 10
# Ranking "all" matches stops reading at this many; reaching it makes the query broad.
EXACT_FENCE = 1000
# Results a reader can page through (50 pages); ranking all is what costs, not listing them.
MAX_RESULTS = 1000
FUZZY_POOL = 100
FUZZY_FENCE = 400

MARK_START = "\ue000"
MARK_STOP = "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_STOP}", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
# A tag of sanitised HTML, quoted attribute values may contain ">".
_TAG_PATTERN = r"""<(?:[^>"']|"[^"]*"|'[^']*')*>"""


def clean_query(raw: str | None) -> str:
    """Return *raw* trimmed, whitespace collapsed, control characters gone, at most 200 chars.

    A longer query is cut at the last space before the limit, so that no half word is sought.
    """
    if not raw:
        return ""
    text = " ".join(_CONTROL.sub(" ", raw).split())
    if len(text) <= MAX_QUERY_LENGTH:
        return text
    cut = text[: MAX_QUERY_LENGTH + 1]
    if " " in cut:
        cut = cut.rsplit(" ", 1)[0]
    return cut[:MAX_QUERY_LENGTH].strip()


def uses_postgres(using: str = "default") -> bool:
    return connections[using].vendor == "postgresql"


class SearchVectorColumn(Expression):
    """The trigger-maintained ``search_vector`` column of the queried article table."""

    output_field = SearchVectorField()

    def as_sql(self, compiler, connection):
        alias = compiler.query.get_initial_alias()
        return (
            f"{compiler.quote_name_unless_alias(alias)}.{connection.ops.quote_name('search_vector')}",
            [],
        )


class WordSimilar(Func):
    """``query <% column``: some stretch of *column* is trigram-similar to *query*.

    The operator form, unlike ``word_similarity(...) > x``, can use the trigram GIN index.
    """

    arg_joiner = " <%% "
    template = "(%(expressions)s)"
    output_field = BooleanField()


class Left(Func):
    function = "left"
    output_field = TextField()


class StripTags(Func):
    """Replace the tags of sanitised HTML by spaces in the database; entities stay."""

    function = "regexp_replace"
    output_field = TextField()

    def __init__(self, expression, **extra):
        super().__init__(expression, Value(_TAG_PATTERN), Value(" "), Value("g"), **extra)


class Replace(Func):
    function = "replace"
    output_field = TextField()


def escape_in_db(expression):
    """Return *expression* with &, < and > escaped, so plain text joins HTML-derived text."""
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        expression = Replace(expression, Value(char), Value(entity))
    return expression


@dataclass
class Found:
    """The ids of the stories a query found, best first, and how they were found."""

    ids: list[int]
    mode: str  # "ranked" (all matches ranked), "broad" (too many: some ranked), "fuzzy"
    total: int | None  # exact number of matches; None for a broad query


def find_ids(queryset: QuerySet, query: str) -> Found:
    """Return the ids of the stories of *queryset* that match *query*, best first (PostgreSQL).

    Every ranking reads a bounded number of rows, so neither a common word nor a wrong
    estimate can make a search slow. When the planner expects fewer matches than the fence
    they are all ranked (its estimates of phrases and of words that go together run low:
    reaching the fence then makes the query broad); otherwise the newest stories are tried
    first, and ten matches or more among them make it a broad query, whose best matches
    among the newest are shown. At most four queries: the estimate, two rankings, and the
    typo fallback when nothing matched.
    """
    estimate = estimate_rows(_matching_rows(queryset, query).values("pk"))
    if estimate >= EXACT_FENCE:
        ids, matched = _rank_fenced(queryset.order_by("-publish_at", "-pk"), query, NEWEST_WINDOW)
        if matched >= MIN_BROAD_RESULTS:
            return Found(ids, "broad", None)
    ids, matched = _rank_fenced(_matching_rows(queryset, query).order_by(), query, EXACT_FENCE)
    if matched >= EXACT_FENCE:
        # More matches than the estimate said, spread too thinly for the newest to show
        # them: rank the first the index gave rather than read them all.
        return Found(ids, "broad", None)
    if ids:
        return Found(ids, "ranked", matched)
    fuzzy = fuzzy_ids(queryset, query)
    return Found(fuzzy, "fuzzy", len(fuzzy))


def _rank_fenced(rows: QuerySet, query: str, fence: int) -> tuple[list[int], int]:
    """Rank the matches among the first *fence* of *rows*; return their ids and number.

    The LIMIT inside the subquery fences the rows off: PostgreSQL reads at most *fence* of
    them (newest first from the publication-time index, or the first matches the GIN index
    gives) and ranks only those, however common the words and however wrong its estimate.
    """
    fenced = rows.annotate(
        win_id=F("pk"), win_at=F("publish_at"), win_vector=SearchVectorColumn()
    ).values("win_id", "win_at", "win_vector")[:fence]
    fenced_sql, fenced_params = fenced.query.sql_with_params()
    weights = "{" + ",".join(str(weight) for weight in RANK_WEIGHTS) + "}"
    sql = f"""
        SELECT fenced.win_id, count(*) OVER ()
        FROM ({fenced_sql}) AS fenced, websearch_to_tsquery(%s::regconfig, %s) AS query
        WHERE fenced.win_vector @@ query
        ORDER BY ts_rank(%s::real[], fenced.win_vector, query) DESC,
            fenced.win_at DESC, fenced.win_id DESC
        LIMIT %s
    """  # noqa: S608 - our own compiled SQL; every value is a parameter
    params = (*fenced_params, SEARCH_CONFIG, tsquery_text(query), weights, MAX_RESULTS)
    with connections[rows.db].cursor() as cursor:
        cursor.execute(sql, params)
        found = cursor.fetchall()
    return [row[0] for row in found], (found[0][1] if found else 0)


def fuzzy_ids(queryset: QuerySet, query: str) -> list[int]:
    """Return the ids of stories whose title is close to *query* (typos), most similar first.

    Only the first ``FUZZY_FENCE`` candidates of the trigram index are compared: a typo of a
    word in thousands of titles would otherwise cost a similarity per title.
    """
    if not MIN_FUZZY_LENGTH <= len(query) <= MAX_FUZZY_LENGTH:
        return []
    candidates = _fuzzy(queryset, query).order_by()
    fenced = candidates.annotate(win_id=F("pk"), win_at=F("publish_at"), win_title=F("title"))
    fenced_sql, fenced_params = fenced.values("win_id", "win_at", "win_title")[
        :FUZZY_FENCE
    ].query.sql_with_params()
    sql = f"""
        SELECT fenced.win_id FROM ({fenced_sql}) AS fenced
        ORDER BY word_similarity(%s, fenced.win_title) DESC, fenced.win_at DESC,
            fenced.win_id DESC
        LIMIT %s
    """  # noqa: S608 - our own compiled SQL; every value is a parameter
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, (*fenced_params, query, FUZZY_POOL))
        return [row[0] for row in cursor.fetchall()]


def page_articles(queryset: QuerySet, ids: list[int], query: str, mode: str) -> list:
    """Return the stories with these *ids*, in that order, each with ``snippet_raw``."""
    if mode == "fuzzy":
        rows = queryset.filter(pk__in=ids).annotate(snippet_raw=F("teaser"))
    else:
        rows = queryset.filter(pk__in=ids).annotate(snippet_raw=_headline(_tsquery(query)))
    by_id = {article.pk: article for article in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def estimate_rows(queryset: QuerySet) -> int:
    """Return the planner's estimate of the rows *queryset* would give, without running it."""
    sql, params = queryset.query.sql_with_params()
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(f"EXPLAIN (FORMAT JSON) {sql}", params)
        plan = cursor.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    return int(plan[0]["Plan"]["Plan Rows"])


def _tsquery(query: str) -> SearchQuery:
    return SearchQuery(tsquery_text(query), config=SEARCH_CONFIG, search_type="websearch")


def tsquery_text(query: str) -> str:
    """Return *query* for websearch_to_tsquery with repeated words left out.

    "border crossings border crossings …" means no more than "border crossings" but costs
    twice as much to match and rank. Queries with a quoted phrase are left alone.
    """
    if '"' in query:
        return query
    seen = set()
    words = []
    for word in query.split():
        if word.lower() not in seen:
            seen.add(word.lower())
            words.append(word)
    return " ".join(words)


def _matching_rows(queryset: QuerySet, query: str) -> QuerySet:
    return queryset.alias(search_vector=SearchVectorColumn()).filter(search_vector=_tsquery(query))


def _headline(query: SearchQuery) -> SearchHeadline:
    # One HTML-escaped text: the teaser (plain text, escaped here) and the body without tags.
    source = Concat(
        escape_in_db(F("teaser")),
        Value(" \u2014 "),
        Left(StripTags(F("body")), Value(SNIPPET_SOURCE_CHARS)),
        output_field=TextField(),
    )
    return SearchHeadline(
        source,
        query,
        config=SEARCH_CONFIG,
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" \u2026 ",
    )


def _fuzzy(queryset: QuerySet, query: str) -> QuerySet:
    # Matches by title only; no lexemes to highlight, so the snippet is the teaser.
    return (
        queryset.filter(WordSimilar(Value(query), F("title")))
        .annotate(
            rank=TrigramWordSimilarity(Value(query), F("title")),
            snippet_raw=F("teaser"),
        )
        .order_by("-rank", "-publish_at", "-pk")
    )


def query_words(query: str) -> list[str]:
    """Return the words of *query* for the LIKE search: no operators, no single letters.

    A single letter is inside nearly every story, so it would only flood the results.
    """
    words = (word.strip("'-") for word in re.findall(r"\w[\w'-]*", query))
    unique = dict.fromkeys(word for word in words if len(word) > 1)
    return list(unique)[:MAX_FALLBACK_WORDS]


def _words(queryset: QuerySet, query: str) -> QuerySet:
    words = query_words(query)
    if not words:
        return queryset.none()
    in_title = Q()
    in_teaser = Q()
    for word in words:
        queryset = queryset.filter(
            Q(title__icontains=word) | Q(teaser__icontains=word) | Q(body__icontains=word)
        )
        in_title &= Q(title__icontains=word)
        in_teaser &= Q(teaser__icontains=word)
    # The same order of weight as on PostgreSQL: all words in the title, then in the teaser.
    rank = Case(
        When(in_title, then=Value(2)),
        When(in_teaser, then=Value(1)),
        default=Value(0),
        output_field=IntegerField(),
    )
    return queryset.annotate(rank=rank, snippet_raw=F("teaser")).order_by(
        "-rank", "-publish_at", "-pk"
    )


def snippet_html(raw: str | None, query: str = "", *, mode: str = "ranked") -> SafeString:
    """Return a snippet safe to render: all text escaped, only our own ``<mark>`` kept.

    *raw* is ``snippet_raw`` of a search result. Headlines (mode "ranked") come from tag-stripped
    HTML-escaped text, so entities are decoded before escaping again; other modes mark the
    query's words here.
    """
    text = raw or ""
    text = html.unescape(text) if mode == "ranked" else _mark_words(text, query_words(query))
    escaped = escape(text)
    marked = _MARKED.sub(r"<mark>\1</mark>", escaped)
    return mark_safe(marked.replace(MARK_START, "").replace(MARK_STOP, ""))  # noqa: S308


def _mark_words(text: str, words: list[str]) -> str:
    text = text.replace(MARK_START, "").replace(MARK_STOP, "")
    if not words:
        return text
    pattern = re.compile(
        "|".join(re.escape(word) for word in sorted(words, key=len, reverse=True)), re.I
    )
    return pattern.sub(lambda match: f"{MARK_START}{match.group(0)}{MARK_STOP}", text)


@dataclass(frozen=True)
class SearchFilters:
    """The region and rubric a reader narrowed the search to (``None``: any)."""

    region: object = None
    rubric: object = None

    def apply(self, queryset: QuerySet) -> QuerySet:
        if self.region is not None:
            queryset = queryset.filter(region=self.region)
        if self.rubric is not None:
            queryset = queryset.filter(rubric=self.rubric)
        return queryset


def run_search(params, *, using: str = "default") -> dict:
    """Return the context of the search page for the GET *params* (q, region, rubric, page).

    A fixed number of queries: regions and rubrics for the filters; on PostgreSQL the
    estimate, the ranked ids and one page of rows (plus the typo fallback only when nothing
    matched); elsewhere COUNT and one page of rows.
    """
    query = clean_query(params.get("q"))
    regions = list(Region.objects.using(using).order_by("position", "name"))
    rubrics = list(Rubric.objects.using(using).order_by("name"))
    filters = SearchFilters(
        region=_pick(regions, params.get("region")), rubric=_pick(rubrics, params.get("rubric"))
    )
    context = {
        "query": query,
        "query_was_cut": len(" ".join((params.get("q") or "").split())) > MAX_QUERY_LENGTH,
        "regions": regions,
        "rubrics": rubrics,
        "filters": filters,
        "page_obj": None,
        "search_mode": None,
        # Phrases in quotes and -word exclusions only mean something to PostgreSQL.
        "advanced_syntax": uses_postgres(using),
    }
    if not query:
        return context
    published = filters.apply(Article.objects.using(using).published())
    for_display = published.select_related("region", "rubric").defer("body")
    if uses_postgres(using):
        found = find_ids(published, query)
        paginator = Paginator(found.ids, RESULTS_PER_PAGE)
        page_obj = paginator.get_page(params.get("page"))
        page_obj.object_list = page_articles(for_display, page_obj.object_list, query, found.mode)
        mode, total = found.mode, found.total
    else:
        paginator = Paginator(_words(for_display, query), RESULTS_PER_PAGE)
        page_obj = paginator.get_page(params.get("page"))
        mode, total = "words", paginator.count
    for article in page_obj:
        article.snippet = snippet_html(article.snippet_raw, query, mode=mode)
    context.update(
        page_obj=page_obj,
        paginator=paginator,
        search_mode=mode,
        total=total,
    )
    return context


def _pick(choices, slug):
    """Return the region or rubric of *choices* with this *slug*; unknown or empty: any."""
    return next((choice for choice in choices if slug and choice.slug == slug), None)

"""Full-text search over published stories.

Two engines behind one function, chosen by the database vendor:

* PostgreSQL: a ``search_vector`` tsvector column on ``articles_article``, weighted title (A) >
  teaser (B) > body (C), kept current by a database trigger (migrations ``0004_search`` and
  ``0024_search_languages``) so that ``bulk_create()`` and ``QuerySet.update()`` keep it right
  too. Each story is read with its language's text search configuration (stemmer and stop
  words: articles/search_config.py), and each query with the page's, so "переговоры" finds
  "переговорах" on a Russian page and "negotiation" finds "negotiations" on an English one.
  The column is deliberately *not* a Django model field: Django never selects it (list and
  story pages do not drag a tsvector along) and never writes it; queries reach it through
  :class:`SearchVectorColumn`. A trigger rather than a ``GENERATED ALWAYS`` column so that a
  later migration may still alter the type of title, teaser or body (PostgreSQL refuses that
  for columns a generated column uses).
  Results are ranked with ``ts_rank`` and get ``ts_headline`` snippets.

  Ranking costs a read of every matching row, so a word found in most of 100,000 stories
  would take a second. Each ranking is therefore fenced, with the ORM's own subqueries: a
  query the planner expects (``QuerySet.explain()``) to be rarer than ``EXACT_FENCE`` has
  its first ``EXACT_FENCE`` matches ranked; any other tries the ``NEWEST_WINDOW`` newest
  stories first (a range of the publication-time index), and when enough of them match, it
  is a broad query whose best matches among the newest are shown. The cost stays bounded
  whatever the volume and however wrong the planner's estimate.
* SQLite (for ``make run``): every word must occur in the title, teaser or body, whatever its
  case in any alphabet (SQLite's own ``LIKE`` folds ASCII letters only); title matches come
  first, then the newest.

Both read a query as PostgreSQL's ``websearch_to_tsquery`` does: ``-word`` (or ``-"a
phrase"``) leaves out the stories that contain it, on every path, suggestions included.

When a query finds nothing, its words may hold a typo ("Armnia"). Each word is then respelt
to the closest word the published stories use, and when the respelt query finds stories,
they are shown with "Did you mean …?". On PostgreSQL the candidates come from a table of
every word of every story, by the story's language, with a trigram index (migrations
``0009_search_words`` and ``0024_search_languages``, kept current by a trigger), so titles,
teasers and bodies all count; elsewhere from a cached vocabulary of the newest published
stories in the page's language, compared with ``difflib``. Either way a word is suggested
only when a published story in the page's language contains it: the table also holds the
words of drafts, and a suggestion must never give away text that is not public, nor offer a
word of another language.

Snippets are built so that stored text can never inject markup: the database marks matches
with two private-use characters, the text is escaped, and only then are the markers turned
into ``<mark>`` elements.
"""

import difflib
import html
import json
import re
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.postgres.search import (
    SearchHeadline,
    SearchQuery,
    SearchRank,
    SearchVectorField,
)
from django.core.cache import cache
from django.core.paginator import Paginator
from django.db import connections
from django.db.models import (
    Case,
    Count,
    Exists,
    Expression,
    F,
    Func,
    IntegerField,
    Max,
    Q,
    QuerySet,
    Subquery,
    TextField,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce, Concat
from django.utils.html import escape, strip_tags
from django.utils.safestring import SafeString, mark_safe

from articles.models import Article, Region, Rubric
from articles.search_config import FUNCTION as CONFIG_FUNCTION

MAX_QUERY_LENGTH = 200
RESULTS_PER_PAGE = 20
# Title (A) far above teaser (B) above body (C); D is unused. ts_rank takes them D, C, B, A.
RANK_WEIGHTS = [0.05, 0.2, 0.4, 1.0]
# Words in a SQLite query beyond this many are ignored: each one adds three LIKE scans.
MAX_FALLBACK_WORDS = 8
# How much plain body text the snippet is drawn from; ts_headline parses all it is given.
SNIPPET_SOURCE_CHARS = 8000
# Shorter words are too vague for typo matching: "tax" is a typo of half the dictionary;
# longer ones are no typos. A typo may stand for a shorter known word ("gass"), so the
# vocabulary keeps words from three letters on, as the words table (0009) does.
MIN_TYPO_LENGTH = 4
MAX_TYPO_LENGTH = 40
MIN_KNOWN_LENGTH = 3
# SQLite: the function that casefolds text in every alphabet for the word search.
SQLITE_CASEFOLD = "newsroom_casefold"
# PostgreSQL: the known words closest to a typo that are checked against the published
# stories, best first; the first that a published story contains is suggested.
CANDIDATES_PER_WORD = 5
# Checking a candidate reads the first this many published stories with its stem, however
# common, and looks for the word itself in them: a word only a draft spells so (its stem
# common) costs a bounded read, and a spelling rare among its stem's stories may be missed,
# which only means that a more common one is suggested, or none.
WORD_CHECK_FENCE = 50
# SQLite: the vocabulary is drawn from the newest stories and keeps the most used words,
# so that building and comparing it stay quick whatever the volume.
VOCABULARY_STORIES = 500
VOCABULARY_WORDS = 20000
VOCABULARY_SECONDS = 3600
# How like a known word a typo must be (difflib's ratio) to be respelt as it.
TYPO_CUTOFF = 0.75
# Ranking reads each match's tsvector (5-10 µs a row here), so every ranking is fenced.
# NEWEST_WINDOW: how many of the newest stories are read to find a broad query's matches.
NEWEST_WINDOW = 800
# This many matches among the newest make a query broad (about 1 % of all stories match).
MIN_BROAD_RESULTS = 10
# Ranking "all" matches stops reading at this many; reaching it makes the query broad.
EXACT_FENCE = 1000
# Results a reader can page through (50 pages); ranking all is what costs, not listing them.
MAX_RESULTS = 1000

# Before any story: the lower end of a range that holds them all.
EARLIEST = datetime(1, 1, 1, tzinfo=UTC)

MARK_START = "\ue000"
MARK_STOP = "\ue001"
_MARKED = re.compile(f"{MARK_START}(.*?){MARK_STOP}", re.DOTALL)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ue000\ue001]")
# A tag of sanitised HTML, quoted attribute values may contain ">".
_TAG_PATTERN = r"""<(?:[^>"']|"[^"]*"|'[^']*')*>"""
# A term as websearch_to_tsquery reads it: a quoted phrase (an unclosed quote runs to the
# end) or a run of other characters, which its operator characters end; an odd number of
# minus signs in front, spaces allowed, leaves it out.
_TERM = re.compile(r'(?P<minus>(?:-\s*)*)(?:"(?P<phrase>[^"]*)"?|(?P<word>[^\s"!&|():*<>]+))')
_LETTERS = re.compile(r"[^\W\d_]+")


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


class SearchConfigOf(Func):
    """The text search configuration of a language code (``articles_search_config``, 0024)."""

    function = CONFIG_FUNCTION
    output_field = TextField()


def text_search_config(language: str) -> SearchConfigOf:
    """Return the configuration that reads *language*, as the database maps it."""
    return SearchConfigOf(Value(language))


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
    mode: str  # "ranked" (all matches ranked), "broad" (too many: some ranked)
    total: int | None  # exact number of matches; None for a broad query


def find_ids(queryset: QuerySet, query: str, language: str) -> Found:
    """Return the ids of the stories of *queryset* that match *query*, best first (PostgreSQL);
    *query* is read as *language*, the language of the stories.

    Every ranking reads a bounded number of rows, so neither a common word nor a wrong
    estimate can make a search slow. When the planner expects fewer matches than the fence
    they are all ranked (its estimates of phrases and of words that go together run low:
    reaching the fence then makes the query broad); otherwise the newest stories are tried
    first, and ten matches or more among them make it a broad query, whose best matches
    among the newest are shown. At most three queries: the estimate and two rankings.
    """
    matching = _matching_rows(queryset, query, language)
    estimate = estimate_rows(matching.values("pk"))
    if estimate >= EXACT_FENCE:
        ids, matched = _rank(_newest(queryset, NEWEST_WINDOW), query, language)
        if matched >= MIN_BROAD_RESULTS:
            return Found(ids, "broad", None)
    first_matches = matching.order_by().values("pk")[:EXACT_FENCE]
    ids, matched = _rank(
        queryset.model._default_manager.filter(pk__in=first_matches), query, language
    )
    if matched >= EXACT_FENCE:
        # More matches than the estimate said, spread too thinly for the newest to show
        # them: rank the first the index gave rather than read them all.
        return Found(ids, "broad", None)
    return Found(ids, "ranked", matched)


def find_or_respell(queryset: QuerySet, query: str, language: str) -> tuple[Found, str | None]:
    """Return what *query* finds in *queryset* (PostgreSQL), and ``None``; or, when it finds
    nothing but its words respelt with words of *language*'s stories do, what they find and
    the respelt query.

    The respelt query is searched like any other, so its ``-word`` exclusions hold as well.
    """
    found = find_ids(queryset, query, language)
    if found.ids:
        return found, None
    respelt = respell(query, nearest_public_words(queryset, query, language))
    if respelt != query:
        found_respelt = find_ids(queryset, respelt, language)
        if found_respelt.ids:
            return found_respelt, respelt
    return found, None


def _newest(queryset: QuerySet, count: int) -> QuerySet:
    """Return about the *count* newest stories of *queryset*, as one range of the time index.

    A range rather than "LIMIT count" in a subquery: PostgreSQL reads the rows once, along
    the publication-time index, instead of looking each one up again by id. Stories that
    share the oldest time in the range may make it a little longer.
    """
    oldest = queryset.order_by("-publish_at", "-pk").values("publish_at")[count - 1 : count]
    # Fewer stories than *count*: all of them.
    since = Coalesce(Subquery(oldest), Value(EARLIEST))
    return queryset.filter(publish_at__gte=since)


def _rank(rows: QuerySet, query: str, language: str) -> tuple[list[int], int]:
    """Rank the stories of *rows* that match *query*; return the best ids and how many match.

    *rows* is fenced (:func:`_newest`, or the first matches the GIN index gave), so that
    ranking reads a bounded number of rows, however common the words and however wrong
    the planner's estimate.
    """
    tsquery = _tsquery(query, language)
    ranked = (
        rows.alias(search_vector=SearchVectorColumn())
        .filter(search_vector=tsquery)
        .annotate(
            rank=SearchRank(F("search_vector"), tsquery, weights=RANK_WEIGHTS),
            matched=Window(Count("*")),
        )
        .order_by("-rank", "-publish_at", "-pk")
        .values_list("pk", "matched")[:MAX_RESULTS]
    )
    found = list(ranked)
    return [pk for pk, _matched in found], (found[0][1] if found else 0)


def page_articles(queryset: QuerySet, ids: list[int], query: str, language: str) -> list:
    """Return the stories with these *ids*, in that order, each with ``snippet_raw``: the
    matches of *query*, read as *language*, marked."""
    tsquery = _tsquery(query, language)
    rows = queryset.filter(pk__in=ids).annotate(snippet_raw=_headline(tsquery, language))
    by_id = {article.pk: article for article in rows}
    return [by_id[pk] for pk in ids if pk in by_id]


def estimate_rows(queryset: QuerySet) -> int:
    """Return the planner's estimate of the rows *queryset* would give, without running it."""
    plan = json.loads(queryset.explain(format="json"))
    return int(plan[0]["Plan"]["Plan Rows"])


def _tsquery(query: str, language: str) -> SearchQuery:
    return SearchQuery(
        tsquery_text(query), config=text_search_config(language), search_type="websearch"
    )


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


def _matching_rows(queryset: QuerySet, query: str, language: str) -> QuerySet:
    return queryset.alias(search_vector=SearchVectorColumn()).filter(
        search_vector=_tsquery(query, language)
    )


def _headline(query: SearchQuery, language: str) -> SearchHeadline:
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
        config=text_search_config(language),
        start_sel=MARK_START,
        stop_sel=MARK_STOP,
        max_words=35,
        min_words=15,
        max_fragments=2,
        fragment_delimiter=" \u2026 ",
    )


def query_terms(query: str) -> list[tuple[str, int, bool]]:
    """Return the terms of *query*: each word or phrase, where it starts, whether left out."""
    terms = []
    for match in _TERM.finditer(query):
        group = "word" if match.group("phrase") is None else "phrase"
        left_out = match.group("minus").count("-") % 2 == 1
        terms.append((match.group(group), match.start(group), left_out))
    return terms


def _words_of(text: str) -> list[str]:
    # A single letter is inside nearly every story, so it would only flood the results.
    words = (word.strip("'-") for word in re.findall(r"\w[\w'-]*", text))
    return [word for word in words if len(word) > 1]


def query_words(query: str) -> list[str]:
    """Return the words of *query* for the LIKE search: no operators, no single letters.

    Words of left-out terms are not among them (see :func:`left_out_words`).
    """
    words = (
        word
        for text, _start, left_out in query_terms(query)
        if not left_out
        for word in _words_of(text)
    )
    return list(dict.fromkeys(words))[:MAX_FALLBACK_WORDS]


def left_out_words(query: str) -> list[list[str]]:
    """Return the words of each left-out term of *query* ("-word", '-"a phrase"').

    A story that contains all the words of one of them is not a result, as on PostgreSQL.
    """
    terms = (_words_of(text) for text, _start, left_out in query_terms(query) if left_out)
    return [words for words in terms if words][:MAX_FALLBACK_WORDS]


class Casefold(Func):
    """Text casefolded in every alphabet (SQLite: :func:`add_sqlite_functions`)."""

    function = SQLITE_CASEFOLD
    output_field = TextField()


def add_sqlite_functions(sender, connection, **kwargs) -> None:
    """Give a new SQLite connection :class:`Casefold` (a ``connection_created`` receiver)."""
    if connection.vendor == "sqlite":
        connection.connection.create_function(SQLITE_CASEFOLD, 1, _casefold, deterministic=True)


def _casefold(text: str | None) -> str | None:
    return None if text is None else text.casefold()


def _mentions(word: str) -> Q:
    folded = word.casefold()
    return (
        Q(folded_title__contains=folded)
        | Q(folded_teaser__contains=folded)
        | Q(folded_body__contains=folded)
    )


def _words(queryset: QuerySet, query: str) -> QuerySet:
    words = query_words(query)
    if not words:
        return queryset.none()
    # SQLite's LIKE ignores the case of ASCII letters only: "Переговоры" is no match for
    # "переговоры". Both sides are casefolded instead.
    queryset = queryset.alias(
        folded_title=Casefold("title"),
        folded_teaser=Casefold("teaser"),
        folded_body=Casefold("body"),
    )
    in_title = Q()
    in_teaser = Q()
    for word in words:
        queryset = queryset.filter(_mentions(word))
        in_title &= Q(folded_title__contains=word.casefold())
        in_teaser &= Q(folded_teaser__contains=word.casefold())
    for left_out in left_out_words(query):
        all_of_them = Q()
        for word in left_out:
            all_of_them &= _mentions(word)
        queryset = queryset.exclude(all_of_them)
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


def typo_words(query: str) -> list[tuple[int, int, str]]:
    """Return the words of *query* that may be typos, with where each starts and ends.

    Only runs of letters in terms that are not left out: a left-out word is no reader's
    target, and numbers or names with digits are rarely misspelt.
    """
    found = []
    for text, start, left_out in query_terms(query):
        if left_out:
            continue
        for match in _LETTERS.finditer(text):
            if MIN_TYPO_LENGTH <= len(match.group()) <= MAX_TYPO_LENGTH:
                found.append((start + match.start(), start + match.end(), match.group()))
    return found[:MAX_FALLBACK_WORDS]


def respell(query: str, corrections: dict[str, str]) -> str:
    """Return *query* with each typo word that *corrections* maps (lowercase) respelt.

    Everything else stays as typed, exclusions and quotes included; a capital stays.
    """
    pieces = []
    done = 0
    for start, end, typed in typo_words(query):
        right = corrections.get(typed.lower())
        if right:
            pieces += [query[done:start], _in_case_of(typed, right)]
            done = end
    pieces.append(query[done:])
    return "".join(pieces)


def _in_case_of(typed: str, word: str) -> str:
    if len(typed) > 1 and typed.isupper():
        return word.upper()
    if typed[:1].isupper():
        return word[:1].upper() + word[1:]
    return word


# The known words of the language closest to each typo, best first, and whether each is the
# typo's own word to the search (the same stem in that language: "negotiation" is no typo of
# "negotiations") and whether the search can find it at all (stop words it cannot). The
# trigram index finds them (%).
NEAREST_WORDS_SQL = f"""
    SELECT typo.word, known.word,
        plainto_tsquery({CONFIG_FUNCTION}(%(language)s), known.word)
            = plainto_tsquery({CONFIG_FUNCTION}(%(language)s), typo.word),
        numnode(plainto_tsquery({CONFIG_FUNCTION}(%(language)s), known.word)) > 0
    FROM unnest(%(typos)s::text[]) WITH ORDINALITY AS typo (word, position)
    CROSS JOIN LATERAL (
        SELECT searchword.word, similarity(searchword.word, typo.word) AS score
        FROM articles_searchword AS searchword
        WHERE searchword.language = %(language)s AND searchword.word %% typo.word
        ORDER BY score DESC, searchword.word
        LIMIT %(per_word)s
    ) AS known
    ORDER BY typo.position, known.score DESC, known.word
"""


def nearest_public_words(queryset: QuerySet, query: str, language: str) -> dict[str, str]:
    """Map each typo of *query* (lowercase) to the closest word a story of *queryset* uses.

    PostgreSQL; *queryset* holds stories in *language*. The candidates come from the words
    table, its words of stories in *language* (one query); then the closest of each typo is
    checked against the stories of *queryset*, the published ones (one query), and only for
    typos whose closest word no such story contains, the others (one more). A typo whose
    closest public word has its stem in *language* is no typo to the search: left alone.
    """
    typos = list(dict.fromkeys(typed.lower() for _start, _end, typed in typo_words(query)))
    if not typos:
        return {}
    params = {"language": language, "typos": typos, "per_word": CANDIDATES_PER_WORD}
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(NEAREST_WORDS_SQL, params)
        nearest = cursor.fetchall()
    unsettled = {
        typo: [
            (word, same)
            for name, word, same, searchable in nearest
            # The check's regex needs letters only; the table keeps no other words.
            if name == typo and searchable and word.isalpha()
        ]
        for typo in typos
    }
    corrections = {}
    # Checking a word costs a few milliseconds, and the closest is nearly always public.
    for tried in (slice(0, 1), slice(1, None)):
        public = _used_by(
            queryset,
            sorted({word for words in unsettled.values() for word, _ in words[tried]}),
            language,
        )
        for typo, words in list(unsettled.items()):
            best = next(((word, same) for word, same in words[tried] if word in public), None)
            if best is not None:
                del unsettled[typo]
                if not best[1]:
                    corrections[typo] = best[0]
    return corrections


def _used_by(queryset: QuerySet, words: list[str], language: str) -> set[str]:
    """Return those of *words* that a story of *queryset* contains as a word (one query)."""
    if not words:
        return set()
    checks = {
        f"uses_{index}": Exists(_containing(queryset, word, language))
        for index, word in enumerate(words)
    }
    # Any row of the queryset carries the answers; none means no story at all, so no word.
    row = next(iter(queryset.order_by().values(**checks)[:1]), None)
    if row is None:
        return set()
    return {word for index, word in enumerate(words) if row[f"uses_{index}"]}


def _containing(queryset: QuerySet, word: str, language: str) -> QuerySet:
    # The stem finds the candidates through the GIN index; the text itself decides, as a
    # draft may spell a word ("Armenians") whose stem ("armenian") public stories have.
    candidates = _matching_rows(queryset, word, language).order_by().values("pk")[:WORD_CHECK_FENCE]
    pattern = rf"\m{word}\M"
    return queryset.filter(pk__in=candidates).filter(
        Q(title__iregex=pattern) | Q(teaser__iregex=pattern) | Q(body__iregex=pattern)
    )


def vocabulary(published: QuerySet, language: str) -> list[str]:
    """Return the words of the newest *published* stories, which are those in *language*,
    the most used first (cached).

    For typos on databases without the words table. The cache key holds the language, the
    number of its published stories and their latest edit, so publishing, unpublishing or
    editing a story makes a new list; either way a suggestion is only made when the search
    finds it.
    """
    stamp = published.aggregate(stories=Count("pk"), edited=Max("updated_at"))
    edited = stamp["edited"].timestamp() if stamp["edited"] else 0
    key = f"search:vocabulary:{published.db}:{language}:{stamp['stories']}:{edited}"
    words = cache.get(key)
    if words is None:
        stories = Counter()
        newest = published.order_by("-publish_at", "-pk")[:VOCABULARY_STORIES]
        for title, teaser, body in newest.values_list("title", "teaser", "body"):
            text = f"{title} {teaser} {html.unescape(strip_tags(body))}".lower()
            stories.update({word for word in _LETTERS.findall(text) if _is_known_length(word)})
        words = [word for word, _count in stories.most_common(VOCABULARY_WORDS)]
        cache.set(key, words, VOCABULARY_SECONDS)
    return words


def _is_known_length(word: str) -> bool:
    return MIN_KNOWN_LENGTH <= len(word) <= MAX_TYPO_LENGTH


def nearest_words(words: list[str], query: str) -> dict[str, str]:
    """Map each typo of *query* (lowercase) to the closest of *words*, if one is close."""
    known = set(words)
    corrections = {}
    for _start, _end, typed in typo_words(query):
        typo = typed.lower()
        if typo in known or typo in corrections:
            continue
        # Only words of about its length can reach the cutoff; the others are not compared.
        alike = [word for word in words if abs(len(word) - len(typo)) <= 2]
        closest = difflib.get_close_matches(typo, alike, n=1, cutoff=TYPO_CUTOFF)
        if closest:
            corrections[typo] = closest[0]
    return corrections


def snippet_html(raw: str | None, query: str = "", *, mode: str = "ranked") -> SafeString:
    """Return a snippet safe to render: all text escaped, only our own ``<mark>`` kept.

    *raw* is ``snippet_raw`` of a search result. Headlines (modes "ranked" and "broad") come
    from tag-stripped HTML-escaped text, so entities are decoded before escaping again; the
    word search's teasers ("words") get the query's words marked here.
    """
    text = raw or ""
    if mode in ("ranked", "broad"):
        text = html.unescape(text)
    else:
        text = _mark_words(text, query_words(query))
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


def run_search(params, *, language: str | None = None, using: str = "default") -> dict:
    """Return the context of the search page for the GET *params* (q, region, rubric, page),
    over the published stories in *language* (the default language's if None).

    A fixed number of queries when something matches: regions and rubrics for the filters;
    on PostgreSQL the estimate, the ranked ids (a second ranking for some broad queries) and
    one page of rows; elsewhere COUNT and one page of rows. When nothing matches, the typo
    fallback adds its own: on PostgreSQL the nearest words and their check against the
    published stories, then the respelt query's estimate and rankings; elsewhere the
    vocabulary's key (and, once per change, the vocabulary) and the respelt query's COUNT.
    """
    query = clean_query(params.get("q"))
    language = language or settings.LANGUAGE_CODE
    regions = list(Region.objects.using(using).in_language(language).order_by("position", "name"))
    rubrics = list(Rubric.objects.using(using).in_language(language).order_by("name"))
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
        "suggestion": None,
        # Quoted phrases only mean something to PostgreSQL; SQLite seeks their words.
        "advanced_syntax": uses_postgres(using),
    }
    if not query:
        return context
    public = Article.objects.using(using).published().in_language(language)
    published = filters.apply(public)
    for_display = published.select_related("region", "rubric").defer("body")
    if uses_postgres(using):
        found, suggestion = find_or_respell(published, query, language)
        paginator = Paginator(found.ids, RESULTS_PER_PAGE)
        page_obj = paginator.get_page(params.get("page"))
        page_obj.object_list = page_articles(
            for_display, page_obj.object_list, suggestion or query, language
        )
        mode, total = found.mode, found.total
    else:
        paginator = Paginator(_words(for_display, query), RESULTS_PER_PAGE)
        suggestion = None
        if not paginator.count and typo_words(query):
            words = vocabulary(public, language)
            respelt = respell(query, nearest_words(words, query))
            respelt_paginator = Paginator(_words(for_display, respelt), RESULTS_PER_PAGE)
            if respelt != query and respelt_paginator.count:
                paginator, suggestion = respelt_paginator, respelt
        page_obj = paginator.get_page(params.get("page"))
        mode, total = "words", paginator.count
    for article in page_obj:
        article.snippet = snippet_html(article.snippet_raw, suggestion or query, mode=mode)
    context.update(
        page_obj=page_obj,
        paginator=paginator,
        search_mode=mode,
        total=total,
        suggestion=suggestion,
    )
    return context


def _pick(choices, slug):
    """Return the region or rubric of *choices* with this *slug*; unknown or empty: any."""
    return next((choice for choice in choices if slug and choice.slug == slug), None)

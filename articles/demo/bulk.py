"""Generate large volumes of stories and reviews quickly, for benchmarks.

``seed_demo --articles N --reviews M`` lands here. Rows go straight into the tables — COPY on
PostgreSQL (psycopg 3), ``executemany`` elsewhere — in batches, so 100,000 stories and
1,000,000 reviews take minutes, not hours. That skips ``Model.save()``, so what save() would
derive is computed here: bodies are built from our own phrase lists as already-safe HTML
(escaped text in ``<p>``/``<h2>``), and the reading time is counted while building them. Any
column this module does not set gets its field's default, so a new field with a default
needs no change here.

Generated stories are published, spread over the regions, rubrics and the last two years,
with slugs ``generated-<n>`` and no lead image. Reviews are mostly approved; the newest
generated story gets up to 1,000 approved reviews (the benchmark's "story with 1,000
reviews"), the rest are spread unevenly over the other stories.
"""

import hashlib
import html
import math
import random
import re
import sys
import time
import uuid
from collections.abc import Callable, Iterable, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TextIO

from django.apps import apps
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.management.base import CommandError
from django.db import connection, models, transaction
from django.db.models.fields import AutoFieldMixin
from django.utils import timezone
from taggit.models import Tag

from articles.models import (
    WORDS_PER_MINUTE,
    Article,
    Author,
    Region,
    Rubric,
    content_digest,
)
from pagecache.invalidation import invalidate_everything

GENERATED_PREFIX = "generated-"
HOT_STORY_REVIEWS = 1000
WORD = re.compile(r"\w+")
SPREAD = timedelta(days=730)

PLACES = {
    "post-soviet-region": ["Minsk", "Chisinau", "Kyiv", "Odesa", "Riga", "Tallinn", "Vilnius"],
    "south-caucasus": ["Tbilisi", "Yerevan", "Baku", "Batumi", "Gyumri", "Ganja", "Kutaisi"],
    "central-asia": ["Almaty", "Astana", "Tashkent", "Bishkek", "Dushanbe", "Samarkand", "Osh"],
    "middle-east": ["Beirut", "Amman", "Baghdad", "Dubai", "Doha", "Muscat", "Erbil"],
    "europe": ["Brussels", "Warsaw", "Vienna", "Bucharest", "Berlin", "Prague", "Sofia"],
}
DEFAULT_PLACES = ["the capital", "the port city", "the border towns", "the provinces"]

TOPICS = [
    "rail freight", "water sharing", "electricity trade", "grain exports", "housing costs",
    "remittances", "border crossings", "university exchanges", "port capacity", "solar power",
    "gas storage", "labour migration", "road building", "public transport", "digital services",
    "pension reform", "food prices", "tourism", "hospital staffing", "mining licences",
    "air links", "river shipping", "school curricula", "currency swings", "wind farms",
    "farm subsidies", "customs software", "local elections", "language policy", "heating bills",
]  # fmt: skip
ANGLES = [
    "what changes next year", "the numbers behind the headlines", "who gains and who pays",
    "a view from the ground", "the questions nobody asks", "old habits, new rules",
    "the long road to a deal", "what the neighbours do differently", "a quiet turning point",
    "why the timing matters",
]  # fmt: skip
SUBHEADS = [
    "What changes", "The numbers", "Who pays", "What to watch", "Why it matters",
    "Old habits, new rules", "A regional comparison", "The view from the street",
]  # fmt: skip
LEDES = [
    "In {place}, {topic} has become the subject everyone has an opinion about, and the "
    "decisions taken this year will shape the next decade.",
    "A plan for {topic} in {place} promises quick results. Those who have watched earlier "
    "plans come and go are more cautious.",
    "{Topic} used to be a technical matter for specialists. In {place} it is now a political "
    "question, argued over in parliament and at kitchen tables.",
    "Neighbours compare notes on {topic}: {place} moved first, {other} is catching up, and "
    "both are learning what the plans left out.",
    "Behind the headlines about {topic} in {place} lies a simpler story about money, time and "
    "trust between institutions.",
]
SENTENCES = [
    "Officials in {place} say the approach to {topic} will be reviewed before the end of the year.",
    "Traders in {place} follow {topic} more closely than any speech.",
    "Compared with {other}, {place} has moved faster on {topic}, but from a lower base.",
    "Small businesses say {topic} now takes about {n} per cent of their planning time.",
    "The debate over {topic} has moved from ministries to kitchen tables.",
    "Few people expected {topic} to become the defining issue of the season.",
    "Economists point out that the costs of {topic} are rarely shared evenly.",
    "Local councils in {place} want a say before the national rules are written.",
    "A working group met {n} times last year without publishing a single report.",
    "Data on {topic} is collected, but it is seldom published in a form anyone can use.",
    "Residents of {other} watch the experiment in {place} with interest and some doubt.",
    "The first results are modest, which is often how lasting change begins.",
    "Critics say the timetable is too ambitious; supporters say it is overdue.",
    "Investors ask for predictable rules more than for subsidies.",
    "Younger people in {place} see {topic} differently from their parents.",
    "The region has tried similar reforms before, with mixed success.",
    "Everyone agrees on the goal; the argument is about who pays for it.",
    "Much depends on decisions taken in {other}, not only in {place}.",
    "A pilot project in {place} will run for {n} months before anyone draws conclusions.",
    "Technical details decide whether the plan works, and they are still being drafted.",
    "Journalists in {place} have asked for the contracts to be published.",
    "The change will be felt first by households on modest incomes.",
    "International lenders are watching {topic} as a test of the reform agenda.",
    "Cooperation across the border has grown, slowly and mostly out of sight.",
    "Nobody expects a quick solution, but the direction is clearer than it was.",
    "There is a lesson here for {other}, which faces the same choices.",
]
REVIEW_SENTENCES = [
    "Thank you for a clear explanation.",
    "I live in {place} and this matches what I see every day.",
    "The article misses the view of people outside the capital.",
    "Good analysis, but I would like to see the numbers behind it.",
    "This is the first piece I have read that explains {topic} properly.",
    "I disagree with the conclusion, though the facts are well presented.",
    "My family has dealt with {topic} for years; nothing changes quickly.",
    "Please write a follow-up in a few months.",
    "Interesting comparison with {other}.",
    "The situation is more complicated than this, in my opinion.",
    "Well written and fair to all sides.",
    "Could you publish the sources you used?",
    "I shared this with my students; it started a long discussion.",
    "Finally someone asks the right question.",
    "As someone who works in this field, I can confirm most of this.",
    "The photo does not match the story, but the text is excellent.",
]
FIRST_NAMES = [
    "Anna", "Armen", "Aziz", "Bahar", "Dana", "Elif", "Farid", "Giorgi", "Hana", "Ilya",
    "Jana", "Karim", "Lala", "Marek", "Nino", "Oleg", "Petra", "Rana", "Sami", "Timur",
    "Ulla", "Vera", "Yusuf", "Zara", "Aliya", "Bruno", "Dilnoza", "Emil", "Leila", "Tamar",
]  # fmt: skip
LAST_NAMES = [
    "Abbas", "Berg", "Ceban", "Dzhaksybekov", "Eriksen", "Fischer", "Gasparyan", "Haddad",
    "Ivanova", "Jovanovic", "Kapanadze", "Lindqvist", "Mammadov", "Novak", "Orlova",
    "Popescu", "Qasimov", "Rahimova", "Saleh", "Tursunov", "Usmanov", "Vasile", "Wolff",
    "Yilmaz", "Zhukova",
]  # fmt: skip
USER_AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "Mozilla/5.0 (Linux; Android 14) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 Version/17.5 Safari",
]  # fmt: skip
TAG_NAMES = sorted(
    {topic.split()[-1] for topic in TOPICS} | {"diplomacy", "economy", "climate", "trade"}
)
# (status, reasons as JSON, cumulative share)
REVIEW_STATUSES = [
    ("approved", "[]", 0.85),
    ("pending", '["held word: crypto"]', 0.93),
    ("rejected", "[]", 0.97),
    ("spam", '["honeypot field filled"]', 1.0),
]

# The phrase lists are ours and plain, but escape them anyway: bodies bypass the sanitiser.
LEDES = [html.escape(text, quote=False) for text in LEDES]
SENTENCES = [html.escape(text, quote=False) for text in SENTENCES]
SUBHEADS = [html.escape(text, quote=False) for text in SUBHEADS]


@dataclass
class BulkReport:
    articles: int = 0
    reviews: int = 0
    hot_story: str = ""
    hot_story_reviews: int = 0
    seconds: float = 0.0


class Progress:
    """A one-line progress bar on a text stream (stderr), redrawn at most five times a second."""

    def __init__(self, label: str, total: int, stream: TextIO | None = None):
        self.label, self.total, self.done = label, total, 0
        self.stream = stream or sys.stderr
        # Redrawing with \r only makes sense on a terminal; logs get the final line alone.
        self.live = getattr(self.stream, "isatty", lambda: False)()
        self.started = self.drawn = time.monotonic()
        if self.live:
            self._draw()

    def advance(self, count: int) -> None:
        self.done += count
        now = time.monotonic()
        if self.live and now - self.drawn >= 0.2:
            self.drawn = now
            self._draw()

    def finish(self) -> None:
        self._draw()
        self.stream.write("\n")
        self.stream.flush()

    def _draw(self) -> None:
        share = self.done / self.total if self.total else 1
        bar = "#" * int(share * 30)
        elapsed = time.monotonic() - self.started
        self.stream.write(
            f"\r{self.label:<8} [{bar:<30}] {self.done:>10,}/{self.total:,} "
            f"{share:4.0%} {elapsed:6.1f}s"
        )
        self.stream.flush()


class TableWriter:
    """Insert tuples into a model's table; columns not given get their field's default."""

    def __init__(self, model: type[models.Model], columns: Sequence[str], now: datetime):
        opts = model._meta
        qn = connection.ops.quote_name
        fields = {field.column: field for field in opts.concrete_fields}
        self.postgres = connection.vendor == "postgresql"
        # Other backends want datetimes in their own text form; PostgreSQL takes them as is.
        self.datetime_positions = [
            index
            for index, column in enumerate(columns)
            if isinstance(fields[column], models.DateTimeField)
        ]
        rest = [
            field
            for field in opts.concrete_fields
            if field.column not in columns
            and not getattr(field, "generated", False)
            and not (field.primary_key and isinstance(field, AutoFieldMixin))
        ]
        self.constants = tuple(_column_default(model, field, now) for field in rest)
        all_columns = [*columns, *(field.column for field in rest)]
        names = ", ".join(qn(column) for column in all_columns)
        self.copy_sql = f"COPY {qn(opts.db_table)} ({names}) FROM STDIN"
        placeholders = ", ".join(["%s"] * len(all_columns))
        self.insert_sql = f"INSERT INTO {qn(opts.db_table)} ({names}) VALUES ({placeholders})"

    def write(self, rows: Iterable[tuple]) -> None:
        constants = self.constants
        with connection.cursor() as cursor:
            if self.postgres:
                with cursor.cursor.copy(self.copy_sql) as copy:
                    for row in rows:
                        copy.write_row(row + constants)
                return
            adapt = connection.ops.adapt_datetimefield_value
            positions = self.datetime_positions
            prepared = []
            for row in rows:
                row = list(row)
                for index in positions:
                    row[index] = adapt(row[index])
                prepared.append((*row, *constants))
            cursor.executemany(self.insert_sql, prepared)


def _column_default(model, field, now: datetime):
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        value = now
    else:
        value = field.get_default()
    if value is None and not field.null:
        raise CommandError(
            f"seed_demo does not know what to put in {model._meta.label}.{field.name}: give the "
            "field a default, or teach articles/demo/bulk.py about it."
        )
    return field.get_db_prep_save(value, connection)


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """Return *count* fresh primary keys for *model*, so that related rows can be written too."""
    table, column = model._meta.db_table, model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [table, column, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # Elsewhere the write lock of the surrounding transaction keeps MAX() + 1 ours.
        qn = connection.ops.quote_name
        cursor.execute(f"SELECT MAX({qn(column)}) FROM {qn(table)}")
        start = (cursor.fetchone()[0] or 0) + 1
        return list(range(start, start + count))


@contextmanager
def indexes_rebuilt_after(tables: Sequence[type[models.Model]], adding: int):
    """On PostgreSQL, drop the tables' secondary indexes now and build them again on exit.

    Building an index once over a million rows is many times faster than updating it a
    million times (GIN indexes above all). Worth it only when the load dwarfs what is there;
    the caller's transaction makes it all-or-nothing, and readers simply wait for it.
    """
    if connection.vendor != "postgresql" or adding < 10_000:
        yield
        return
    definitions = []
    with connection.cursor() as cursor:
        for model in tables:
            table = model._meta.db_table
            cursor.execute("SELECT reltuples FROM pg_class WHERE oid = %s::regclass", [table])
            if max(cursor.fetchone()[0], 0) > adding:
                continue
            # Indexes that back a constraint (primary key, unique) stay: they guard the data.
            cursor.execute(
                """
                SELECT index_class.relname, pg_get_indexdef(ix.indexrelid)
                FROM pg_index ix JOIN pg_class index_class ON index_class.oid = ix.indexrelid
                WHERE ix.indrelid = %s::regclass
                AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = ix.indexrelid)
                """,
                [table],
            )
            for name, definition in cursor.fetchall():
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
                definitions.append(definition)
    yield
    if not definitions:
        return
    with connection.cursor() as cursor:
        # CREATE INDEX refuses a table with deferred foreign-key checks still queued: run them.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for definition in definitions:
            cursor.execute(definition)
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


def generate(
    *,
    articles: int,
    reviews: int,
    seed: int = 1,
    batch_size: int = 5000,
    stream: TextIO | None = None,
) -> BulkReport:
    """Add *articles* generated stories and *reviews* reviews, in one transaction."""
    rng = random.Random(seed)
    report = BulkReport()
    started = time.monotonic()
    with transaction.atomic():
        article_tables = [Article, Article.authors.through, Article.tags.through]
        with indexes_rebuilt_after(article_tables, articles):
            targets = _generate_articles(rng, articles, batch_size, stream) if articles else []
        report.articles = len(targets)
        if reviews:
            if not targets:
                targets = list(
                    Article.objects.published().order_by("pk").values_list("pk", "publish_at")
                )
            if not targets:
                raise CommandError("There is no published story to add reviews to.")
            with indexes_rebuilt_after([_review_model()], reviews):
                report.hot_story, report.hot_story_reviews = _generate_reviews(
                    rng, targets, reviews, batch_size * 4, stream
                )
            report.reviews = reviews
        if connection.vendor == "postgresql":
            tables = [Article, Article.authors.through, Article.tags.through]
            if reviews:
                tables.append(_review_model())
            qn = connection.ops.quote_name
            names = ", ".join(qn(model._meta.db_table) for model in tables)
            with connection.cursor() as cursor:
                # Fresh statistics, so the planner treats the new volume as it will in use.
                cursor.execute(f"ANALYZE {names}")
    _invalidate_page_cache()
    report.seconds = time.monotonic() - started
    return report


def _generate_articles(rng: random.Random, count: int, batch_size: int, stream) -> list[tuple]:
    now = timezone.now()
    # In the default language, as the demo's own stories: the generated ones join their lists.
    regions = list(Region.objects.in_language(settings.LANGUAGE_CODE).values_list("pk", "slug"))
    rubrics = list(Rubric.objects.in_language(settings.LANGUAGE_CODE).values_list("pk", flat=True))
    authors = list(Author.objects.values_list("pk", flat=True))
    if not (regions and rubrics and authors):
        raise CommandError("Generated stories need regions, rubrics and authors: seed them first.")
    tags = [Tag.objects.get_or_create(name=name)[0].pk for name in TAG_NAMES]
    content_type = ContentType.objects.get_for_model(Article)
    first = _next_generated_number()
    ids = reserve_ids(Article, count)

    article_columns = [
        "id", "title", "slug", "region_id", "rubric_id", "teaser", "body", "status",
        "publish_at", "reading_time", "created_at", "updated_at", "translation_key",
        "content_digest",
    ]  # fmt: skip
    article_writer = TableWriter(Article, article_columns, now)
    key_field = Article._meta.get_field("translation_key")
    authors_through = Article.authors.through
    author_writer = TableWriter(
        authors_through,
        [
            authors_through._meta.get_field("article").column,
            authors_through._meta.get_field("author").column,
        ],
        now,
    )
    tag_writer, tag_row = _tag_writer(content_type, now)

    targets = []
    progress = Progress("stories", count, stream)
    for offset in range(0, count, batch_size):
        article_rows, author_rows, tag_rows = [], [], []
        for index in range(offset, min(offset + batch_size, count)):
            pk = ids[index]
            # The first generated story is the newest: it is the one that gets many reviews.
            age = timedelta(minutes=5) if index == 0 else timedelta(hours=1) + rng.random() * SPREAD
            publish_at = now - age
            region_id, region_slug = rng.choice(regions)
            title, teaser, body, words = _story_text(rng, region_slug)
            article_rows.append(
                (
                    pk,
                    title,
                    f"{GENERATED_PREFIX}{first + index}",
                    region_id,
                    rng.choice(rubrics),
                    teaser,
                    body,
                    Article.Status.PUBLISHED,
                    publish_at,
                    max(1, math.ceil(words / WORDS_PER_MINUTE)),
                    publish_at,
                    publish_at,
                    key_field.get_db_prep_value(uuid.uuid4(), connection),
                    content_digest(title, teaser, body),
                )
            )
            for author_id in rng.sample(authors, rng.choice((1, 1, 1, 2))):
                author_rows.append((pk, author_id))
            for tag_id in rng.sample(tags, rng.randint(1, 3)):
                tag_rows.append(tag_row(pk, tag_id))
            targets.append((pk, publish_at))
        article_writer.write(article_rows)
        author_writer.write(author_rows)
        tag_writer.write(tag_rows)
        progress.advance(len(article_rows))
    progress.finish()
    return targets


def _tag_writer(content_type, now) -> tuple[TableWriter, Callable[[int, int], tuple]]:
    """Return a writer for the tag through table, generic (taggit's default) or direct."""
    through = Article.tags.through
    tag_column = through._meta.get_field("tag").column
    try:
        object_column = through._meta.get_field("content_object").column
    except FieldDoesNotExist:
        object_column = None
    if object_column:
        return TableWriter(through, [object_column, tag_column], now), lambda pk, tag: (pk, tag)
    columns = [
        through._meta.get_field("object_id").column,
        through._meta.get_field("content_type").column,
        tag_column,
    ]
    content_type_id = content_type.pk
    return TableWriter(through, columns, now), lambda pk, tag: (pk, content_type_id, tag)


def _next_generated_number() -> int:
    numbers = [
        int(suffix)
        for suffix in (
            slug.removeprefix(GENERATED_PREFIX)
            for slug in Article.objects.filter(slug__startswith=GENERATED_PREFIX).values_list(
                "slug", flat=True
            )
        )
        if suffix.isdigit()
    ]
    return max(numbers, default=0) + 1


def _story_text(rng: random.Random, region_slug: str) -> tuple[str, str, str, int]:
    places = PLACES.get(region_slug, DEFAULT_PLACES)
    place, other = rng.sample(places, 2)
    topic = rng.choice(TOPICS)
    words = {"place": place, "other": other, "topic": topic, "Topic": topic.capitalize()}
    title = f"{topic.capitalize()} in {place}: {rng.choice(ANGLES)}"
    teaser = rng.choice(LEDES).format(**words)
    paragraphs = []
    word_count = 0
    for number in range(rng.randint(4, 6)):
        if number == 2:
            subhead = rng.choice(SUBHEADS)
            word_count += len(WORD.findall(subhead))
            paragraphs.append(f"<h2>{subhead}</h2>")
        text = " ".join(
            sentence.format(n=rng.randint(3, 40), **words)
            for sentence in rng.sample(SENTENCES, rng.randint(3, 5))
        )
        # Counted as reading_minutes() counts the saved body, without parsing the HTML.
        word_count += len(WORD.findall(text))
        paragraphs.append(f"<p>{text}</p>")
    return title, teaser, "\n".join(paragraphs), word_count


def _review_model():
    try:
        return apps.get_model("reviews", "Review")
    except LookupError as error:
        raise CommandError("--reviews needs the reviews app's Review model.") from error


def _generate_reviews(
    rng: random.Random, targets: list[tuple], count: int, batch_size: int, stream
) -> tuple[str, int]:
    Review = _review_model()
    now = timezone.now()
    wanted = ["article", "name", "email", "body", "status", "created_at"]
    optional = ["fingerprint", "user_agent", "reasons", "moderated_at"]
    present = [name for name in optional if _has_field(Review, name)]
    for name in wanted:
        if not _has_field(Review, name):
            raise CommandError(f"reviews.Review has no field {name!r}; seed_demo needs it.")
    columns = [Review._meta.get_field(name).column for name in [*wanted, *present]]
    # Positions of the optional values in the full row built below.
    keep = list(range(6)) + [6 + optional.index(name) for name in present]
    writer = TableWriter(Review, columns, now)

    hot_pk, hot_published = max(targets, key=lambda target: (target[1], target[0]))
    hot_count = min(HOT_STORY_REVIEWS, count // 2)
    others = [target for target in targets if target[0] != hot_pk] or targets
    fingerprints = [hashlib.sha256(f"demo-{n}".encode()).hexdigest() for n in range(5000)]
    places = [place for region in PLACES.values() for place in region]

    progress = Progress("reviews", count, stream)
    for offset in range(0, count, batch_size):
        rows = []
        for index in range(offset, min(offset + batch_size, count)):
            if index < hot_count:
                pk, published, status, reasons = hot_pk, hot_published, "approved", "[]"
            else:
                # A power skews the choice: some stories get hundreds of reviews, most a few,
                # and (for 100,000 stories) none as many as the hot one.
                pk, published = others[int(rng.random() ** 1.5 * len(others))]
                status, reasons = _review_status(rng.random())
            window = min(14 * 86400.0, max(60.0, (now - published).total_seconds()))
            created = min(now, published + timedelta(seconds=rng.random() * window))
            first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
            words = {"place": rng.choice(places), "other": rng.choice(places), "topic": "this"}
            body = " ".join(
                sentence.format(**words)
                for sentence in rng.sample(REVIEW_SENTENCES, rng.randint(1, 3))
            )
            row = (
                pk,
                f"{first} {last}",
                f"{first}.{last}{index % 97}@example.org".lower(),
                body,
                status,
                created,
                fingerprints[index % len(fingerprints)],
                USER_AGENTS[index % len(USER_AGENTS)],
                reasons,
                None if status == "pending" else min(now, created + timedelta(hours=3)),
            )
            rows.append(tuple(row[position] for position in keep))
        writer.write(rows)
        progress.advance(len(rows))
    progress.finish()
    hot_slug = Article.objects.filter(pk=hot_pk).values_list("slug", flat=True).first()
    return hot_slug or "", hot_count


def _review_status(draw: float) -> tuple[str, str]:
    for status, reasons, share in REVIEW_STATUSES:
        if draw < share:
            return status, reasons
    return REVIEW_STATUSES[0][:2]


def _has_field(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _invalidate_page_cache() -> None:
    """Make cached reader pages stale: bulk inserts send none of the signals that would."""
    invalidate_everything()

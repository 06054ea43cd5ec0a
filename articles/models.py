import hashlib
import math
import re
import uuid
from datetime import timedelta

from anyascii import anyascii
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import (
    BooleanField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import cached_property
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext_lazy as _
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItem

from articles.sanitizer import sanitize_html
from images.models import Image
from serving.dates import admin_datetime
from serving.translated_texts import TranslatedTexts

WORDS_PER_MINUTE = 230
# Related stories (ArticleQuerySet.related_to): candidates are published this close to the
# story; each shared tag weighs more than the region, and nearness in time breaks the rest.
RELATED_WINDOW = timedelta(days=180)
RELATED_TAG_POINTS = 3
RELATED_REGION_POINTS = 2
RELATED_NEAR = ((timedelta(days=7), 2), (timedelta(days=30), 1))


def article_image_path(instance, filename: str) -> str:
    """Where lead images were stored before the image library (read by old migrations)."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"articles/{timezone.now():%Y/%m}/{uuid.uuid4().hex}.{extension}"


def author_photo_path(instance, filename: str) -> str:
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else "jpg"
    return f"authors/{uuid.uuid4().hex}.{extension}"


def language_choices() -> list[tuple[str, str]]:
    """The site's languages (``NEWSROOM_LANGUAGES``), read when asked so that a deployment
    adding one needs no migration."""
    return settings.LANGUAGES


def default_language() -> str:
    return settings.LANGUAGE_CODE


def ascii_slug(text: str, max_length: int) -> str:
    """Return a slug of *text* in Latin letters, whatever its script ("Переговоры в Алматы" →
    "peregovory-v-almaty"), as the admin's own slug field would prefill it."""
    return slugify(anyascii(text))[:max_length].strip("-")


class TranslatableQuerySet(models.QuerySet):
    def in_language(self, language: str):
        """Return the rows written in *language*: every public list shows one language."""
        return self.filter(language=language)


class Translatable(models.Model):
    """A row in one language, linked to its translations by a shared ``translation_key``.

    Translations are rows of their own (as Wagtail's locales are), so a Russian story points
    at the Russian region and rubric: lists, teasers and links read names in the page's
    language with no extra query.
    """

    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default=default_language,
        db_index=True,
    )
    # Rows that share it are translations of one another (one per language).
    translation_key = models.UUIDField(default=uuid.uuid4, editable=False, db_index=True)

    class Meta:
        abstract = True

    def translations(self) -> models.QuerySet:
        """Return the other languages' versions of this row (public or not: filter them)."""
        return (
            type(self)
            ._default_manager.filter(translation_key=self.translation_key)
            .exclude(pk=self.pk)
        )

    def translation_in(self, language: str):
        """Return this row's version in *language* (itself for its own), or None."""
        if language == self.language:
            return self
        return (
            type(self)
            ._default_manager.filter(translation_key=self.translation_key, language=language)
            .first()
        )


class Region(Translatable):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(
        _("position"), default=0, help_text=_("Regions are listed on the home page in this order.")
    )

    objects = TranslatableQuerySet.as_manager()

    class Meta:
        ordering = ("position", "name")
        verbose_name = _("region")
        verbose_name_plural = _("regions")
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="region_slug_per_language"),
            models.UniqueConstraint(fields=["language", "name"], name="region_name_per_language"),
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="region_one_per_language"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("articles:region", kwargs={"slug": self.slug})


class Rubric(Translatable):
    name = models.CharField(_("name"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100)
    description = models.TextField(_("description"), blank=True)

    objects = TranslatableQuerySet.as_manager()

    class Meta:
        ordering = ("name",)
        verbose_name = _("rubric")
        verbose_name_plural = _("rubrics")
        constraints = [
            models.UniqueConstraint(fields=["language", "slug"], name="rubric_slug_per_language"),
            models.UniqueConstraint(fields=["language", "name"], name="rubric_name_per_language"),
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="rubric_one_per_language"
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("articles:rubric", kwargs={"slug": self.slug})


class Author(TranslatedTexts):
    # As spelt in the other languages, for their pages (serving.translated_texts).
    TRANSLATED_FIELDS = ("name", "bio")

    name = models.CharField(_("display name"), max_length=150)
    slug = models.SlugField(_("slug"), max_length=150, unique=True)
    bio = models.TextField(_("short bio"), blank=True, max_length=1000)
    photo = models.ImageField(_("photo"), upload_to=author_photo_path, blank=True)
    # Derived from photo by articles.pictures, as a library image's renditions.
    photo_renditions = models.JSONField(default=dict, blank=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user account"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text=_("Link a login so that this author can edit their own stories."),
    )

    class Meta:
        ordering = ("name",)
        verbose_name = _("author")
        verbose_name_plural = _("authors")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("articles:author", kwargs={"slug": self.slug})


def previous_and_following(article, neighbours) -> tuple["Article | None", "Article | None"]:
    """Sort *neighbours* of *article* into the one before it and the one after it."""
    previous = following = None
    for story in neighbours:
        if (story.publish_at, story.pk) < (article.publish_at, article.pk):
            previous = story
        else:
            following = story
    return previous, following


def public_at(moment) -> Q:
    """Return the rule that makes a story public at *moment*: published, its time has come, and
    its time to come down (if it has one) has not.

    The one place it is written. ``published()``, ``scheduled()``, ``expired()``,
    ``with_visibility()`` and ``Article.is_published()`` all use it.
    """
    return Q(status=Article.Status.PUBLISHED, publish_at__lte=moment) & (
        Q(unpublish_at__isnull=True) | Q(unpublish_at__gt=moment)
    )


def expired_at(moment) -> Q:
    """Return what makes a published story gone at *moment*: its "unpublish at" has passed."""
    return Q(status=Article.Status.PUBLISHED, unpublish_at__lte=moment)


class ArticleQuerySet(TranslatableQuerySet):
    def published(self):
        """Return the stories the public may see now. The one gate every public path uses."""
        return self.filter(public_at(timezone.now()))

    def scheduled(self):
        """Return published stories whose time has not come yet, soonest first."""
        now = timezone.now()
        return (
            self.filter(status=Article.Status.PUBLISHED)
            .exclude(public_at(now))
            .exclude(expired_at(now))
            .order_by("publish_at", "pk")
        )

    def expired(self):
        """Return published stories whose "unpublish at" time has passed: off every public
        surface by themselves, though their status still says published."""
        return self.filter(expired_at(timezone.now()))

    def with_visibility(self):
        """Annotate each story with ``is_public``: whether the public may see it now."""
        return self.annotate(
            is_public=ExpressionWrapper(public_at(timezone.now()), output_field=BooleanField())
        )

    def for_teasers(self):
        """Return rows for teasers: rubric, region and lead image joined, body left out.

        Teasers show rubric, title, time, teaser and thumbnail only, so a teaser list costs
        exactly one query however long it is.
        """
        return self.select_related("region", "rubric", "lead_image").defer("body")

    def for_story(self):
        """Return rows for the story page: region, rubric and lead image joined, authors, tags
        and corrections fetched."""
        return (
            self.select_related("region", "rubric", "lead_image")
            .with_byline_and_tags()
            .with_corrections()
        )

    def with_byline_and_tags(self):
        """Fetch the authors and tags of every story in one query each (Article.byline and
        Article.tag_list).

        Into plain lists (``to_attr``): a prefetch into the relations themselves would build a
        filtered QuerySet per story to hold them, which for fifty stories in a feed cost more
        than both queries.
        """
        return self.prefetch_related(
            Prefetch("authors", to_attr="prefetched_authors"),
            Prefetch("tags", to_attr="prefetched_tags"),
        )

    def with_corrections(self):
        """Fetch the corrections of every story, oldest first, in one query
        (``Article.correction_list``)."""
        return self.prefetch_related(
            Prefetch(
                "corrections",
                queryset=Correction.objects.order_by("made_at", "pk"),
                to_attr="prefetched_corrections",
            )
        )

    def with_latest_correction(self):
        """Annotate each story with its latest correction's text and time, in the same query
        (``Article.latest_correction``): what a feed item says, at no query per story."""
        latest = Correction.objects.filter(article=OuterRef("pk")).order_by("-made_at", "-pk")
        return self.annotate(
            latest_correction_text=Subquery(latest.values("text")[:1]),
            latest_correction_at=Subquery(latest.values("made_at")[:1]),
        )

    def for_links(self):
        """Return rows for links to stories (rubric, title, time): only those columns read."""
        return self.select_related("rubric").only(
            "title",
            "slug",
            "language",
            "publish_at",
            "rubric__name",
            "rubric__slug",
            "rubric__language",
        )

    def newest_first(self):
        return self.order_by("-publish_at", "-pk")

    def latest_per_region(self, per_region: int, language: str):
        """Return the *per_region* newest stories of every region in *language*, grouped by
        region.

        Rows come in the regions' own order, newest first inside each region. Two queries
        whatever the number of regions or stories, each reading only a few rows: the first
        finds each region's *per_region*-th newest story (an index lookup per region), the
        second reads the stories from there on. (A ROW_NUMBER() window would rank every
        published story, which at 100,000 stories takes half a second.)
        """
        edge = (
            self.filter(region=OuterRef("pk"))
            .order_by("-publish_at", "-pk")
            .values("publish_at", "pk")[per_region - 1 : per_region]
        )
        edges = (
            Region.objects.in_language(language)
            .annotate(
                edge_at=Subquery(edge.values("publish_at")), edge_pk=Subquery(edge.values("pk"))
            )
            .values_list("pk", "edge_at", "edge_pk")
        )
        wanted = Q(pk__in=[])
        for region_id, edge_at, edge_pk in edges:
            if edge_at is None:
                # Fewer stories than places in the block: all of them.
                wanted |= Q(region=region_id)
            else:
                wanted |= Q(region=region_id) & (
                    Q(publish_at__gt=edge_at) | Q(publish_at=edge_at, pk__gte=edge_pk)
                )
        return self.filter(wanted).order_by(
            "region__position", "region__name", "region_id", "-publish_at", "-pk"
        )

    def count_newer_than_offset(self, offset: int) -> tuple[int, int]:
        """Return how many stories this list has, and how many are newer than the one at *offset*.

        For :meth:`newest_from`. One query that reads publication times only, which the
        region and rubric lists take from their (region|rubric, status, publish_at) index
        alone: a few milliseconds for 10,000 stories, against reading every row before the
        page for ``OFFSET``.
        """
        at_offset = Subquery(self.order_by("-publish_at").values("publish_at")[offset : offset + 1])
        figures = self.order_by().aggregate(
            total=Count("publish_at"), newer=Count("publish_at", filter=Q(publish_at__gt=at_offset))
        )
        return figures["total"], figures["newer"]

    def newest_from(self, offset: int, newer: int):
        """Return this list newest first from *offset* on, where *newer* stories are newer.

        Pages deep in a long list start at the publication time of their first story, read
        from the index, instead of counting their way past every row before them. Only the
        stories published at exactly that time before the page, if any, are skipped over.
        """
        at_offset = Subquery(self.order_by("-publish_at").values("publish_at")[offset : offset + 1])
        return self.filter(publish_at__lte=at_offset).newest_first()[offset - newer :]

    def older_than(self, article):
        """Return the stories before *article* in publication order, the nearest first."""
        # The plain bound lets the database start its index scan at the story's time; the OR
        # alone would have it walk from the newest story down to this one.
        return self.filter(
            Q(publish_at__lt=article.publish_at)
            | Q(publish_at=article.publish_at, pk__lt=article.pk),
            publish_at__lte=article.publish_at,
        ).order_by("-publish_at", "-pk")

    def newer_than(self, article):
        """Return the stories after *article* in publication order, the nearest first."""
        return self.filter(
            Q(publish_at__gt=article.publish_at)
            | Q(publish_at=article.publish_at, pk__gt=article.pk),
            publish_at__gte=article.publish_at,
        ).order_by("publish_at", "pk")

    def neighbours(self, article):
        """Return the stories just before and just after *article*: two rows at most."""
        older = Subquery(self.older_than(article).values("pk")[:1])
        newer = Subquery(self.newer_than(article).values("pk")[:1])
        return self.filter(Q(pk=older) | Q(pk=newer))

    def related_to(self, article, tag_ids=None):
        """Return the stories related to *article*, the closest first, *article* left out.

        Scored in one query however many tags it has: points for each tag shared, for the same
        region, and for being published within a week (or a month) of it. Candidates share a
        tag or the region and were published within ``RELATED_WINDOW`` of it, so that a large
        site scores a few hundred rows, not every story. *tag_ids* default to the story's
        ``tag_list`` (prefetched on the story page). Chain it after ``published()``.
        """
        if tag_ids is None:
            tag_ids = [tag.pk for tag in article.tag_list]
        moment = article.publish_at
        candidates = Q(region=article.region_id)
        score = Case(
            When(region=article.region_id, then=Value(RELATED_REGION_POINTS)),
            default=Value(0),
        )
        if tag_ids:
            tagged = TaggedItem.objects.filter(
                content_type=ContentType.objects.get_for_model(Article), tag_id__in=tag_ids
            )
            shared = Subquery(
                tagged.filter(object_id=OuterRef("pk"))
                .order_by()
                .values("object_id")
                .annotate(shared=Count("pk"))
                .values("shared")
            )
            candidates |= Q(pk__in=tagged.values("object_id"))
            score += Coalesce(shared, 0) * RELATED_TAG_POINTS
        score += Case(
            *(
                When(publish_at__range=(moment - distance, moment + distance), then=Value(points))
                for distance, points in RELATED_NEAR
            ),
            default=Value(0),
        )
        return (
            self.filter(
                candidates, publish_at__range=(moment - RELATED_WINDOW, moment + RELATED_WINDOW)
            )
            .exclude(pk=article.pk)
            .annotate(relatedness=ExpressionWrapper(score, output_field=IntegerField()))
            .order_by("-relatedness", "-publish_at", "-pk")
        )

    def editable_by(self, user):
        """Return the stories *user* may edit in the admin: all for editors, own for authors."""
        if user.has_perm("articles.edit_any_article"):
            return self
        return self.filter(models.Q(authors__user=user) | models.Q(created_by=user)).distinct()


class Article(Translatable):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    title = models.CharField(_("title"), max_length=200)
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_(
            "The end of the story's address, as in /articles/the-almaty-talks/. Changed after "
            "publishing, the old address still leads here."
        ),
    )
    rubric = models.ForeignKey(
        Rubric, verbose_name=_("rubric"), on_delete=models.PROTECT, related_name="articles"
    )
    region = models.ForeignKey(
        Region, verbose_name=_("region"), on_delete=models.PROTECT, related_name="articles"
    )
    tags = TaggableManager(_("tags"), blank=True)
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), related_name="articles", blank=True
    )
    teaser = models.TextField(
        _("teaser"),
        max_length=300,
        help_text=_(
            "One plain-text paragraph shown in lists, feeds and search (≤ 300 characters)."
        ),
    )
    body = models.TextField(_("body"), blank=True)
    lead_image = models.ForeignKey(
        Image,
        verbose_name=_("lead image"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="lead_of_stories",
        help_text=_(
            "Choose a picture from the image library, or add one with “+”. Its alt text, "
            "caption and credit come from the library, in the story's language where given."
        ),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    publish_at = models.DateTimeField(
        _("publish at"),
        default=timezone.now,
        db_index=True,
        help_text=_("A future time schedules a published story: it appears by itself then."),
    )
    unpublish_at = models.DateTimeField(
        _("unpublish at"),
        null=True,
        blank=True,
        db_index=True,
        help_text=_(
            "Optional. At this time the story leaves the site, feeds, sitemaps, search and the "
            "API by itself (an embargo that ends, an expiring offer, a takedown date)."
        ),
    )
    revised_at = models.DateTimeField(
        _("updated at (shown)"),
        null=True,
        blank=True,
        help_text=_("Set when the story is substantially updated; readers see 'Updated'."),
    )
    featured = models.BooleanField(_("featured"), default=False)
    allow_reviews = models.BooleanField(_("reviews open"), default=True)
    reading_time = models.PositiveSmallIntegerField(
        _("reading time (minutes)"), default=1, editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("last edited at"), auto_now=True)
    # Optimistic concurrency (articles.concurrency): every write to a stored story adds one,
    # so an editor saving a form opened at an older version is stopped, not overwriting.
    version = models.PositiveIntegerField(_("version"), default=1, editable=False)
    # What readers read of it (title, teaser, body), digested in save(): a translation compares
    # its source's with the one it was last brought up to date with (articles.translations).
    content_digest = models.CharField(max_length=64, blank=True, editable=False)
    translation_source = models.ForeignKey(
        "self",
        verbose_name=_("translated from"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="translations_made",
    )
    # The source's content digest and history version when this translation was last up to
    # date with it: a source edited since makes the translation out of date, and the diff
    # between that version and the source now shows what to translate.
    source_digest = models.CharField(max_length=64, blank=True, editable=False)
    source_history_id = models.PositiveIntegerField(null=True, blank=True, editable=False)

    objects = ArticleQuerySet.as_manager()

    class Meta:
        ordering = ("-publish_at", "-pk")
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        permissions = [
            ("publish_article", _("Can publish and unpublish stories")),
            ("edit_any_article", _("Can edit stories of any author")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="article_one_per_language"
            ),
        ]
        # Every column of the published gate (public_at) is in the indexes the public lists
        # read, unpublish_at as an included column (PostgreSQL; SQLite has none): counts and
        # deep pages are then answered from the index alone, never from the table's rows.
        indexes = [
            # Every public list but the region's and rubric's (whose rows are of one language)
            # shows one language.
            models.Index(
                fields=["language", "status", "publish_at"],
                include=["unpublish_at"],
                name="article_language_publish",
            ),
            models.Index(
                fields=["region", "status", "publish_at"],
                include=["unpublish_at"],
                name="article_region_publish",
            ),
            models.Index(
                fields=["rubric", "status", "publish_at"],
                include=["unpublish_at"],
                name="article_rubric_publish",
            ),
            # Tag and author lists join their stories by id and keep the published ones: with
            # the gate's columns beside the id, PostgreSQL answers from this index alone.
            models.Index(
                fields=["id", "status", "publish_at"],
                include=["unpublish_at", "language"],
                name="article_id_visibility",
            ),
            # The content API's sync order (api.views): when a story last changed for a reader,
            # its last edit or its publication if later, then its id. Pages deep in it are then
            # a range of this index, as the newest-first ones are of article_language_publish.
            models.Index(
                F("status"),
                Greatest("updated_at", "publish_at"),
                F("id"),
                name="article_status_changed",
            ),
        ]

    def __str__(self):
        return self.title

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = ascii_slug(self.title, 200)
        self.body = sanitize_html(self.body)
        self.teaser = " ".join(self.teaser.split())
        self.reading_time = reading_minutes(self.body)
        self.content_digest = content_digest(self.title, self.teaser, self.body)
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and {"title", "teaser", "body"} & set(update_fields):
            kwargs["update_fields"] = {*update_fields, "content_digest"}
        if self.pk is None or (
            # A story rebuilt from a history version (a revert) is "adding" but exists.
            self._state.adding and not type(self).objects.filter(pk=self.pk).exists()
        ):
            super().save(*args, **kwargs)
            return
        # Counted in the database, so that a save from a stale copy still moves it on.
        self.version = F("version") + 1
        update_fields = kwargs.get("update_fields")
        if update_fields is not None:
            kwargs["update_fields"] = {*update_fields, "version"}
        super().save(*args, **kwargs)
        self.version = type(self).objects.filter(pk=self.pk).values_list("version", flat=True)[0]

    def get_absolute_url(self):
        with translation.override(self.language):
            return reverse("articles:detail", kwargs={"slug": self.slug})

    @property
    def shown_lead_image(self) -> Image | None:
        """The lead image with its alt text and caption in the story's language."""
        return self.lead_image.in_language(self.language) if self.lead_image else None

    @cached_property
    def byline(self) -> list["Author"]:
        """The story's authors, in name order (fetched by ``with_byline_and_tags()``), as
        spelt in the story's language."""
        prefetched = self.__dict__.get("prefetched_authors")
        authors = list(self.authors.all()) if prefetched is None else prefetched
        return [author.in_language(self.language) for author in authors]

    @cached_property
    def tag_list(self) -> list[Tag]:
        """The story's tags, in name order (fetched by ``with_byline_and_tags()``)."""
        prefetched = self.__dict__.get("prefetched_tags")
        tags = self.tags.all() if prefetched is None else prefetched
        return sorted(tags, key=lambda tag: tag.name.casefold())

    @cached_property
    def correction_list(self) -> list["Correction"]:
        """The story's corrections, oldest first (fetched by ``with_corrections()``)."""
        prefetched = self.__dict__.get("prefetched_corrections")
        return (
            list(self.corrections.order_by("made_at", "pk")) if prefetched is None else prefetched
        )

    @cached_property
    def latest_correction(self) -> "Correction | None":
        """The story's newest correction: from ``with_latest_correction()``'s annotation, else
        from ``correction_list``."""
        if "latest_correction_text" in self.__dict__:
            text = self.__dict__["latest_correction_text"]
            if text is None:
                return None
            return Correction(article=self, text=text, made_at=self.latest_correction_at)
        corrections = self.correction_list
        return corrections[-1] if corrections else None

    def is_published(self) -> bool:
        """Return whether the public may see this story now, as stored (the one rule)."""
        return type(self).objects.filter(pk=self.pk).published().exists()

    is_published.boolean = True
    is_published.short_description = _("public")

    def is_scheduled(self) -> bool:
        """Return whether this story, as stored, is published for a time still to come."""
        return type(self).objects.filter(pk=self.pk).scheduled().exists()

    def is_expired(self) -> bool:
        """Return whether this story, as stored, came down at its "unpublish at" time."""
        return type(self).objects.filter(pk=self.pk).expired().exists()


class TagLanguage(Translatable):
    """The language of a (taggit) tag, and its translations: "Iran" and "Иран" share a key.

    Every tag gets one when a story first carries it, in the story's language
    (articles.translations); the tag's page exists in that language.
    """

    tag = models.OneToOneField(
        Tag, on_delete=models.CASCADE, primary_key=True, related_name="language_info"
    )

    objects = TranslatableQuerySet.as_manager()

    class Meta:
        verbose_name = _("tag language")
        verbose_name_plural = _("tag languages")
        constraints = [
            models.UniqueConstraint(
                fields=["translation_key", "language"], name="tag_one_per_language"
            ),
        ]

    def __str__(self):
        return f"{self.tag} ({self.language})"


def content_digest(title: str, teaser: str, body: str) -> str:
    """Return a digest of what readers read of a story: equal digests, nothing to translate."""
    text = "\x1f".join((title, teaser, body))
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()


def reading_minutes(html: str) -> int:
    words = len(re.findall(r"\w+", strip_tags(html)))
    return max(1, math.ceil(words / WORDS_PER_MINUTE))


def in_public_use(queryset: models.QuerySet, relation: str) -> models.QuerySet:
    """Return the tags or authors of *queryset* that at least one public story has.

    *relation* is the story's side of the link ("tags", "authors"). Until a public story
    uses a tag or credits an author, it has no public page, feed or sitemap entry: its name
    alone could give away unpublished work.
    """
    return in_use_by(queryset, relation, Article.objects.published())


def in_use_by(
    queryset: models.QuerySet, relation: str, stories: models.QuerySet
) -> models.QuerySet:
    """Return the tags or authors of *queryset* that at least one of *stories* has.

    A scalar subquery with LIMIT 1 probes each row and stops at its first story (PostgreSQL
    would turn EXISTS into a join hashing every published story instead).
    """
    using_it = stories.filter(**{relation: OuterRef("pk")})
    first_story = Subquery(using_it.order_by().values("pk")[:1])
    return queryset.alias(first_story=first_story).filter(first_story__isnull=False)


class Correction(models.Model):
    """A correction to a story, kept with its time: readers see every one, oldest first.

    Written through ``articles.corrections`` (audited; the story shows "Updated" at its
    time). A story reverted to an earlier version keeps its corrections: the record of what
    was wrong stays. Public only with its story, on the story's page, feeds and API.
    """

    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="corrections"
    )
    text = models.TextField(
        _("correction"),
        max_length=2000,
        help_text=_("What was wrong and what the story says now, in a sentence or two."),
    )
    made_at = models.DateTimeField(_("corrected at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("made by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    class Meta:
        ordering = ("made_at", "pk")
        verbose_name = _("correction")
        verbose_name_plural = _("corrections")
        indexes = [models.Index(fields=["article", "made_at"], name="correction_article_made")]

    def __str__(self):
        return Truncator(self.text).chars(60)

    def get_absolute_url(self):
        return f"{self.article.get_absolute_url()}#correction-{self.pk}"


class ScheduledEditQuerySet(models.QuerySet):
    def pending(self):
        """Return the edits neither applied nor cancelled yet, soonest first."""
        return self.filter(applied_at__isnull=True, cancelled_at__isnull=True).order_by(
            "apply_at", "pk"
        )

    def due(self, now=None):
        """Return the pending edits whose time has come."""
        return self.pending().filter(apply_at__lte=now or timezone.now())


class ScheduledEdit(models.Model):
    """A revision of a story's text saved for later: it replaces the live text at ``apply_at``.

    Until then readers see the story as it is (a correction to appear at 9:00, an update
    under embargo). The worker applies due edits (``articles.scheduled_edits``); ``changes``
    holds the new values of the fields in ``SCHEDULABLE_FIELDS`` that the editor changed.
    """

    # What a scheduled edit may change: the text readers see. Status, times, taxonomy and
    # bylines change at once, through the story form.
    SCHEDULABLE_FIELDS = ("title", "teaser", "body", "lead_image", "correction", "revised_at")
    # "correction" is not a story field: the text of a correction to add when the edit is
    # applied, at that time (articles.corrections).
    CORRECTION = "correction"

    article = models.ForeignKey(
        Article, verbose_name=_("story"), on_delete=models.CASCADE, related_name="scheduled_edits"
    )
    apply_at = models.DateTimeField(_("goes live at"), db_index=True)
    changes = models.JSONField(_("changes"), default=dict)
    # The story's version when the edit was made: applied over a later version, the admin
    # says so (someone edited the live story meanwhile).
    based_on_version = models.PositiveIntegerField(_("made on version"), default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("scheduled by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("scheduled at"), default=timezone.now)
    applied_at = models.DateTimeField(_("applied at"), null=True, blank=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancelled by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ScheduledEditQuerySet.as_manager()

    class Meta:
        ordering = ("apply_at", "pk")
        verbose_name = _("scheduled edit")
        verbose_name_plural = _("scheduled edits")

    def __str__(self):
        return f"{self.article_id} @ {admin_datetime(self.apply_at)}"

    def changed_field_labels(self) -> list[str]:
        return [
            str(_("a new correction"))
            if name == self.CORRECTION
            else str(Article._meta.get_field(name).verbose_name)
            for name in self.changes
        ]


class BodyImage(models.Model):
    """An image that the body of a story shows, in a figure or a gallery.

    Kept in step with the body on every save (articles.body_images): the library shows where
    each image is used, and cannot delete one a story shows.
    """

    article = models.ForeignKey(Article, on_delete=models.CASCADE, related_name="body_image_uses")
    image = models.ForeignKey(Image, on_delete=models.PROTECT, related_name="body_uses")

    class Meta:
        verbose_name = _("image in a story's text")
        verbose_name_plural = _("images in stories' text")
        constraints = [
            models.UniqueConstraint(fields=["article", "image"], name="body_image_once_per_story")
        ]

    def __str__(self):
        return str(self.article)

    def usage_target(self):
        """What the image library links to from the image's uses: the story."""
        return self.article


class Redirect(models.Model):
    """A permanent redirect from an address that no longer exists (see articles.redirects)."""

    old_path = models.CharField(
        _("old path"),
        max_length=500,
        unique=True,
        help_text=_(
            "The address that moved, starting with a slash, e.g. /articles/old-slug/. "
            "Pages below it move along: /regions/old/feed/ follows /regions/old/."
        ),
    )
    new_path = models.CharField(
        _("new path"),
        max_length=500,
        help_text=_("Where readers go instead: a path such as /articles/new-slug/ or a full URL."),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ("old_path",)
        verbose_name = _("redirect")
        verbose_name_plural = _("redirects")

    def __str__(self):
        return f"{self.old_path} → {self.new_path}"

    def clean(self):
        errors = {}
        if not self.old_path.startswith("/") or self.old_path == "/":
            errors["old_path"] = _("Give a path below the home page, starting with a slash.")
        elif "?" in self.old_path or "#" in self.old_path:
            errors["old_path"] = _("Leave out the query string and fragment: give the path only.")
        if not self.new_path.startswith(("/", "https://", "http://")):
            errors["new_path"] = _("Give a path starting with a slash or a full http(s) URL.")
        elif self.new_path == self.old_path:
            errors["new_path"] = _("A page cannot redirect to itself.")
        if errors:
            raise ValidationError(errors)

"""Which reader pages a change to stories and their taxonomy touches, told to the page cache.

A public story appears on its own page, its region's, rubric's, tags' and authors' pages and
feeds, and the front (home, site feeds, sitemaps, search): a save, a publication or a
correction makes those stale. A story that stops being public may be linked from any page
("Latest stories", a neighbour, "More from …"), so that makes every page stale; so does
renaming a region, rubric, tag or author, whose names appear everywhere. Drafts touch
nothing readers see.

``ArticlesConfig.ready()`` connects the receivers; bulk writes (``QuerySet.update()``) call
:func:`stories_changed` themselves, since they send no signals.
"""

from collections.abc import Iterable
from datetime import datetime

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save
from django.utils.html import escape
from taggit.models import Tag, TaggedItem

from articles.models import Article, Author, Correction, Region, Rubric
from articles.seo import public_path
from embeds.models import Embed
from images.models import Image
from images.signals import renditions_changed
from pagecache.invalidation import EVERY_PAGE, invalidate, invalidate_everything

FRONT = "/"


def story_paths(article: Article) -> set[str]:
    """Return the addresses of the pages a public *article* appears on, by subject."""
    paths = {
        FRONT,
        article.get_absolute_url(),
        public_path(article.region),
        public_path(article.rubric),
    }
    paths.update(public_path(tag) for tag in article.tags.all())
    paths.update(public_path(author) for author in article.authors.all())
    return paths


def stories_changed(articles: Iterable[Article], *, went_offline: bool = False) -> None:
    """Tell the page cache that *articles* changed: ``went_offline`` if any stopped being public.

    *articles* should come with ``select_related("region", "rubric")`` and
    ``prefetch_related("tags", "authors")``.
    """
    if went_offline:
        invalidate_everything()
        return
    paths = set()
    for article in articles:
        paths |= story_paths(article)
    invalidate(paths)


# Beyond this many public stories, a changed picture drops every page rather than listing
# each story's pages one by one.
MANY_STORIES = 200


def image_changed(image: Image) -> None:
    """Tell the page cache that a library image changed: its text, focal point or files.

    Every public story that shows it, as lead image or in its text, and the lists that show
    those stories' teasers, are stale.
    """
    _showing_changed(Q(lead_image=image) | Q(body_image_uses__image=image))


def _showing_changed(shows: Q) -> None:
    """Tell the page cache about the public stories matching *shows* (media they show)."""
    stories = list(
        Article.objects.published()
        .filter(shows)
        .distinct()
        .select_related("region", "rubric")
        .prefetch_related("tags", "authors")[: MANY_STORIES + 1]
    )
    if len(stories) > MANY_STORIES:
        invalidate_everything()
    elif stories:
        stories_changed(stories)


def author_photo_changed(author: Author) -> None:
    """The author's photo was rewritten with an UPDATE (articles.pictures): their page shows it."""
    invalidate({public_path(author)})


def scheduled_publications(since: datetime, until: datetime) -> set[str]:
    """Return the pages that scheduled stories joined between *since* and *until*.

    A page-cache clock: nothing is written when a scheduled story's time comes.
    """
    due = (
        Article.objects.published()
        .filter(publish_at__gt=since, publish_at__lte=until)
        .select_related("region", "rubric")
        .prefetch_related("tags", "authors")
    )
    paths = set()
    for article in due:
        paths |= story_paths(article)
    return paths


def scheduled_expiries(since: datetime, until: datetime) -> set[str]:
    """Return every page if a story came down at its "unpublish at" between *since* and *until*.

    A page-cache clock, like :func:`scheduled_publications`: a story that leaves may be linked
    from any page.
    """
    came_down = Article.objects.filter(
        status=Article.Status.PUBLISHED, unpublish_at__gt=since, unpublish_at__lte=until
    )
    return {EVERY_PAGE} if came_down.exists() else set()


# -- Receivers ----------------------------------------------------------------------------------


def _public_copy(instance: Article) -> Article | None:
    """Return *instance* as stored, region and rubric joined, if the public can see it."""
    if instance.pk is None:
        return None
    stories = Article.objects.published().filter(pk=instance.pk).select_related("region", "rubric")
    return next(iter(stories.order_by()), None)


def story_about_to_save(sender, instance, raw=False, **kwargs):
    if raw:
        return
    instance._public_before_save = _public_copy(instance)


def story_saved(sender, instance, raw=False, **kwargs):
    if raw:
        return
    before = instance.__dict__.pop("_public_before_save", None)
    now = _public_copy(instance)
    if before is not None and now is None:
        invalidate_everything()
    elif now is not None:
        invalidate(story_paths(now) | (story_paths(before) if before is not None else set()))


def story_about_to_go(sender, instance, **kwargs):
    instance._public_before_delete = _public_copy(instance) is not None


def story_deleted(sender, instance, **kwargs):
    if instance.__dict__.pop("_public_before_delete", False):
        invalidate_everything()


def correction_changed(sender, instance, raw=False, **kwargs):
    """A correction was added, changed or removed: its public story's pages and feeds show it."""
    if raw:
        return
    stories = Article.objects.published().filter(pk=instance.article_id)
    public = next(iter(stories.select_related("region", "rubric").order_by()), None)
    if public is not None:
        invalidate(story_paths(public))


def story_relations_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """Tags or authors of a story changed: its pages, and those of what it gained or lost."""
    if action not in ("post_add", "post_remove", "pre_clear") or pk_set == set():
        return
    if reverse or not isinstance(instance, Article):
        invalidate_everything()
        return
    public = _public_copy(instance)
    if public is None:
        return
    paths = story_paths(public)
    if pk_set:
        paths.update(public_path(item) for item in model._default_manager.filter(pk__in=pk_set))
    invalidate(paths)


def taxonomy_saved(sender, instance, created=False, raw=False, **kwargs):
    """A renamed region, rubric, tag or author shows on many pages; a new one on none yet.

    Regions are the exception: the menu on every page lists them all.
    """
    if raw or (created and sender is not Region):
        return
    invalidate_everything()


def taxonomy_deleted(sender, instance, **kwargs):
    invalidate_everything()


# What readers see of an image and of an embed; a save that changes none of it (a title in
# the library, a retry that failed again) leaves every page as it is.
SHOWN_IMAGE_FIELDS = ("file", "alt_text", "caption", "texts", "credit", "focal_x", "focal_y")
SHOWN_EMBED_FIELDS = ("status", "title", "frame_url", "thumbnail", "width", "height")


def _shown(instance, fields) -> tuple | None:
    """Return *fields* of *instance* as stored (None before its first save)."""
    return type(instance)._default_manager.filter(pk=instance.pk).values_list(*fields).first()


def about_to_save_shown(sender, instance, raw=False, **kwargs):
    if not raw and instance.pk is not None:
        fields = SHOWN_IMAGE_FIELDS if sender is Image else SHOWN_EMBED_FIELDS
        instance._shown_before = _shown(instance, fields)


def image_saved(sender, instance, raw=False, created=False, **kwargs):
    before = instance.__dict__.pop("_shown_before", None)
    if raw or created or before == _shown(instance, SHOWN_IMAGE_FIELDS):
        return
    image_changed(instance)


def renditions_rewritten(sender, image, **kwargs):
    image_changed(image)


def embed_changed(url: str) -> None:
    """Tell the page cache that the embed of *url* changed: the public stories showing it."""
    _showing_changed(Q(body__contains=f'data-embed="{url}"') | Q(body__contains=escape(url)))


def embed_saved(sender, instance, raw=False, **kwargs):
    before = instance.__dict__.pop("_shown_before", None)
    if raw or before == _shown(instance, SHOWN_EMBED_FIELDS):
        return
    embed_changed(instance.url)


def embed_deleted(sender, instance, **kwargs):
    embed_changed(instance.url)


def connect() -> None:
    """Connect the receivers (from ``ArticlesConfig.ready()``)."""
    uid = "articles.page_changes"
    pre_save.connect(story_about_to_save, sender=Article, dispatch_uid=f"{uid}:pre_save")
    post_save.connect(story_saved, sender=Article, dispatch_uid=f"{uid}:post_save")
    pre_delete.connect(story_about_to_go, sender=Article, dispatch_uid=f"{uid}:pre_delete")
    post_delete.connect(story_deleted, sender=Article, dispatch_uid=f"{uid}:post_delete")
    for through in (Article.authors.through, TaggedItem):
        m2m_changed.connect(
            story_relations_changed, sender=through, dispatch_uid=f"{uid}:m2m:{through}"
        )
    post_save.connect(correction_changed, sender=Correction, dispatch_uid=f"{uid}:correction")
    post_delete.connect(
        correction_changed, sender=Correction, dispatch_uid=f"{uid}:correction_deleted"
    )
    for model, saved in ((Image, image_saved), (Embed, embed_saved)):
        pre_save.connect(about_to_save_shown, sender=model, dispatch_uid=f"{uid}:shown:{model}")
        post_save.connect(saved, sender=model, dispatch_uid=f"{uid}:save:{model}")
    renditions_changed.connect(renditions_rewritten, dispatch_uid=f"{uid}:renditions")
    post_delete.connect(embed_deleted, sender=Embed, dispatch_uid=f"{uid}:delete:embed")
    for model in (Region, Rubric, Author, Tag):
        post_save.connect(taxonomy_saved, sender=model, dispatch_uid=f"{uid}:save:{model}")
        post_delete.connect(taxonomy_deleted, sender=model, dispatch_uid=f"{uid}:delete:{model}")

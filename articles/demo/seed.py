"""Load the demo newsroom into the database, idempotently.

Everything is looked up by slug (or username) and only created when missing, so running
``seed_demo`` again adds nothing and never overwrites what an editor changed since.
"""

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from articles import page_changes
from articles.corrections import correction_add
from articles.demo import content, seed_ru
from articles.demo.drawing import draw_lead_image
from articles.history import refresh_latest_version
from articles.models import Article, Author, Region, Rubric
from embeds.models import Embed
from embeds.services import THUMBNAIL_CROP
from images.models import Image
from images.pipeline import LIBRARY_CROPS, delete_files, process_image
from images.services import save_processed


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    images: int = 0
    accounts: list[str] = field(default_factory=list)
    accounts_skipped: bool = False

    def count(self, kind: str, created: bool) -> None:
        self.created[kind] = self.created.get(kind, 0) + int(created)


@transaction.atomic
def seed_content(report: SeedReport) -> None:
    """Create the regions, rubrics, authors and demo stories that do not exist yet."""
    regions = {}
    for position, (name, slug, description) in enumerate(content.REGIONS):
        regions[slug], created = Region.objects.get_or_create(
            slug=slug,
            language=settings.LANGUAGE_CODE,
            defaults={"name": name, "description": description, "position": position},
        )
        report.count("regions", created)
    rubrics = {}
    for name, slug, description in content.RUBRICS:
        rubrics[slug], created = Rubric.objects.get_or_create(
            slug=slug,
            language=settings.LANGUAGE_CODE,
            defaults={"name": name, "description": description},
        )
        report.count("rubrics", created)
    authors = {}
    for entry in content.AUTHORS:
        authors[entry["slug"]], created = Author.objects.get_or_create(
            slug=entry["slug"], defaults={"name": entry["name"], "bio": entry["bio"]}
        )
        report.count("authors", created)

    now = timezone.now()
    for story in content.STORIES:
        region = regions[story["region"]]
        article, created = Article.objects.get_or_create(
            slug=story["slug"],
            defaults={
                "title": story["title"],
                "region": region,
                "rubric": rubrics[story["rubric"]],
                "teaser": story["teaser"],
                "body": content.body_html(story["body"]),
                "status": story.get("status", Article.Status.PUBLISHED),
                "publish_at": now - timedelta(hours=story["hours_ago"]),
                "unpublish_at": (
                    now - timedelta(hours=story["hours_ago"] - story["live_hours"])
                    if "live_hours" in story
                    else None
                ),
                "featured": story.get("featured", False),
            },
        )
        report.count("stories", created)
        if created:
            article.authors.set([authors[slug] for slug in story["authors"]])
            article.tags.set(story["tags"])
            for hours_after, text in story.get("corrections", ()):
                made_at = min(article.publish_at + timedelta(hours=hours_after), now)
                correction_add(article=article, text=text, by=None, made_at=made_at)


def seed_images(report: SeedReport) -> None:
    """Draw a library lead image for every demo story that has none, and the media story's
    figure and gallery; make their renditions. A translation shares its source's picture."""
    slugs = [story["slug"] for story in content.STORIES] + seed_ru.demo_slugs()
    stories = Article.objects.filter(slug__in=slugs, lead_image__isnull=True).select_related(
        "region"
    )
    captions = {story["slug"]: story.get("caption", "") for story in content.STORIES}
    wanted = list(stories)
    pictures = []
    texts_by_picture = []
    for article in wanted:
        # The library's words in the default language, and in Russian for Russian pages: a
        # story and its translations share the picture.
        alt_text, texts = seed_ru.picture_words(article)
        pictures.append(
            (
                f"Demo map: {article.title}",
                draw_lead_image(article.slug, _english_slug(article.region), article.region.name),
                alt_text,
                captions.get(article.slug, ""),
            )
        )
        texts_by_picture.append(texts)
    images = _library_images(pictures)
    for image, texts in zip(images, texts_by_picture, strict=True):
        if texts:
            Image.objects.filter(pk=image.pk).update(texts=texts)
    for article, image in zip(wanted, images, strict=True):
        Article.objects.filter(pk=article.pk).update(lead_image=image)
    # Translations made before their source had a picture (or with --no-images first).
    sharing = list(
        Article.objects.filter(
            lead_image__isnull=True,
            translation_source__isnull=False,
            translation_source__lead_image__isnull=False,
            translation_source__slug__in=slugs,
        ).select_related("translation_source")
    )
    for article in sharing:
        Article.objects.filter(pk=article.pk).update(
            lead_image=article.translation_source.lead_image
        )
    changed = Article.objects.filter(pk__in=[article.pk for article in wanted + sharing])
    for article in changed:
        refresh_latest_version(article, fields=("lead_image",))
    # An UPDATE sends no signal: pages cached before the pictures existed must go.
    page_changes.stories_changed(
        changed.select_related("region", "rubric").prefetch_related("tags", "authors")
    )
    report.images += len(images)
    seed_media_story(report)


def _english_slug(region: Region) -> str:
    """Return the slug of *region*'s default-language version (the drawings' palettes)."""
    version = region.translation_in(settings.LANGUAGE_CODE)
    return version.slug if version is not None else region.slug


def seed_media_story(report: SeedReport) -> None:
    """Create the story that shows every kind of media, with its pictures and embed."""
    story = content.MEDIA_STORY
    if Article.objects.filter(slug=story["slug"]).exists():
        return
    region = Region.objects.get(slug=story["region"], language=settings.LANGUAGE_CODE)
    labels = [story["lead_label"], story["figure_label"], *story["gallery_labels"]]
    lead, figure, *gallery = _library_images(
        [
            (
                f"Demo picture: {label}",
                draw_lead_image(f"{story['slug']}-{label}", region.slug, label),
                f"An abstract map titled “{label}”: coastlines, a graticule and a route "
                "between ports in red.",
                label,
            )
            for label in labels
        ]
    )
    media = {
        "{figure}": f'<figure data-image="{figure.pk}" data-size="wide"></figure>',
        "{gallery}": '<figure data-gallery="{}"></figure>'.format(
            " ".join(str(image.pk) for image in gallery)
        ),
        "{embed}": f'<figure data-embed="{story["embed_url"]}"></figure>',
    }
    seed_demo_embed(story)
    article = Article.objects.create(
        slug=story["slug"],
        title=story["title"],
        region=region,
        rubric=Rubric.objects.get(slug=story["rubric"], language=settings.LANGUAGE_CODE),
        teaser=story["teaser"],
        body=content.body_html(story["body"], media),
        status=Article.Status.PUBLISHED,
        publish_at=timezone.now() - timedelta(hours=story["hours_ago"]),
        lead_image=lead,
    )
    article.authors.set(Author.objects.filter(slug__in=story["authors"]))
    article.tags.set(story["tags"])
    report.count("stories", True)
    report.images += len(labels)


def seed_demo_embed(story: dict) -> None:
    """Store the media story's embed as if its oEmbed data had been fetched.

    ``make run`` may have no network to ask YouTube: the title is written here and the
    thumbnail is one of our drawings, so the page shows a complete placeholder, and the
    reader's click loads the real player from youtube-nocookie.com.
    """
    if Embed.objects.filter(url=story["embed_url"]).exists():
        return
    embed = Embed(
        url=story["embed_url"],
        provider="youtube",
        status=Embed.Status.OK,
        title=story["embed_title"],
        frame_url=story["embed_frame"],
        fetched_at=timezone.now(),
    )
    picture = draw_lead_image("demo-embed", story["region"], "Video")
    embed.thumbnail.save("demo-video.jpg", ContentFile(picture), save=False)
    done = process_image(embed.thumbnail, {}, (THUMBNAIL_CROP,))
    embed.thumbnail.name = done.name
    embed.thumbnail_width, embed.thumbnail_height = done.width, done.height
    embed.thumbnail_renditions = done.renditions
    embed.save()
    storage = embed.thumbnail.storage
    transaction.on_commit(lambda: delete_files(storage, done.obsolete))


# Library images are drawn large enough for the widest slot (1920 px) in every format, about
# a second and a half of Pillow each: the pixel work runs on every core.
def _library_images(pictures: list[tuple]) -> list[Image]:
    """Store each (title, JPEG, alt text, caption[, credit]) as a library image with its
    renditions."""
    images = []
    for title, picture, alt_text, caption, *credit in pictures:
        image = Image(
            title=title[:255],
            alt_text=alt_text,
            caption=caption,
            credit=credit[0] if credit else "Newsroom",
            # The region's name is drawn in a band along the bottom left: keep it in frame.
            focal_x=0.3,
            focal_y=0.85,
        )
        image.file.save("demo.jpg", ContentFile(picture), save=False)
        image.save()
        images.append(image)
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
        results = list(
            pool.map(
                lambda image: process_image(image.file, {}, LIBRARY_CROPS, image.focal_point),
                images,
            )
        )
    for image, done in zip(images, results, strict=True):
        save_processed(image, done, file_field="file", renditions_field="renditions")
    return images


@transaction.atomic
def seed_accounts(report: SeedReport) -> None:
    """Create the demo logins (editor, author, moderator, admin) — only ever while DEBUG is on."""
    if not settings.DEBUG:
        report.accounts_skipped = True
        return
    User = get_user_model()
    for username, group_name, author_slug in content.DEMO_ACCOUNTS:
        user, created = User.objects.get_or_create(
            username=username, defaults={"is_staff": True, "email": f"{username}@example.org"}
        )
        if created:
            user.set_password(content.DEMO_PASSWORD)
            user.save(update_fields=["password"])
        elif not user.is_staff:
            user.is_staff = True
            user.save(update_fields=["is_staff"])
        # The roles migration creates the groups; get_or_create keeps this working without it.
        group, _created = Group.objects.get_or_create(name=group_name)
        user.groups.add(group)
        if author_slug and not Author.objects.filter(user=user).exists():
            Author.objects.filter(slug=author_slug, user__isnull=True).update(user=user)
        report.count("accounts", created)
        report.accounts.append(username)

"""What the API says about a story, region, rubric, tag, author, review and search result.

Plain dicts in the shapes of ``api.schemas``; webhook payloads may use them too. Nothing here
runs a query when the caller fetched what it needs (``api.views`` does: the story's region,
rubric, lead image, authors, tags, corrections, sync time and review count, and its body's
media). Bodies
and images come out as the feeds give them: ``articles.body.render(absolute=True)`` and the
library's renditions, every URL absolute on the site's configured origin.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.urls import reverse

from articles import body
from articles.translations import author_path, tag_path
from images.pipeline import AUTHOR_PHOTO_CROPS, widths_by_format
from images.rendering import CROPS, crop_size
from serving.origin import absolute_url

NAMESPACE = "api-v1"


def api_url(name: str, **kwargs) -> str:
    """Return the absolute URL of the API operation *name* (e.g. ``"story"``)."""
    return absolute_url(reverse(f"{NAMESPACE}:{name}", kwargs=kwargs or None))


def in_language(url: str, language: str | None) -> str:
    """Return the API URL *url* for *language*: with ``language=<code>`` unless it is the
    default language (whose addresses stay as they were before the site had languages)."""
    if language is None or language == settings.LANGUAGE_CODE:
        return url
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}{urlencode({'language': language})}"


def stories_url(language: str | None = None, **filters) -> str:
    """Return the absolute URL of the story list narrowed by *filters* (``region="caucasus"``),
    in *language* (the default if None)."""
    return in_language(f"{api_url('stories')}?{urlencode(filters)}", language)


def _formats(storage, by_format: dict[str, list[tuple[int, str]]]) -> dict[str, list[dict]]:
    return {
        extension: [
            {"width": width, "url": absolute_url(storage.url(name))} for width, name in entries
        ]
        for extension, entries in sorted(by_format.items())
    }


def image(picture) -> dict | None:
    """Return a library image as a story shows it: its text and every rendition, or None.

    None, as on the site, until the image is processed and while it has no alt text: the
    uploaded original is never offered (it may still carry its metadata).
    """
    if picture is None or not picture.renditions or not picture.is_usable():
        return None
    storage = picture.file.storage
    renditions = {}
    for name, crop in CROPS.items():
        by_format = widths_by_format(picture.renditions, crop)
        if not by_format.get("jpg"):
            continue
        width, height = crop_size(picture, name)
        renditions[name] = {
            "width": width,
            "height": height,
            "formats": _formats(storage, by_format),
        }
    if "full" not in renditions:
        return None
    return {
        "alt": picture.alt_text,
        "caption": picture.caption,
        "credit": picture.credit,
        "width": renditions["full"]["width"],
        "height": renditions["full"]["height"],
        "renditions": renditions,
    }


def author_photo(author) -> dict | None:
    """Return the square photo of *author* in every width and format, or None."""
    by_format = widths_by_format(author.photo_renditions or {}, AUTHOR_PHOTO_CROPS[0])
    jpegs = by_format.get("jpg")
    if not author.photo or not jpegs:
        return None
    widest = jpegs[-1][0]
    return {"width": widest, "height": widest, "formats": _formats(author.photo.storage, by_format)}


def _link(obj, kind: str, name: str, url: str, language: str | None = None) -> dict:
    return {
        "name": name,
        "slug": obj.slug,
        "url": absolute_url(url),
        "api_url": in_language(api_url(kind, slug=obj.slug), language),
    }


def region_link(region) -> dict:
    # A region's slug is unique within its language: its API address names the language.
    return _link(region, "region", region.name, region.get_absolute_url(), region.language)


def rubric_link(rubric) -> dict:
    return _link(rubric, "rubric", rubric.name, rubric.get_absolute_url(), rubric.language)


def tag_link(tag, language: str | None = None) -> dict:
    """Return *tag* as a story or list in *language* (the default if None) names it: its
    page in that language."""
    path = tag_path(tag, language or settings.LANGUAGE_CODE)
    return _link(tag, "tag", tag.name, path)


def author_link(author, language: str | None = None) -> dict:
    path = author_path(author, language or settings.LANGUAGE_CODE)
    return _link(author, "author", author.name, path)


def region(obj) -> dict:
    return {
        **region_link(obj),
        "language": obj.language,
        "description": obj.description,
        "stories_url": stories_url(obj.language, region=obj.slug),
    }


def rubric(obj) -> dict:
    return {
        **rubric_link(obj),
        "language": obj.language,
        "description": obj.description,
        "stories_url": stories_url(obj.language, rubric=obj.slug),
    }


def tag(obj, *, language: str | None = None) -> dict:
    """Return a tag as a list in *language* shows it: its stories in that language."""
    return {**tag_link(obj, language), "stories_url": stories_url(language, tag=obj.slug)}


def author(obj, *, language: str | None = None) -> dict:
    """Return an author as a list in *language* shows them: their name and bio as spelt
    there, and their stories in that language."""
    obj = obj.in_language(language or settings.LANGUAGE_CODE)
    return {
        **author_link(obj, language),
        "bio": obj.bio,
        "photo": author_photo(obj),
        "stories_url": stories_url(language, author=obj.slug),
    }


def changed_at(article):
    """Return when *article* last changed for a reader: its last edit, or its publication if
    later (a scheduled story changes when its time comes). What ``updated_since`` filters on.
    Under embargo, the list annotates a scheduled story's last edit (``api.views.stories_for``)."""
    annotated = getattr(article, "changed_at", None)
    if annotated is not None:
        return annotated
    return max(article.updated_at, article.publish_at)


def story_head(article) -> dict:
    """Return what every story item starts with: which story, where, and its teaser."""
    return {
        "id": article.pk,
        "title": article.title,
        "slug": article.slug,
        "url": absolute_url(article.get_absolute_url()),
        "api_url": api_url("story", slug=article.slug),
        "language": article.language,
        "teaser": article.teaser,
    }


def story_translation(version) -> dict:
    """Return one published translation of a story: its language and where to read it."""
    return {
        "language": version.language,
        "slug": version.slug,
        "url": absolute_url(version.get_absolute_url()),
        "api_url": api_url("story", slug=version.slug),
    }


def correction_item(correction) -> dict:
    """Return one of a story's corrections: its text and when it was made."""
    return {"text": correction.text, "made_at": correction.made_at}


def story(article, *, media: body.Media | None = None, embargoed_until=None, versions=()) -> dict:
    """Return *article* with its whole body, as a partner republishes it.

    *media*: the images and embeds of a list's bodies, loaded once (``body.load_media``).
    *embargoed_until*: the publication time of a scheduled story shown under embargo.
    *versions*: its published translations (``articles.translations.versions_by_story``).
    """
    return {
        **story_head(article),
        "translations": [
            story_translation(version) for version in versions if version.pk != article.pk
        ],
        "body_html": str(body.render(article, absolute=True, media=media)),
        "reading_time": article.reading_time,
        "rubric": rubric_link(article.rubric),
        "region": region_link(article.region),
        "tags": [tag_link(tag, article.language) for tag in article.tag_list],
        "authors": [author_link(author, article.language) for author in article.byline],
        "lead_image": image(article.shown_lead_image),
        "published_at": article.publish_at,
        "revised_at": article.revised_at,
        "updated_at": changed_at(article),
        "corrections": [correction_item(correction) for correction in article.correction_list],
        # Kept for clients of the first release: the latest correction's text.
        "correction_note": (article.correction_list[-1].text if article.correction_list else None),
        # Annotated by the list's query (api.views.stories_for), never counted per story.
        "review_count": article.review_count,
        "reviews_url": api_url("story-reviews", slug=article.slug),
        "embargoed_until": embargoed_until,
    }


def review(obj) -> dict:
    """Return an approved review with its readers' approved replies, nested; the newsroom's
    reply, if any, marked as the newsroom's.

    The fields of the first release are unchanged; ``edited_at`` and ``replies`` are new.
    """
    reply = None
    if obj.reply:
        reply = {"body": obj.reply, "replied_at": obj.reply_at}
    return {
        "id": obj.pk,
        "name": obj.name,
        "body": obj.body,
        "created_at": obj.created_at,
        "edited_at": obj.edited_at,
        "newsroom_reply": reply,
        # Prefetched for the page (Review.objects.for_story_page): approved ones only.
        "replies": [reader_reply(item) for item in obj.public_replies],
    }


def reader_reply(obj) -> dict:
    """Return a reader's approved reply to a review."""
    return {
        "id": obj.pk,
        "name": obj.name,
        "body": obj.body,
        "created_at": obj.created_at,
        "edited_at": obj.edited_at,
    }


def search_result(article) -> dict:
    """Return a search result: the story's teaser fields and the snippet the site shows."""
    return {
        **story_head(article),
        "snippet_html": str(article.snippet),
        "rubric": rubric_link(article.rubric),
        "region": region_link(article.region),
        "published_at": article.publish_at,
    }

"""The shapes of the API's answers: pydantic models that both check each response and write
the OpenAPI schema, so the two cannot drift apart."""

from datetime import datetime

from ninja import Schema
from pydantic import Field

URL = "An absolute URL."


class Link(Schema):
    """A region, rubric, tag or author as a story names it."""

    name: str
    slug: str
    url: str = Field(description="Its page on the site. " + URL)
    api_url: str = Field(description="Its resource in this API. " + URL)


class Rendition(Schema):
    width: int = Field(description="The file's width in pixels.")
    url: str = Field(description=URL)


class Crop(Schema):
    """One shape of a picture ("full", "3x2", "1x1", "share-16x9"…) in every format and width."""

    width: int = Field(description="Width of the widest file of this crop, in pixels.")
    height: int = Field(description="Height of the widest file of this crop, in pixels.")
    formats: dict[str, list[Rendition]] = Field(
        description="Files by format (avif, webp, jpg), narrowest first."
    )


class Image(Schema):
    alt: str = Field(description="What the picture shows, for readers who cannot see it.")
    caption: str
    credit: str
    width: int = Field(description="Width of the widest file of the whole picture.")
    height: int = Field(description="Height of the widest file of the whole picture.")
    renditions: dict[str, Crop] = Field(
        description="By crop: “full” keeps the whole picture; the others are cut around its "
        "focal point."
    )


class Photo(Schema):
    width: int
    height: int
    formats: dict[str, list[Rendition]]


class Correction(Schema):
    text: str = Field(description="What was wrong and what the story says now (plain text).")
    made_at: datetime = Field(description="When the correction was made.")


LANGUAGE = "A language code of the site's (en, ru, …)."


class StoryTranslation(Schema):
    """A published translation of a story (drafts and scheduled ones are never named)."""

    language: str = Field(description=LANGUAGE)
    slug: str
    url: str = Field(description="Its page on the site. " + URL)
    api_url: str = Field(description=URL)


class Story(Schema):
    id: int
    title: str
    slug: str
    url: str = Field(description="The story's page on the site. " + URL)
    api_url: str = Field(description=URL)
    language: str = Field(description="The language the story is written in. " + LANGUAGE)
    translations: list[StoryTranslation] = Field(
        description="Its published translations into the site's other languages: a story "
        "and its translations name one another."
    )
    teaser: str = Field(description="One plain-text paragraph.")
    body_html: str = Field(
        description="The story's text as readers get it: figures as plain images, embeds as "
        "links, footnotes at the end, every URL absolute."
    )
    reading_time: int = Field(description="In minutes.")
    rubric: Link
    region: Link
    tags: list[Link]
    authors: list[Link]
    lead_image: Image | None
    published_at: datetime
    revised_at: datetime | None = Field(
        description="When editors marked a substantial update (readers see “Updated”)."
    )
    updated_at: datetime = Field(
        description="When anything about the story last changed for a reader: its last edit, "
        "or its publication if later. What updated_since and ordering=updated use."
    )
    corrections: list[Correction] = Field(
        description="Every correction to the story, oldest first, as readers see them at its top."
    )
    correction_note: str | None = Field(
        description="Deprecated: the latest correction's text (null if none). Read corrections.",
        json_schema_extra={"deprecated": True},
    )
    review_count: int = Field(description="Approved reader reviews (not counting replies).")
    reviews_url: str = Field(description=URL)
    embargoed_until: datetime | None = Field(
        description="Only for keys with the embargo scope: the time a scheduled story goes "
        "public; not to be published before. Null for public stories."
    )


class StoryPage(Schema):
    items: list[Story]
    next: str | None = Field(description="The next page, or null on the last one. " + URL)


class Region(Link):
    language: str = Field(description=LANGUAGE)
    description: str
    stories_url: str = Field(description=URL)


class RegionPage(Schema):
    items: list[Region]
    next: str | None


class Rubric(Link):
    language: str = Field(description=LANGUAGE)
    description: str
    stories_url: str = Field(description=URL)


class RubricPage(Schema):
    items: list[Rubric]
    next: str | None


class Tag(Link):
    stories_url: str = Field(description=URL)


class TagPage(Schema):
    items: list[Tag]
    next: str | None


class Author(Link):
    bio: str
    photo: Photo | None = Field(description="A square photo, when the author has one.")
    stories_url: str = Field(description=URL)


class AuthorPage(Schema):
    items: list[Author]
    next: str | None


class Reply(Schema):
    body: str = Field(description="Plain text.")
    replied_at: datetime | None


class ReaderReply(Schema):
    id: int
    name: str = Field(description="The name the reader gave.")
    body: str = Field(description="Plain text; line breaks are the reader's.")
    created_at: datetime
    edited_at: datetime | None = Field(
        description="When its author last changed it (shown as “edited”), or null."
    )


class Review(Schema):
    id: int
    name: str = Field(description="The name the reader gave.")
    body: str = Field(description="Plain text; line breaks are the reader's.")
    created_at: datetime
    edited_at: datetime | None = Field(
        description="When its author last changed it (shown as “edited”), or null."
    )
    newsroom_reply: Reply | None = Field(description="The newsroom's reply, if it wrote one.")
    replies: list[ReaderReply] = Field(
        description="Other readers' approved replies to it, oldest first (one level only)."
    )


class ReviewPage(Schema):
    items: list[Review]
    next: str | None


class SearchResult(Schema):
    id: int
    title: str
    slug: str
    url: str = Field(description=URL)
    api_url: str = Field(description=URL)
    language: str = Field(description=LANGUAGE)
    teaser: str
    snippet_html: str = Field(
        description="Where the words were found: escaped text, matches in <mark> elements."
    )
    rubric: Link
    region: Link
    published_at: datetime


class SearchPage(Schema):
    query: str = Field(description="The query as it was run (trimmed, at most 200 characters).")
    suggestion: str | None = Field(
        description="When the query found nothing and a respelt one did: the respelt query, "
        "whose results these are."
    )
    total: int = Field(description="How many stories were found (counted up to a bound).")
    page: int
    next: str | None = Field(description="The next page of results, or null. " + URL)
    items: list[SearchResult]


class Index(Schema):
    stories: str
    regions: str
    rubrics: str
    tags: str
    authors: str
    search: str
    openapi: str
    docs: str

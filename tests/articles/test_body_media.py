"""Stories with figures, galleries, footnotes, pull quotes and embeds in their text.

The body stores references (``<figure data-image="12">``); the reader page draws them as
responsive pictures, click-to-load players and numbered footnotes, the feeds as plain images
and links with absolute URLs. Whatever is stored, nothing but the allowlist comes out.
"""

import feedparser
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.body import render
from articles.models import Article, BodyImage
from articles.references import MAX_MEDIA
from articles.sanitizer import sanitize_html
from embeds.models import Embed
from tests.helpers import SITE, change_url, form_data

pytestmark = pytest.mark.django_db


def figure(image, size="column"):
    return f'<figure data-image="{image.pk}" data-size="{size}"></figure>'


def gallery(*images):
    return '<figure data-gallery="{}"></figure>'.format(" ".join(str(i.pk) for i in images))


def test_a_figure_is_drawn_as_a_responsive_picture_with_caption_and_credit(
    client, make_article, make_image
):
    image = make_image(size=(1200, 800), caption="The quay at dawn", credit="Newsroom")
    story = make_article(body=f"<p>Before.</p>{figure(image, 'wide')}<p>After.</p>")

    html = client.get(story.get_absolute_url()).content.decode()

    assert '<figure class="figure figure--wide">' in html
    assert '<source type="image/webp"' in html and "full-1200.jpg 1200w" in html
    assert f'alt="{image.alt_text}"' in html
    assert "The quay at dawn" in html and "Photo: Newsroom" in html
    assert "data-image" not in html  # the reference never reaches the reader


def test_a_gallery_draws_its_pictures_in_order(client, make_article, make_image):
    first, second, third = (make_image(caption=f"Picture {n}") for n in (1, 2, 3))
    story = make_article(body=gallery(third, first, second))

    html = client.get(story.get_absolute_url()).content.decode()

    assert 'aria-label="Gallery of 3 pictures"' in html
    assert html.index("Picture 3") < html.index("Picture 1") < html.index("Picture 2")
    assert html.count('class="gallery__item"') == 3


def test_footnotes_are_numbered_and_linked_both_ways(client, make_article):
    story = make_article(
        body='<p>One<span data-footnote="First &lt;source&gt;."></span> and two'
        '<span data-footnote="See https://example.org/report"></span>.</p>'
    )

    html = client.get(story.get_absolute_url()).content.decode()

    assert '<a href="#fn-1" id="fnref-1"' in html and '<a href="#fn-2" id="fnref-2"' in html
    assert '<li id="fn-1">First &lt;source&gt;.' in html
    assert 'href="#fnref-2"' in html
    assert '<a href="https://example.org/report" rel="nofollow">' in html


def test_ids_and_references_typed_into_the_body_are_never_kept():
    stored = sanitize_html(
        '<p id="fn-1">x</p><figure data-image="12 or 1=1" id="main"></figure>'
        '<figure data-size="huge" data-image="7"></figure>'
        '<figure data-embed="javascript:alert(1)"></figure>'
        '<blockquote class="pull-quote danger">q</blockquote>'
        '<span data-footnote="x" onclick="alert(1)"></span>'
    )

    assert "id=" not in stored and "onclick" not in stored and "javascript" not in stored
    assert 'data-image="12 or 1=1"' not in stored
    assert '<figure data-image="7"></figure>' in stored  # the bad size alone is dropped
    assert '<blockquote class="pull-quote">' in stored


def test_a_pull_quote_keeps_its_class(client, make_article):
    story = make_article(body='<blockquote class="pull-quote"><p>Nobody asks.</p></blockquote>')

    assert b'<blockquote class="pull-quote">' in client.get(story.get_absolute_url()).content


def test_an_embed_that_was_not_fetched_is_a_plain_link(client, make_article):
    story = make_article(body='<figure data-embed="https://www.youtube.com/watch?v=abc"></figure>')

    html = client.get(story.get_absolute_url()).content.decode()

    assert '<a href="https://www.youtube.com/watch?v=abc">' in html
    assert "youtube-nocookie" not in html


def test_a_fetched_embed_waits_for_the_readers_click(client, make_article):
    Embed.objects.create(
        url="https://www.youtube.com/watch?v=abc",
        provider="youtube",
        status=Embed.Status.OK,
        title="Ferry video",
        frame_url="https://www.youtube-nocookie.com/embed/abc?autoplay=1",
    )
    story = make_article(body='<figure data-embed="https://www.youtube.com/watch?v=abc"></figure>')

    html = client.get(story.get_absolute_url()).content.decode()

    assert 'data-embed-frame="https://www.youtube-nocookie.com/embed/abc?autoplay=1"' in html
    assert "Load video from YouTube" in html
    assert "<iframe" not in html  # nothing from YouTube until the click (static/js/embeds.js)
    assert '<script src="/static/js/embeds.js" defer>' in html


def test_the_story_page_costs_the_same_queries_with_one_figure_or_twelve(
    client, make_article, make_image
):
    images = [make_image() for _ in range(12)]
    Embed.objects.create(url="https://vimeo.com/1", provider="vimeo", status="ok", title="A")
    one = make_article(
        body=figure(images[0]) + '<figure data-embed="https://vimeo.com/1"></figure>'
    )
    many = make_article(
        body="".join(figure(image) for image in images[:6])
        + gallery(*images[6:])
        + '<figure data-embed="https://vimeo.com/1"></figure>'
        + '<figure data-embed="https://vimeo.com/2"></figure>'
        + '<p><span data-footnote="a"></span><span data-footnote="b"></span></p>'
    )

    baseline = len(queries_of(client, one))
    assert baseline > 0  # built, not served from the page cache
    assert len(queries_of(client, many)) == baseline


def queries_of(client, article) -> list:
    """Return the queries of the story page of *article*, built afresh (not from the cache)."""
    client.get(article.get_absolute_url())  # fill the blocks every page shares
    article.save()  # a new version: the page is built again, not served from the cache
    with CaptureQueriesContext(connection) as captured:
        assert client.get(article.get_absolute_url()).status_code == 200
    return captured.captured_queries


def test_the_body_records_which_images_it_shows(make_article, make_image):
    kept, dropped = make_image(), make_image()
    story = make_article(body=figure(kept) + gallery(dropped, kept))
    assert set(BodyImage.objects.filter(article=story).values_list("image", flat=True)) == {
        kept.pk,
        dropped.pk,
    }

    story.body = figure(kept)
    story.save()

    assert list(BodyImage.objects.filter(article=story).values_list("image", flat=True)) == [
        kept.pk
    ]


def test_the_story_form_refuses_an_image_without_alt_text_and_keeps_the_text(
    editor_client, published_article, make_image
):
    undescribed = make_image(alt_text="", title="Harbour at night")
    data = form_data(published_article, body=f"<p>Typed with care.</p>{figure(undescribed)}")

    response = editor_client.post(change_url(published_article), data)

    assert response.status_code == 200
    page = response.content.decode()
    assert "has no alt text yet" in page and "Harbour at night" in page
    assert "Typed with care." in page
    assert not BodyImage.objects.filter(image=undescribed).exists()


def test_the_story_form_refuses_an_image_that_is_not_in_the_library(
    editor_client, published_article
):
    data = form_data(published_article, body='<p>x</p><figure data-image="999999"></figure>')

    response = editor_client.post(change_url(published_article), data)

    assert response.status_code == 200
    assert "image 999999, which is not in the image library" in response.content.decode()


def test_feeds_carry_figures_with_absolute_urls_and_embeds_as_links(
    client, make_article, make_image
):
    image = make_image(caption="The quay")
    make_article(
        body=f'<p>x<span data-footnote="A note."></span></p>{figure(image)}'
        '<figure data-embed="https://www.youtube.com/watch?v=abc"></figure>'
    )

    feed = feedparser.parse(client.get(reverse("articles-feed")).content)
    content = feed.entries[0].content[0].value

    assert f'src="{SITE}/media/images/' in content
    assert f'alt="{image.alt_text}"' in content
    assert "<picture" not in content and "srcset" not in content
    assert '<a href="https://www.youtube.com/watch?v=abc">' in content
    assert "A note." in content


def test_a_story_without_a_lead_image_loads_its_first_figure_first(make_article, make_image):
    first, second = make_image(), make_image()
    story = make_article(body=figure(first) + figure(second))

    html = str(render(Article.objects.get(pk=story.pk)))

    assert html.count('loading="eager"') == 1 and html.count('fetchpriority="high"') == 1
    assert html.index('loading="eager"') < html.index('loading="lazy"')


def test_a_caption_stored_with_unprintable_characters_still_gives_well_formed_feeds(
    client, make_article, make_image
):
    image = make_image(caption="Quay\uffff at\x01 dawn", alt_text="The quay\ufffe")
    make_article(body=figure(image))

    for name in ("articles-feed", "articles-feed-atom"):
        response = client.get(reverse(name))
        assert response.status_code == 200
        assert not feedparser.parse(response.content).bozo, name


def test_a_story_with_more_media_than_a_page_should_hold_is_refused(
    editor_client, published_article, make_image
):
    image = make_image()
    data = form_data(published_article, body="<p>Kept.</p>" + figure(image) * (MAX_MEDIA + 1))

    response = editor_client.post(change_url(published_article), data)

    assert response.status_code == 200
    assert f"at most {MAX_MEDIA} figures" in response.content.decode()

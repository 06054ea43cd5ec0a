"""Pictures, galleries, footnotes and embeds as editors make them and readers meet them.

In real Chromium: every picture slot gets a file wide enough for a screen of twice the
pixels, at phone, tablet and desktop widths; the home page upscales nothing; an editor
uploads a picture, sets its focal point and publishes a story with every kind of media; a
reader sees it all, asks nothing of a third party until clicking the video, and gets the
player then. axe and the Nu HTML Checker pass on that story.
"""

import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from articles.demo import content
from articles.demo.drawing import draw_lead_image
from articles.demo.seed import seed_demo_embed
from articles.models import Article, Region, Rubric
from images.models import Image
from images.services import make_renditions
from tests.e2e.conftest import blocking_violations, jpeg_bytes, log_in
from tests.embeds.oembed_server import VIDEO_ID, OEmbedServer, answering
from tests.html_checker import errors_of

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

VIEWPORTS = {"phone": (360, 740), "tablet": (768, 1024), "desktop": (1280, 900)}
RENDITION_WIDTH = re.compile(r"-(\d+)\.(?:avif|webp|jpg)$")


def library_image(label: str, region: Region) -> Image:
    image = Image(title=label, alt_text=f"A map titled {label}.", caption=label, credit="Newsroom")
    image.file.save("map.jpg", ContentFile(draw_lead_image(label, region.slug, label)), save=False)
    image.save()
    make_renditions(image)
    return image


@pytest.fixture
def pictured_newsroom(transactional_db):
    """Two regions of pictured stories, and a story with every kind of media."""
    rubric = Rubric.objects.create(name="Analysis", slug="analysis")
    regions = [
        Region.objects.create(name="Central Asia", slug="central-asia", position=1),
        Region.objects.create(name="South Caucasus", slug="south-caucasus", position=2),
    ]
    pictures = [library_image(f"Map {n}", regions[n % 2]) for n in range(3)]
    now = timezone.now()
    for n in range(8):
        story = Article.objects.create(
            title=f"Pictured story {n}",
            slug=f"pictured-story-{n}",
            teaser="A story with a picture.",
            body="<p>Text.</p>",
            region=regions[n % 2],
            rubric=rubric,
            status=Article.Status.PUBLISHED,
            publish_at=now - timezone.timedelta(hours=n + 2),
            lead_image=pictures[n % 3],
        )
        story.tags.add("maps")
    seed_demo_embed(content.MEDIA_STORY)
    a, b, c = pictures
    media = Article.objects.create(
        title="Every kind of media",
        slug="every-kind-of-media",
        teaser="Figures, a gallery, a note and a video.",
        body=(
            f'<p>Opening.<span data-footnote="Our own count."></span></p>'
            f'<figure data-image="{a.pk}" data-size="column"></figure>'
            f'<figure data-image="{b.pk}" data-size="wide"></figure>'
            f'<figure data-image="{c.pk}" data-size="full"></figure>'
            f'<figure data-gallery="{a.pk} {b.pk} {c.pk}"></figure>'
            '<blockquote class="pull-quote"><p>A quotation, set apart.</p></blockquote>'
            f'<figure data-embed="{content.MEDIA_STORY["embed_url"]}"></figure>'
        ),
        region=regions[0],
        rubric=rubric,
        status=Article.Status.PUBLISHED,
        publish_at=now - timezone.timedelta(hours=1),
        lead_image=a,
    )
    return {"media": media.get_absolute_url(), "region": regions[0].get_absolute_url()}


def load_every_picture(page) -> None:
    """Scroll through the page so that lazy pictures load, then wait for all of them."""
    height = page.evaluate("document.documentElement.scrollHeight")
    for top in range(0, height, 400):
        page.evaluate(f"window.scrollTo(0, {top})")
        page.wait_for_timeout(30)
    page.wait_for_function(
        "[...document.querySelectorAll('picture img')].every(img => img.complete && img.currentSrc)"
    )


def measured_pictures(page) -> list[dict]:
    return page.evaluate(
        """[...document.querySelectorAll('picture img')].map(img => ({
            src: img.currentSrc,
            widest: Math.max(...img.srcset.split(',').map(s => parseInt(s.trim().split(' ')[1]))),
            clientWidth: img.clientWidth,
            naturalWidth: img.naturalWidth,
            where: img.closest('[class]').className,
        }))"""
    )


@pytest.mark.parametrize("viewport", VIEWPORTS)
def test_every_slot_gets_a_file_wide_enough_for_twice_its_pixels(
    new_page, pictured_newsroom, viewport
):
    width, height = VIEWPORTS[viewport]
    page = new_page(viewport, viewport={"width": width, "height": height}, device_scale_factor=2)
    short = []
    for path in ("/", pictured_newsroom["media"], pictured_newsroom["region"], "/tags/maps/"):
        page.goto(path)
        load_every_picture(page)
        pictures = measured_pictures(page)
        assert pictures, path
        for picture in pictures:
            chosen = int(RENDITION_WIDTH.search(urlsplit(picture["src"]).path).group(1))
            # Wide enough for the slot at 2x, or already the widest file there is.
            if chosen < picture["clientWidth"] * 2 and chosen < picture["widest"]:
                short.append(
                    f"{path} {picture['where']}: {chosen} px for {picture['clientWidth']} px"
                )
    assert short == []


def test_the_home_page_at_1280_px_upscales_no_picture(new_page, pictured_newsroom):
    page = new_page("home", viewport={"width": 1280, "height": 900})
    page.goto("/")
    load_every_picture(page)

    upscaled = [
        picture
        for picture in measured_pictures(page)
        if picture["naturalWidth"] < picture["clientWidth"]
    ]
    assert upscaled == []


def test_the_first_picture_of_a_page_loads_first_and_the_rest_wait(new_page, pictured_newsroom):
    page = new_page("region")
    for path in ("/", pictured_newsroom["region"], pictured_newsroom["media"]):
        page.goto(path)
        loading = page.eval_on_selector_all(
            "picture img", "images => images.map(img => [img.loading, img.fetchPriority])"
        )
        assert loading[0] == ["eager", "high"], path
        assert all(entry == ["lazy", "auto"] for entry in loading[1:]), path


def test_a_story_with_every_kind_of_media_passes_axe(new_page, pictured_newsroom):
    page = new_page("media story")
    page.goto(pictured_newsroom["media"])

    assert blocking_violations(page) == []
    assert page.locator(".story__body img:not([alt])").count() == 0
    assert page.locator(".story__body .figure img[alt='']").count() == 0


def test_a_story_with_every_kind_of_media_is_valid_html(
    live_server, pictured_newsroom, client, tmp_path
):
    html = client.get(pictured_newsroom["media"]).content
    assert errors_of({"media story": html}, tmp_path) == {"media story": []}


def test_an_editor_publishes_a_story_with_every_kind_of_media_and_a_reader_sees_it(
    new_page, live_server, roles_users, pictured_newsroom, tmp_path, run_tasks
):
    oembed = OEmbedServer().start()
    try:
        with answering(oembed):
            run_media_journey(new_page, live_server, tmp_path, run_tasks)
    finally:
        oembed.stop()


def upload_image(editor, title: str, path: Path) -> int:
    editor.goto("/admin/images/image/add/")
    editor.locator("#id_file").set_input_files(str(path))
    editor.get_by_label("Title").fill(title)
    editor.get_by_label("Alt text:", exact=True).fill(f"A test card titled {title}.")
    editor.get_by_label("Caption:", exact=True).fill(f"{title}, as drawn")
    editor.get_by_role("button", name="Save and continue editing").click()
    editor.wait_for_url(re.compile(r"/admin/images/image/\d+/change/"))
    return int(re.search(r"/image/(\d+)/change/", editor.url).group(1))


def run_media_journey(new_page, live_server, folder: Path, run_tasks):
    editor = new_page("editor")
    log_in(editor, "edna")

    # The library: four pictures; the first gets its focal point by a click near its edge.
    pictures = []
    for n in range(4):
        path = folder / f"picture-{n}.jpg"
        path.write_bytes(jpeg_bytes(size=(1600, 900), color=(40 + 40 * n, 90, 140)))
        pictures.append(upload_image(editor, f"Test card {n}", path))
    editor.goto(f"/admin/images/image/{pictures[0]}/change/")
    picker = editor.locator("[data-focal-picker] img")
    box = picker.bounding_box()
    picker.click(position={"x": box["width"] * 0.9, "y": box["height"] * 0.2})
    assert float(editor.locator("#id_focal_x").input_value()) == pytest.approx(0.9, abs=0.02)
    editor.get_by_role("button", name="Save and continue editing").click()
    image = Image.objects.get(pk=pictures[0])
    assert image.focal_x == pytest.approx(0.9, abs=0.02) and image.is_processed

    # The story: lead image from the library, a wide figure, a gallery, a note, a video.
    editor.goto("/admin/articles/article/add/")
    editor.get_by_label("Title").fill("Media from the library")
    editor.get_by_label("Teaser").fill("A story with pictures, a gallery, a note and a video.")
    body = editor.locator(".tiptap.ProseMirror")
    body.click()
    editor.keyboard.type("The opening paragraph.")
    menu_dialog(editor, "Image or gallery from the library", images=str(pictures[1]), size="wide")
    editor.keyboard.type("A paragraph with a source")
    editor.get_by_role("button", name="Footnote").click()
    editor.locator("dialog textarea[name=text]").fill("The source of this, with care.")
    editor.locator("dialog").get_by_role("button", name="Save").click()
    menu_dialog(
        editor,
        "Image or gallery from the library",
        images=f"{pictures[1]}, {pictures[2]}, {pictures[3]}",
    )
    menu_dialog(
        editor, "Embed a video, chart or post", url=f"https://www.youtube.com/watch?v={VIDEO_ID}"
    )
    choose_autocomplete(editor, "lead_image", "Test card 0")
    choose_autocomplete(editor, "rubric", "Analysis")
    choose_autocomplete(editor, "region", "Central Asia")
    editor.locator("#id_status").select_option("published")
    editor.get_by_role("button", name="Save", exact=True).click()
    editor.wait_for_url("**/admin/articles/article/")
    story = Article.objects.get(title="Media from the library")
    assert story.is_published() and story.lead_image_id == pictures[0]
    # The background worker asks the video's provider, outside the editor's request.
    assert "embeds.tasks.fetch_story_embeds" in [task.task_path for task in run_tasks()]

    # The reader: everything there, nothing asked of a third party until the click.
    reader = new_page("reader")
    asked = []
    reader.on("request", lambda request: asked.append(request.url))
    reader.route(
        "https://www.youtube-nocookie.com/**",
        lambda route: route.fulfill(status=200, body="<!doctype html><title>player</title>"),
    )
    reader.goto(story.get_absolute_url())
    load_every_picture(reader)
    ours = urlsplit(live_server.url).netloc
    assert [url for url in asked if urlsplit(url).netloc != ours] == []
    assert reader.locator(".figure--wide img").count() == 1
    assert reader.locator(".gallery .gallery__item").count() == 3
    assert reader.locator(".footnotes li").inner_text().startswith("The source of this")
    reader.locator(".footnote-ref a").click()
    assert reader.url.endswith("#fn-1")

    placeholder = reader.locator(".embed__placeholder")
    assert "Load video from YouTube" in placeholder.inner_text()
    placeholder.click()
    frame = reader.locator("iframe.embed__frame")
    frame.wait_for()
    assert frame.get_attribute("src").startswith(
        f"https://www.youtube-nocookie.com/embed/{VIDEO_ID}"
    )
    reader.wait_for_function(
        "() => performance.getEntriesByType('resource').some("
        "entry => entry.name.startsWith('https://www.youtube-nocookie.com/'))"
    )


def menu_dialog(page, button: str, **fields) -> None:
    """Click an editor menu button and fill its dialog's fields, then confirm."""
    page.get_by_role("button", name=button).click()
    dialog = page.locator("dialog.prose-editor-dialog")
    for name, value in fields.items():
        control = dialog.locator(f"[name={name}]")
        if control.evaluate("element => element.tagName") == "SELECT":
            control.select_option(value)
        else:
            control.fill(value)
    dialog.locator("button[type=submit]").click()


def choose_autocomplete(page, field: str, text: str) -> None:
    """Pick *text* in the admin's autocomplete (select2) for *field*."""
    page.locator(f"#id_{field}").locator("xpath=following-sibling::span[1]").click()
    page.locator(f".select2-search__field[aria-controls='select2-id_{field}-results']").fill(text)
    page.locator(".select2-results__option", has_text=text).first.click()

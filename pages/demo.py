"""The demo newsroom's About and Contact pages, added by ``manage.py seed_demo``.

Connected to ``articles.signals.demo_seeded`` by ``PagesConfig.ready()``. Each page is
looked up by its slug and language and only created when missing, so an editor's changes
stay; the Russian ones are translations of the English ones (where the site offers Russian).
The Privacy page is every newsroom's, made by the migrations ``0003_privacy_page`` and
``0007_privacy_page_ru``: it says what this software keeps.
"""

from django.conf import settings

from articles.signals import demo_seeded
from pages.models import Page

DEMO_PAGES = (
    {
        "slug": "about",
        "position": 1,
        "title": "About us",
        "body": (
            "<p>Newsroom is an independent analysis and news desk covering the post-Soviet "
            "space, the Caucasus, Central Asia, the Middle East and Europe. Our reporters and "
            "contributors write from the regions they cover.</p>"
            "<h2>How we work</h2>"
            "<p>Every story is read by an editor before it is published. When we get something "
            "wrong we correct it openly: the correction is shown at the top of the story, with "
            "the time it was made, and earlier corrections stay listed.</p>"
            "<h2>Independence</h2>"
            "<p>We take no money from governments or parties. Our stories are free to read, "
            "with no tracking cookies and no advertising scripts.</p>"
        ),
    },
    {
        "slug": "contact",
        "position": 2,
        "title": "Contact",
        "body": (
            '<p>Write to the editors at <a href="mailto:editors@newsroom.example">'
            "editors@newsroom.example</a>: to point out a mistake in a story, to suggest a "
            "story, or to ask us what we keep about you or to erase it.</p>"
            '<p>Press and partnership enquiries: <a href="mailto:office@newsroom.example">'
            "office@newsroom.example</a>.</p>"
            "<p>We read every message; we answer those that need an answer within a few "
            "working days.</p>"
        ),
    },
)


# The same pages in Russian, by the English page's slug (they keep it: /ru/pages/about/).
DEMO_PAGES_RU = {
    "about": {
        "title": "О нас",
        "body": (
            "<p>Newsroom — независимая редакция аналитики и новостей о постсоветском "
            "пространстве, Кавказе, Центральной Азии, Ближнем Востоке и Европе. Наши "
            "корреспонденты и авторы пишут из тех регионов, о которых рассказывают.</p>"
            "<h2>Как мы работаем</h2>"
            "<p>Каждый материал перед публикацией читает редактор. Если мы ошиблись, мы "
            "исправляем ошибку открыто: исправление стоит в начале материала вместе со временем, "
            "когда оно сделано, а прежние исправления остаются в списке.</p>"
            "<h2>Независимость</h2>"
            "<p>Мы не берём денег у правительств и партий. Наши материалы можно читать "
            "бесплатно, без следящих файлов cookie и рекламных скриптов.</p>"
        ),
    },
    "contact": {
        "title": "Контакты",
        "body": (
            '<p>Пишите редакторам на <a href="mailto:editors@newsroom.example">'
            "editors@newsroom.example</a>: чтобы указать на ошибку в материале, предложить тему "
            "или узнать, что мы храним о вас, и попросить это удалить.</p>"
            '<p>Пресса и партнёрство: <a href="mailto:office@newsroom.example">'
            "office@newsroom.example</a>.</p>"
            "<p>Мы читаем каждое письмо и в течение нескольких рабочих дней отвечаем на те, "
            "что требуют ответа.</p>"
        ),
    },
}
RUSSIAN = "ru"


def seed_pages(sender=None, **kwargs) -> int:
    """Create the demo pages that do not exist yet; return how many were created."""
    created = 0
    for entry in DEMO_PAGES:
        page, made = Page.objects.get_or_create(
            slug=entry["slug"],
            language=settings.LANGUAGE_CODE,
            defaults={
                "title": entry["title"],
                "body": entry["body"],
                "position": entry["position"],
            },
        )
        created += int(made)
        russian = DEMO_PAGES_RU.get(entry["slug"])
        if russian is None or not _offers_russian():
            continue
        if Page.objects.filter(language=RUSSIAN, slug=entry["slug"]).exists():
            continue
        if page.translation_in(RUSSIAN) is not None:
            continue
        Page.objects.create(
            language=RUSSIAN,
            translation_key=page.translation_key,
            slug=entry["slug"],
            title=russian["title"],
            body=russian["body"],
            position=page.position,
            in_footer=page.in_footer,
        )
        created += 1
    return created


def _offers_russian() -> bool:
    return RUSSIAN in dict(settings.LANGUAGES) and settings.LANGUAGE_CODE != RUSSIAN


def connect() -> None:
    demo_seeded.connect(seed_pages, dispatch_uid="pages.demo.seed_pages")

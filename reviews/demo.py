"""Demo reviews: ``seed_demo`` ends with a conversation under one story.

Connected to ``articles.signals.demo_seeded`` by ``ReviewsConfig.ready()``. The demo story
about a mountain road (or, if an editor removed it, the newest public story that takes
reviews) gets two approved reviews: one with two readers' approved replies
and the newsroom's reply, one edited by its author (its first text kept for moderators), and
a reply waiting in the moderation queue. Where the site offers Russian, its Russian
translation gets Russian readers' reviews (one with a reply and the newsroom's answer), as
does the newest story written in Russian. Nothing is added for a language whose demo reviews
exist (running ``seed_demo`` again adds nothing).
"""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ascii_slug
from articles.signals import demo_seeded
from reviews.models import Review, ReviewRevision
from reviews.services import client_fingerprint

DEMO_DOMAIN = "@readers.newsroom.example"
DEMO_STORY = "mountain-road-and-the-treaty"
RUSSIAN = "ru"
USER_AGENT = "Mozilla/5.0 (demo reader)"


def demo_review(article, name: str, body: str, *, at, parent=None, **fields) -> Review:
    review = Review.objects.create(
        article=article,
        parent=parent,
        name=name,
        # In Latin letters whatever the name's script ("Гаяне" → gayane@…).
        email=ascii_slug(name.split()[0], 64) + DEMO_DOMAIN,
        body=body,
        fingerprint=client_fingerprint(f"demo:{name}"),
        user_agent=USER_AGENT,
        status=fields.pop("status", Review.Status.APPROVED),
        reasons=fields.pop("reasons", ["new reviewer"]),
        moderated_at=fields.pop("moderated_at", at + timedelta(minutes=30)),
        **fields,
    )
    # created_at is set on insert (auto_now_add): give the conversation its own times.
    Review.objects.filter(pk=review.pk).update(created_at=at)
    return review


def seed_reviews(sender=None, **kwargs) -> int:
    """Add the demo conversations; return how many reviews and replies were added."""
    return _seed_english() + _seed_russian()


def _seed_english() -> int:
    demo = Review.objects.filter(email__endswith=DEMO_DOMAIN)
    if demo.filter(article__language=settings.LANGUAGE_CODE).exists():
        return 0
    stories = (
        Article.objects.published().in_language(settings.LANGUAGE_CODE).filter(allow_reviews=True)
    )
    article = stories.filter(slug=DEMO_STORY).first() or stories.order_by("-publish_at").first()
    if article is None:
        return 0
    start = max(article.publish_at, timezone.now() - timedelta(days=1)) + timedelta(minutes=20)
    with transaction.atomic():
        first = demo_review(
            article,
            "Leyla Mammadova",
            "I drive this route twice a year. The hours saved are real, but the border post "
            "closes at six, so most of us still wait overnight.",
            at=start,
            reply="Thank you: our reporter confirms the opening hours and adds them to the story.",
            reply_at=start + timedelta(hours=2),
        )
        demo_review(
            article,
            "Arman Seitkali",
            "Same at the northern checkpoint in May: the queue moved only after the morning "
            "shift came.",
            at=start + timedelta(minutes=50),
            parent=first,
        )
        demo_review(
            article,
            "Mariam Kapanadze",
            "Lorry drivers wait longest. Longer opening hours would help them more than a new "
            "road.",
            at=start + timedelta(hours=1, minutes=15),
            parent=first,
        )
        edited = demo_review(
            article,
            "Tomas Novak",
            "A useful piece. The point about the technical working groups is the one most "
            "reports miss.",
            at=start + timedelta(hours=1, minutes=40),
            edited_at=start + timedelta(hours=1, minutes=48),
        )
        ReviewRevision.objects.create(
            review=edited,
            kind=ReviewRevision.Kind.EDITED,
            body="A usefull piece. The point about working groups is the one most miss.",
            created_at=start + timedelta(hours=1, minutes=48),
        )
        demo_review(
            article,
            "Dana Ospanova",
            "Is there a timetable for the working groups anywhere public?",
            at=start + timedelta(hours=3),
            parent=edited,
            status=Review.Status.PENDING,
            moderated_at=None,
        )
    return 5


def _seed_russian() -> int:
    """Add readers' reviews to the Russian translation of the mountain road story (or the
    newest Russian story that takes reviews), and one to a story written in Russian."""
    if RUSSIAN not in dict(settings.LANGUAGES) or settings.LANGUAGE_CODE == RUSSIAN:
        return 0
    demo = Review.objects.filter(email__endswith=DEMO_DOMAIN, article__language=RUSSIAN)
    if demo.exists():
        return 0
    stories = Article.objects.published().in_language(RUSSIAN).filter(allow_reviews=True)
    article = (
        stories.filter(translation_source__slug=DEMO_STORY).first()
        or stories.order_by("-publish_at").first()
    )
    if article is None:
        return 0
    start = max(article.publish_at, timezone.now() - timedelta(days=1)) + timedelta(minutes=25)
    added = 0
    with transaction.atomic():
        first = demo_review(
            article,
            "Гаяне Мкртчян",
            "Езжу по этой дороге каждое лето. Часы в пути действительно сократились, но пост "
            "на границе по-прежнему закрывается рано, и многие ночуют в машинах.",
            at=start,
            reply="Спасибо! Мы уточнили часы работы пункта пропуска и добавили их в материал.",
            reply_at=start + timedelta(hours=2),
        )
        demo_review(
            article,
            "Ильяс Бекмуратов",
            "Подтверждаю: в мае очередь двигалась только после пересменки утром.",
            at=start + timedelta(minutes=40),
            parent=first,
        )
        demo_review(
            article,
            "Нино Церетели",
            "Хорошо, что вы пишете о рабочих группах: об этом обычно не рассказывают.",
            at=start + timedelta(hours=1, minutes=10),
        )
        added += 3
        written = stories.filter(translation_source__isnull=True).order_by("-publish_at").first()
        if written is not None:
            at = max(written.publish_at, timezone.now() - timedelta(days=1)) + timedelta(hours=1)
            demo_review(
                written,
                "Бахтиёр Каримов",
                "Зимой у нас свет дают по графику уже третий год. Было бы интересно прочитать, "
                "что изменится, если соседи договорятся о торговле электроэнергией.",
                at=at,
            )
            added += 1
    return added


def connect() -> None:
    demo_seeded.connect(seed_reviews, dispatch_uid="reviews.demo.seed_reviews")

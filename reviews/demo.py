"""Demo reviews: ``seed_demo`` ends with a conversation under one story.

Connected to ``articles.signals.demo_seeded`` by ``ReviewsConfig.ready()``. The demo story
about a mountain road (or, if an editor removed it, the newest public story that takes
reviews) gets two approved reviews: one with two readers' approved replies
and the newsroom's reply, one edited by its author (its first text kept for moderators), and
a reply waiting in the moderation queue. Nothing is added when the demo reviews exist
(running ``seed_demo`` again adds nothing).
"""

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from articles.models import Article
from articles.signals import demo_seeded
from reviews.models import Review, ReviewRevision
from reviews.services import client_fingerprint

DEMO_DOMAIN = "@readers.newsroom.example"
DEMO_STORY = "mountain-road-and-the-treaty"
USER_AGENT = "Mozilla/5.0 (demo reader)"


def demo_review(article, name: str, body: str, *, at, parent=None, **fields) -> Review:
    review = Review.objects.create(
        article=article,
        parent=parent,
        name=name,
        email=name.split()[0].lower() + DEMO_DOMAIN,
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
    """Add the demo conversation; return how many reviews and replies were added."""
    if Review.objects.filter(email__endswith=DEMO_DOMAIN).exists():
        return 0
    stories = Article.objects.published().filter(allow_reviews=True)
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


def connect() -> None:
    demo_seeded.connect(seed_reviews, dispatch_uid="reviews.demo.seed_reviews")

import hashlib

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# The query parameter of the story page's pages of reviews (reviews.templatetags.reviews).
PAGE_PARAMETER = "reviews_page"


def default_close_after_days() -> int:
    return settings.REVIEWS_CLOSE_AFTER_DAYS


class ReviewQuerySet(models.QuerySet):
    def approved(self):
        """Return the reviews the public may see."""
        return self.filter(status=Review.Status.APPROVED)

    def pending(self):
        """Return the reviews waiting for a moderator."""
        return self.filter(status=Review.Status.PENDING)

    def for_story_page(self, article):
        """Return *article*'s public reviews, oldest first, with only the columns shown."""
        return (
            self.approved()
            .filter(article=article)
            .order_by("created_at", "pk")
            .only("pk", "name", "body", "created_at", "reply", "reply_at")
        )


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")

    class FollowUp(models.TextChoices):
        """The reader's "email me when my review is published" (reviews.followup)."""

        NONE = "", _("not asked")
        UNCONFIRMED = "unconfirmed", _("asked, address not confirmed yet")
        CONFIRMED = "confirmed", _("address confirmed, waiting for approval")
        SENT = "sent", _("told it is published")
        CANCELLED = "cancelled", _("unsubscribed")

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("story"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("email"), help_text=_("Never shown to the public."))
    body = models.TextField(_("review"), max_length=3000)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    created_at = models.DateTimeField(_("sent at"), auto_now_add=True)
    fingerprint = models.CharField(
        _("client fingerprint"),
        max_length=64,
        blank=True,
        editable=False,
        help_text=_("A keyed hash of the sender's IP address; the address itself is not kept."),
    )
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True, editable=False)
    reasons = models.JSONField(
        _("rule reasons"),
        default=list,
        blank=True,
        editable=False,
        help_text=_("Why the rules held, approved or refused this review."),
    )
    moderated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("moderated by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    moderated_at = models.DateTimeField(_("moderated at"), null=True, blank=True, editable=False)
    # Set once moderators have been told about this pending review; a failed mail leaves it
    # empty so that `manage.py notify_moderators` can send it later.
    notified_at = models.DateTimeField(_("moderators notified at"), null=True, editable=False)
    reply = models.TextField(
        _("reply from the newsroom"),
        blank=True,
        max_length=3000,
        help_text=_("Optional. Shown under the review, marked as the newsroom's reply."),
    )
    reply_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("replied by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    reply_at = models.DateTimeField(_("replied at"), null=True, blank=True, editable=False)
    follow_up = models.CharField(
        _("email when published"),
        max_length=12,
        choices=FollowUp.choices,
        default=FollowUp.NONE,
        blank=True,
        editable=False,
    )
    follow_up_confirmed_at = models.DateTimeField(
        _("address confirmed at"), null=True, blank=True, editable=False
    )
    # The last email to the reader about this review (confirmation request or notice).
    follow_up_mailed_at = models.DateTimeField(
        _("reader emailed at"), null=True, blank=True, editable=False
    )

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("review")
        verbose_name_plural = _("reviews")
        permissions = [("moderate_review", _("Can approve, reject and mark reviews as spam"))]
        indexes = [
            models.Index(fields=["status", "created_at"], name="review_queue"),
            models.Index(fields=["article", "status", "created_at"], name="review_story_status"),
            models.Index(fields=["moderated_at"], name="review_moderated_at"),
            # "Has this email an approved review?" (trusted reviewers), on every submission.
            models.Index(fields=["email", "status"], name="review_email_status"),
        ]

    def __str__(self):
        return _("Review by %(name)s on “%(story)s”") % {
            "name": self.name,
            "story": self.article,
        }

    def save(self, *args, **kwargs):
        # One spelling per address, so that finding a reviewer's earlier reviews is one
        # indexed comparison (the form lower-cases too; this covers the admin and scripts).
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """Return the review on its story's page: the page of reviews that shows it."""
        url = self.article.get_absolute_url()
        if self.is_public():
            # Reviews run oldest first, REVIEWS_PER_PAGE a page (reviews_for): count the
            # ones shown before this one.
            earlier = (
                Review.objects.for_story_page(self.article)
                .filter(
                    models.Q(created_at__lt=self.created_at)
                    | models.Q(created_at=self.created_at, pk__lt=self.pk)
                )
                .count()
            )
            page = earlier // settings.REVIEWS_PER_PAGE + 1
            if page > 1:
                url += f"?{PAGE_PARAMETER}={page}"
        return f"{url}#review-{self.pk}"

    def is_public(self):
        return self.status == self.Status.APPROVED


class ModerationSettings(models.Model):
    """The rules editors tune in the admin; one row, created by the migration."""

    hold_words = models.TextField(
        _("hold words"),
        blank=True,
        help_text=_("One word or phrase per line. A review containing one waits for a moderator."),
    )
    block_words = models.TextField(
        _("block words"),
        blank=True,
        help_text=_("One word or phrase per line. A review containing one goes straight to spam."),
    )
    link_threshold = models.PositiveSmallIntegerField(
        _("links before holding"),
        default=2,
        help_text=_("A review with at least this many links always waits for a moderator."),
    )
    trusted_auto_approve = models.BooleanField(
        _("auto-approve trusted reviewers"),
        default=False,
        help_text=_(
            "Publish at once when the same email address already has an approved review "
            "(unless another rule holds it)."
        ),
    )
    close_after_days = models.PositiveSmallIntegerField(
        _("close reviews after (days)"),
        default=default_close_after_days,
        help_text=_("Reviews close this many days after a story is published. 0 never closes."),
    )
    reviews_read_only = models.BooleanField(
        _("reviews read-only"),
        default=False,
        help_text=_(
            "Pause new reviews on every story, e.g. on a breaking-news night. Published "
            "reviews stay visible; the form says that reviews are paused."
        ),
    )
    quiet_hours_start = models.TimeField(
        _("quiet hours start"),
        null=True,
        blank=True,
        help_text=_(
            "In the site's time zone. From this time until the end time the form is "
            "replaced by a note saying when it reopens. Leave both empty for no quiet hours."
        ),
    )
    quiet_hours_end = models.TimeField(
        _("quiet hours end"),
        null=True,
        blank=True,
        help_text=_("May be earlier than the start: 22:00 to 06:00 spans midnight."),
    )

    class Meta:
        verbose_name = _("moderation rules")
        verbose_name_plural = _("moderation rules")

    def __str__(self):
        return str(_("Moderation rules"))

    def save(self, *args, **kwargs):
        # A single row: whatever was asked, this is the one.
        self.pk = 1
        super().save(*args, **kwargs)

    def clean(self):
        start, end = self.quiet_hours_start, self.quiet_hours_end
        if (start is None) != (end is None):
            missing = "quiet_hours_end" if end is None else "quiet_hours_start"
            raise ValidationError(
                {missing: _("Give both the start and the end of the quiet hours, or neither.")}
            )
        if start is not None and start == end:
            raise ValidationError(
                {"quiet_hours_end": _("The quiet hours must end at another time than they start.")}
            )

    @classmethod
    def load(cls) -> "ModerationSettings":
        """Return the rules, creating the row with defaults if a database lacks it."""
        rules, _created = cls.objects.get_or_create(pk=1)
        return rules

    @staticmethod
    def word_list(text: str) -> list[str]:
        return [line.strip() for line in text.splitlines() if line.strip()]

    @property
    def hold_word_list(self) -> list[str]:
        return self.word_list(self.hold_words)

    @property
    def block_word_list(self) -> list[str]:
        return self.word_list(self.block_words)


class ReviewEmailOptOut(models.Model):
    """An address that asked for no more emails about reviews (one-click unsubscribe).

    Only a SHA-256 hash of the lower-cased address is kept: enough to recognise it again,
    and it survives a change of the secret key (a keyed hash would forget every opt-out).
    """

    email_hash = models.CharField(_("address hash"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("unsubscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")

    def __str__(self):
        return self.email_hash[:12]

    @staticmethod
    def hash_email(email: str) -> str:
        return hashlib.sha256(email.strip().lower().encode("utf-8")).hexdigest()

    @classmethod
    def covers(cls, email: str) -> bool:
        return cls.objects.filter(email_hash=cls.hash_email(email)).exists()


class ModerationDigestState(models.Model):
    """When moderators last got a digest of the review queue (one row; reviews.moderators)."""

    last_sent_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("moderation digest state")
        verbose_name_plural = _("moderation digest state")

    def __str__(self):
        return str(self.last_sent_at or "-")

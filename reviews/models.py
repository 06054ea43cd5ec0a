from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _


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
        return reverse("articles:detail", kwargs={"slug": self.article.slug}) + (
            f"#review-{self.pk}"
        )

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

    class Meta:
        verbose_name = _("moderation rules")
        verbose_name_plural = _("moderation rules")

    def __str__(self):
        return str(_("Moderation rules"))

    def save(self, *args, **kwargs):
        # A single row: whatever was asked, this is the one.
        self.pk = 1
        super().save(*args, **kwargs)

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

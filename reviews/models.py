from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from serving.opt_outs import HashedEmailOptOut

# The query parameter of the story page's pages of reviews (reviews.templatetags.reviews).
PAGE_PARAMETER = "reviews_page"
# The query parameter of a review's pages of replies (reviews.views.replies).
REPLIES_PAGE_PARAMETER = "page"


def default_close_after_days() -> int:
    return settings.REVIEWS_CLOSE_AFTER_DAYS


# The columns a story page (and the content API) shows of a review or a reader's reply.
PUBLIC_COLUMNS = ("pk", "name", "body", "created_at", "edited_at", "reply", "reply_at", "parent")


class ReviewQuerySet(models.QuerySet):
    def approved(self):
        """Return the reviews approved by a moderator or the rules.

        A reply shows only under an approved review: see :meth:`for_story_page`.
        """
        return self.filter(status=Review.Status.APPROVED)

    def pending(self):
        """Return the reviews waiting for a moderator."""
        return self.filter(status=Review.Status.PENDING)

    def top_level(self):
        """Return the reviews of a story, without the readers' replies to them."""
        return self.filter(parent__isnull=True)

    def replies(self):
        return self.filter(parent__isnull=False)

    def for_story_page(self, article, *, replies_shown: int | None = None):
        """Return *article*'s public reviews, oldest first, with only the columns shown.

        Each carries ``public_replies``: its approved replies, oldest first, fetched for the
        whole page in one more query; with *replies_shown*, only the first that many of each
        review (a window function in that same query), and ``public_reply_count``, how many
        there are in all (a subquery of the page's query).
        """
        replies = self.public_replies().only(*PUBLIC_COLUMNS)
        reviews = (
            self.approved()
            .top_level()
            .filter(article=article)
            .order_by("created_at", "pk")
            .only(*PUBLIC_COLUMNS)
        )
        if replies_shown is not None:
            replies = replies[:replies_shown]
            counted = (
                self.model.objects.approved()
                .filter(parent=models.OuterRef("pk"))
                .order_by()
                .values("parent")
                .annotate(count=models.Count("pk"))
                .values("count")
            )
            reviews = reviews.annotate(public_reply_count=Coalesce(models.Subquery(counted), 0))
        return reviews.prefetch_related(
            models.Prefetch("replies", replies, to_attr="public_replies")
        )

    def public_replies(self):
        """Return the approved replies, oldest first (under a public review, they are public)."""
        return self.model.objects.approved().replies().order_by("created_at", "pk")


class Review(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")
        SPAM = "spam", _("Spam")
        # By its author, through the edit link (reviews.editing); moderators still see it.
        WITHDRAWN = "withdrawn", _("Withdrawn")

    class FollowUp(models.TextChoices):
        """The reader's "email me when my review is published" (reviews.followup)."""

        NONE = "", _("not asked")
        UNCONFIRMED = "unconfirmed", _("asked, address not confirmed yet")
        CONFIRMED = "confirmed", _("address confirmed, waiting for approval")
        SENT = "sent", _("told it is published")
        CANCELLED = "cancelled", _("unsubscribed")

    class RepliesFollowUp(models.TextChoices):
        """The author's "email me when someone replies": the same steps as FollowUp."""

        NONE = "", _("not asked")
        UNCONFIRMED = "unconfirmed", _("asked, address not confirmed yet")
        CONFIRMED = "confirmed", _("address confirmed: told of each published reply")
        CANCELLED = "cancelled", _("unsubscribed")

    article = models.ForeignKey(
        "articles.Article",
        verbose_name=_("story"),
        on_delete=models.CASCADE,
        related_name="reviews",
    )
    # One level only: a reply answers a top-level review (reviews.services.review_submit).
    parent = models.ForeignKey(
        "self",
        verbose_name=_("in reply to"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="replies",
    )
    name = models.CharField(_("name"), max_length=80)
    email = models.EmailField(_("email"), help_text=_("Never shown to the public."))
    body = models.TextField(_("review"), max_length=3000)
    # Set when the author changed the text through the edit link; shown as "edited". The
    # text before is kept in ReviewRevision, for moderators only.
    edited_at = models.DateTimeField(
        _("edited by its author at"), null=True, blank=True, editable=False
    )
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
    # "Email me when someone replies": the same confirmed opt-in as follow_up (one link
    # confirms both); CONFIRMED stays until the reader unsubscribes.
    # db_default: the benchmark's bulk loader writes rows without it (articles.demo.bulk).
    replies_follow_up = models.CharField(
        _("email on replies"),
        max_length=12,
        choices=RepliesFollowUp.choices,
        default=RepliesFollowUp.NONE,
        db_default=RepliesFollowUp.NONE,
        blank=True,
        editable=False,
    )
    # On a reply: when the author of the review it answers was told of it (once).
    parent_notified_at = models.DateTimeField(
        _("review's author told at"), null=True, blank=True, editable=False
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
            # A reviewer's history on the review's admin page ("same client").
            models.Index(fields=["fingerprint"], name="review_fingerprint"),
        ]

    def __str__(self):
        if self.parent_id:
            return _("Reply by %(name)s on “%(story)s”") % {
                "name": self.name,
                "story": self.article,
            }
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
        """Return the review on its story's page: the page of reviews that shows it.

        A reply is on the page of the review it answers, if it is one of the first
        ``REVIEWS_REPLIES_SHOWN`` there; a later one, on the review's pages of replies.
        """
        url = self.article.get_absolute_url()
        if self.is_public() and self.parent_id:
            earlier = (
                Review.objects.public_replies()
                .filter(parent_id=self.parent_id)
                .filter(
                    models.Q(created_at__lt=self.created_at)
                    | models.Q(created_at=self.created_at, pk__lt=self.pk)
                )
                .count()
            )
            if earlier >= settings.REVIEWS_REPLIES_SHOWN:
                # Under the story's language's prefix, as the story's own address is.
                with translation.override(self.article.language):
                    url = reverse("reviews:replies", args=[self.article.slug, self.parent_id])
                page = earlier // settings.REVIEWS_REPLIES_PER_PAGE + 1
                if page > 1:
                    url += f"?{REPLIES_PAGE_PARAMETER}={page}"
                return f"{url}#review-{self.pk}"
        if self.is_public():
            shown = self.parent if self.parent_id else self
            # Reviews run oldest first, REVIEWS_PER_PAGE a page (reviews_for): count the
            # ones shown before this one.
            earlier = (
                Review.objects.for_story_page(self.article)
                .filter(
                    models.Q(created_at__lt=shown.created_at)
                    | models.Q(created_at=shown.created_at, pk__lt=shown.pk)
                )
                .count()
            )
            page = earlier // settings.REVIEWS_PER_PAGE + 1
            if page > 1:
                url += f"?{PAGE_PARAMETER}={page}"
        return f"{url}#review-{self.pk}"

    def is_public(self):
        """Mirror ``for_story_page()``: approved, and a reply under an approved review."""
        if self.status != self.Status.APPROVED:
            return False
        return self.parent_id is None or self.parent.status == self.Status.APPROVED

    def is_reply(self) -> bool:
        return self.parent_id is not None


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
    report_threshold = models.PositiveSmallIntegerField(
        _("reports before holding"),
        default=3,
        help_text=_(
            "A published review or reply reported by this many different readers goes back "
            "to the queue until a moderator looks at it. 0 never holds one automatically."
        ),
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


class ReviewEmailOptOut(HashedEmailOptOut):
    """An address that asked for no more emails about reviews (one-click unsubscribe)."""

    created_at = models.DateTimeField(_("unsubscribed at"), auto_now_add=True)

    class Meta:
        verbose_name = _("email opt-out")
        verbose_name_plural = _("email opt-outs")

    def __str__(self):
        return self.email_hash[:12]


class ModerationDigestState(models.Model):
    """When moderators last got a digest of the review queue (one row; reviews.moderators)."""

    last_sent_at = models.DateTimeField(_("last digest sent at"), null=True, blank=True)

    class Meta:
        verbose_name = _("moderation digest state")
        verbose_name_plural = _("moderation digest state")

    def __str__(self):
        return str(self.last_sent_at or "-")


class ReviewRevision(models.Model):
    """A review's text as it was before its author edited it or a moderator removed a passage.

    For moderators only: the public sees the current text, marked "edited" or with
    "[removed by moderator]" in place of the passage.
    """

    class Kind(models.TextChoices):
        EDITED = "edited", _("edited by its author")
        REDACTED = "redacted", _("passage removed by a moderator")

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="revisions"
    )
    kind = models.CharField(_("change"), max_length=10, choices=Kind.choices)
    body = models.TextField(_("text before the change"))
    created_at = models.DateTimeField(_("changed at"), default=timezone.now)
    # The moderator who removed a passage; empty for an edit by the reader.
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("earlier text")
        verbose_name_plural = _("earlier texts")

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d %H:%M}"


class ReviewReportQuerySet(models.QuerySet):
    def open(self):
        """Return the reports no moderator has dealt with yet (they count towards holding)."""
        return self.filter(dismissed_at__isnull=True)


class ReviewReport(models.Model):
    """A reader's "Report" of a published review or reply: one per client and review.

    The client is the keyed hash of its address that the review form computes
    (``reviews.services.client_fingerprint``); the address itself is never stored.
    """

    class Reason(models.TextChoices):
        SPAM = "spam", _("Spam or advertising")
        ABUSE = "abuse", _("Abusive or hateful")
        OFF_TOPIC = "off_topic", _("Off-topic")
        PERSONAL_DATA = "personal_data", _("Reveals someone's personal data")
        OTHER = "other", _("Something else")

    review = models.ForeignKey(
        Review, verbose_name=_("review"), on_delete=models.CASCADE, related_name="reports"
    )
    fingerprint = models.CharField(_("client fingerprint"), max_length=64, editable=False)
    reason = models.CharField(_("reason"), max_length=16, choices=Reason.choices)
    text = models.TextField(_("details"), max_length=500, blank=True)
    created_at = models.DateTimeField(_("reported at"), default=timezone.now)
    # Set when a moderator approved the review again or dismissed its reports: they no
    # longer count towards holding it, and the same clients cannot report it again.
    dismissed_at = models.DateTimeField(_("dismissed at"), null=True, blank=True)
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("dismissed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReviewReportQuerySet.as_manager()

    class Meta:
        ordering = ("created_at", "pk")
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            models.UniqueConstraint(
                fields=["review", "fingerprint"], name="review_report_once_per_client"
            ),
        ]

    def __str__(self):
        return f"{self.get_reason_display()} ({self.created_at:%Y-%m-%d %H:%M})"


class ReviewerBlockQuerySet(models.QuerySet):
    def active(self, *, now=None):
        return self.filter(expires_at__gt=now or timezone.now())

    def matching(self, *, email: str = "", fingerprint: str = ""):
        """Return the blocks of *email* or *fingerprint* (an empty value matches nothing)."""
        who = models.Q(pk__in=[])
        if email:
            who |= models.Q(email=email.lower())
        if fingerprint:
            who |= models.Q(fingerprint=fingerprint)
        return self.filter(who)


class ReviewerBlock(models.Model):
    """A reviewer whose reviews, replies and reports are not taken until the block expires.

    Their reviews and replies are stored as spam with the block's note as the reason; their
    reports are not stored. Made by a moderator from one of their reviews.
    """

    email = models.EmailField(
        _("email"), blank=True, help_text=_("Reviews sent with this address are blocked.")
    )
    fingerprint = models.CharField(
        _("client fingerprint"),
        max_length=64,
        blank=True,
        help_text=_("Reviews and reports sent from this client (a hash of its address)."),
    )
    note = models.CharField(
        _("note"),
        max_length=200,
        help_text=_(
            "Internal, for moderators: shown beside each blocked review. The reader is not "
            'given it: "Your data" tells them only that their address is blocked, and until when.'
        ),
    )
    expires_at = models.DateTimeField(_("blocked until"))
    created_at = models.DateTimeField(_("blocked at"), default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("blocked by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    review = models.ForeignKey(
        Review,
        verbose_name=_("made from review"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    objects = ReviewerBlockQuerySet.as_manager()

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("blocked reviewer")
        verbose_name_plural = _("blocked reviewers")
        indexes = [
            models.Index(fields=["email", "expires_at"], name="reviewer_block_email"),
            models.Index(fields=["fingerprint", "expires_at"], name="reviewer_block_client"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(email__gt="") | models.Q(fingerprint__gt=""),
                name="reviewer_block_names_someone",
            ),
        ]

    def __str__(self):
        return self.email or self.fingerprint[:12]

    def save(self, *args, **kwargs):
        self.email = self.email.lower()
        super().save(*args, **kwargs)

    def is_active(self, *, now=None) -> bool:
        """Mirror ``ReviewerBlockQuerySet.active()``."""
        return self.expires_at > (now or timezone.now())

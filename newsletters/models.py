"""Subscribers, the sends made to them (digests and breaking-news alerts), and each delivery.

A reader's address is kept only while it is wanted: unconfirmed for
``NEWSLETTER_CONFIRM_DAYS`` at most, confirmed until they unsubscribe, which deletes it.
A send's figures survive its subscribers (deliveries keep their status, not the address).
"""

from django.conf import settings
from django.db import models
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Author, Region, Rubric, default_language, language_choices
from serving.opt_outs import HashedEmailOptOut


class SubscriberQuerySet(models.QuerySet):
    def confirmed(self):
        return self.filter(status=Subscriber.Status.CONFIRMED)

    def recipients_of(self, send: "Send"):
        """Return the subscribers *send* is for: confirmed before it started, by id."""
        recipients = self.confirmed().filter(confirmed_at__lte=send.created_at)
        if send.kind == Send.Kind.ALERT:
            # A story is news to the readers of its language only.
            story_language = Article.objects.filter(pk=send.article_id).values("language")
            return recipients.filter(breaking=True, language__in=story_language).order_by("pk")
        # A digest edition is every language's: each subscriber gets their language's stories.
        return recipients.filter(frequency=send.kind).order_by("pk")


class Subscriber(models.Model):
    class Status(models.TextChoices):
        UNCONFIRMED = "unconfirmed", _("Waiting for confirmation")
        CONFIRMED = "confirmed", _("Confirmed")

    class Frequency(models.TextChoices):
        DAILY = "daily", _("Daily")
        WEEKLY = "weekly", _("Weekly")

    # Lower-cased before it is stored (newsletters.forms), so one address is one row.
    email = models.EmailField(_("email address"), max_length=254, unique=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.UNCONFIRMED
    )
    frequency = models.CharField(
        _("digest"), max_length=6, choices=Frequency.choices, default=Frequency.WEEKLY
    )
    everything = models.BooleanField(
        _("everything"),
        default=True,
        help_text=_("Every story, whatever its region, rubric or author."),
    )
    regions = models.ManyToManyField(
        Region, verbose_name=_("regions"), blank=True, related_name="+"
    )
    rubrics = models.ManyToManyField(
        Rubric, verbose_name=_("rubrics"), blank=True, related_name="+"
    )
    authors = models.ManyToManyField(
        Author, verbose_name=_("authors"), blank=True, related_name="+"
    )
    breaking = models.BooleanField(_("breaking-news alerts"), default=False)
    # The language of the page they signed up on: their emails, their links, their stories.
    language = models.CharField(
        _("language"),
        max_length=10,
        choices=language_choices,
        default=default_language,
        help_text=_("The emails are in this language, with its stories only."),
    )
    created_at = models.DateTimeField(_("signed up at"), auto_now_add=True)
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # The last confirmation (or "already subscribed") email, so that a sign-up form cannot be
    # used to flood a mailbox: at most one an hour (newsletters.mail).
    mailed_at = models.DateTimeField(_("last sign-up email at"), null=True, blank=True)

    objects = SubscriberQuerySet.as_manager()

    class Meta:
        ordering = ("pk",)
        verbose_name = _("subscriber")
        verbose_name_plural = _("subscribers")
        indexes = [
            # A send walks its recipients by id (newsletters.sending).
            models.Index(fields=["status", "frequency", "id"], name="newsletters_sub_recipients"),
        ]

    def __str__(self):
        # Not the address: this text ends up in the audit log and in admin messages.
        return _("subscriber #%(id)s") % {"id": self.pk}

    def topic_names(self) -> list[str]:
        """Return the names of the regions, rubrics and authors followed ([] for everything)."""
        if self.everything:
            return []
        return [
            *(region.name for region in self.regions.all()),
            *(rubric.name for rubric in self.rubrics.all()),
            *(author.in_language(self.language).name for author in self.authors.all()),
        ]


class OptOut(HashedEmailOptOut):
    """An address that answered a confirmation email with "never send anything again"."""

    created_at = models.DateTimeField(_("opted out at"), auto_now_add=True)

    class Meta:
        verbose_name = _("opt-out")
        verbose_name_plural = _("opt-outs")

    def __str__(self):
        return _("opt-out #%(id)s") % {"id": self.pk}


class Send(models.Model):
    """One digest edition or one breaking-news alert, and how far its sending has gone."""

    class Kind(models.TextChoices):
        DAILY = "daily", _("Daily digest")
        WEEKLY = "weekly", _("Weekly digest")
        ALERT = "alert", _("Breaking-news alert")

    class Status(models.TextChoices):
        SENDING = "sending", _("Sending")
        DONE = "done", _("Sent")
        STOPPED = "stopped", _("Stopped")

    kind = models.CharField(_("kind"), max_length=6, choices=Kind.choices)
    # The day a digest is for (in TIME_ZONE): one edition of each kind per day.
    edition = models.DateField(_("edition"), null=True, blank=True)
    # Stories published in [window_start, window_end) are the digest's candidates.
    window_start = models.DateTimeField(_("stories from"), null=True, blank=True)
    window_end = models.DateTimeField(_("stories until"), null=True, blank=True)
    article = models.ForeignKey(
        Article,
        verbose_name=_("story"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    subject = models.CharField(_("subject"), max_length=250, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("started by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.SENDING
    )
    note = models.CharField(_("note"), max_length=250, blank=True)
    # How many subscribers the send is for, counted when it starts.
    recipients = models.PositiveIntegerField(_("recipients"), default=0)
    # Counted from the deliveries at the end of every batch (newsletters.sending).
    delivered = models.PositiveIntegerField(_("delivered"), default=0)
    failed = models.PositiveIntegerField(_("failed"), default=0)
    skipped = models.PositiveIntegerField(
        _("nothing to send"),
        default=0,
        help_text=_("Subscribers none of whose regions, rubrics or authors had a story."),
    )
    unknown = models.PositiveIntegerField(
        _("interrupted"),
        default=0,
        help_text=_(
            "Emails whose sending was cut off by a crash: perhaps delivered, never sent again."
        ),
    )
    # How sending proceeds (newsletters.sending): subscribers are taken in id order, and
    # ``cursor`` is the last id a finished batch covered. ``chain`` names the one queued task
    # meant to send the next batch; ``heartbeat_at`` is when a batch last showed progress.
    cursor = models.BigIntegerField(default=0, editable=False)
    chain = models.CharField(max_length=64, blank=True, editable=False)
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False)
    next_batch_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("newsletter send")
        verbose_name_plural = _("newsletter sends")
        constraints = [
            # Two workers seeing the same edition due make it once.
            models.UniqueConstraint(
                fields=["kind", "edition"],
                condition=Q(edition__isnull=False),
                name="newsletters_one_edition",
            ),
            # Two editors pressing "send alert" at once send it once.
            models.UniqueConstraint(
                fields=["article"],
                condition=Q(kind="alert"),
                name="newsletters_one_alert_per_story",
            ),
        ]
        indexes = [models.Index(fields=["status", "kind"], name="newsletters_send_status")]

    def __str__(self):
        if self.kind == self.Kind.ALERT:
            return f"{self.get_kind_display()}: {self.subject}"
        return f"{self.get_kind_display()} {self.edition or ''}".strip()

    @property
    def handled(self) -> int:
        return self.delivered + self.failed + self.skipped + self.unknown


class Delivery(models.Model):
    """One subscriber's email of one send: written before it goes out, updated after.

    ``pending`` (its batch took it) → ``sending`` (committed just before the mail server is
    asked) → ``sent`` or ``failed``; ``unknown`` when a crash came while ``sending``.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("to be sent")
        SENDING = "sending", _("being sent")
        SENT = "sent", _("delivered")
        FAILED = "failed", _("failed")
        SKIPPED = "skipped", _("nothing to send")
        UNKNOWN = "unknown", _("interrupted")

    send = models.ForeignKey(Send, on_delete=models.CASCADE, related_name="deliveries")
    # Emptied when the subscriber leaves: the figures stay, the address goes.
    subscriber = models.ForeignKey(
        Subscriber, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status.choices)
    at = models.DateTimeField(auto_now=True)
    error = models.CharField(max_length=250, blank=True)

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        constraints = [
            # The last guard against sending anyone the same email twice.
            models.UniqueConstraint(fields=["send", "subscriber"], name="newsletters_once_each")
        ]

    def __str__(self):
        return f"{self.send_id}/{self.subscriber_id}: {self.status}"


def count_deliveries(send_id: int) -> dict[str, int]:
    """Return the send's deliveries counted by outcome, under the Send's field names."""
    status = Delivery.Status
    return Delivery.objects.filter(send_id=send_id).aggregate(
        delivered=Count("pk", filter=Q(status=status.SENT)),
        failed=Count("pk", filter=Q(status=status.FAILED)),
        skipped=Count("pk", filter=Q(status=status.SKIPPED)),
        unknown=Count("pk", filter=Q(status__in=[status.UNKNOWN, status.SENDING])),
    )

"""Webhooks: the endpoints partners register, the events that happen, and every delivery.

An :class:`Event` is one happening (a story became public, a review was approved), recorded
once under its idempotency ``key`` with the exact JSON body that is signed and sent; its
``message_id`` is the ``webhook-id`` header, the same on every attempt. A :class:`Delivery`
is that event on its way to one :class:`Endpoint`: recorded before it is attempted, then
attempted by the worker until a 2xx or until the retry schedule runs out
(``webhooks.delivery``). :class:`StoryState` remembers what the endpoints were last told
about each story (``webhooks.story_events``).
"""

import base64
import secrets
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

SECRET_PREFIX = "whsec_"
# Standard Webhooks asks for at least 24 random bytes; HMAC-SHA256 gains nothing beyond 32.
SECRET_BYTES = 32


def new_secret() -> str:
    """Return a fresh signing secret in Standard Webhooks' form: ``whsec_`` and base64."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def new_message_id() -> str:
    """Return a fresh ``webhook-id``: no full stop, which the signed content uses as separator."""
    return f"msg_{uuid.uuid4().hex}"


class EventType(models.TextChoices):
    STORY_PUBLISHED = "story.published", _("story.published: a story became public")
    STORY_UPDATED = "story.updated", _("story.updated: what readers see of a public story changed")
    STORY_UNPUBLISHED = (
        "story.unpublished",
        _(
            "story.unpublished: a public story went offline (withdrawn, rescheduled, expired "
            "or deleted)"
        ),
    )
    REVIEW_APPROVED = (
        "review.approved",
        _("review.approved: a reader's review of a public story was approved"),
    )
    TEST = "webhook.test", _("webhook.test: sent with the admin's “Send a test event” button")


# What an endpoint can subscribe to; test events go to the one endpoint they are sent to.
SUBSCRIBABLE = [
    EventType.STORY_PUBLISHED,
    EventType.STORY_UPDATED,
    EventType.STORY_UNPUBLISHED,
    EventType.REVIEW_APPROVED,
]


class Endpoint(models.Model):
    url = models.CharField(
        _("URL"),
        max_length=500,
        help_text=_(
            "Where the events are POSTed, e.g. https://partner.example.com/hooks/newsroom. It "
            "must use https and reach the public internet."
        ),
    )
    description = models.CharField(
        _("description"),
        max_length=200,
        blank=True,
        help_text=_("Who receives these events and why, for your colleagues."),
    )
    events = models.JSONField(_("events"), default=list, blank=True)
    active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Switched off, the endpoint gets no new events and no further attempts."),
    )
    secret = models.CharField(_("signing secret"), max_length=100, default=new_secret)
    # The secrets a rotation replaced, each signing beside the current one until its own time
    # ({"secret": …, "until": ISO 8601}), so that the receiver can switch without losing a
    # delivery (Standard Webhooks' zero-downtime rotation), even after two rotations in a row.
    previous_secrets = models.JSONField(_("previous secrets"), default=list, blank=True)
    disabled_reason = models.CharField(_("switched off because"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("changed at"), auto_now=True)

    class Meta:
        ordering = ("url", "pk")
        verbose_name = _("webhook endpoint")
        verbose_name_plural = _("webhook endpoints")

    def __str__(self):
        return self.description or self.url

    def wants(self, event_type: str) -> bool:
        """Return whether this endpoint subscribed to *event_type*."""
        return event_type in self.events

    def earlier_secrets(self, now=None) -> list[tuple[str, datetime]]:
        """Return the replaced secrets that still sign, with the time each stops, newest first."""
        now = now or timezone.now()
        found = [
            (entry["secret"], datetime.fromisoformat(entry["until"]))
            for entry in self.previous_secrets
        ]
        return sorted(
            ((secret, until) for secret, until in found if until > now),
            key=lambda pair: pair[1],
            reverse=True,
        )

    def signing_secrets(self, now=None) -> list[str]:
        """Return the secrets a delivery is signed with now: the current one, and each
        replaced one until its own grace period ends."""
        return [self.secret, *(secret for secret, _until in self.earlier_secrets(now))]

    def rotate_secret(self, *, grace: timedelta, now=None) -> datetime:
        """Put a new secret in place; the replaced one signs beside it for *grace*.

        Return when the replaced secret stops signing. Secrets replaced earlier keep their
        own time: none is dropped early, however close together the rotations.
        """
        now = now or timezone.now()
        until = now + grace
        kept = [
            {"secret": secret, "until": moment.isoformat()}
            for secret, moment in self.earlier_secrets(now)
        ]
        self.previous_secrets = [{"secret": self.secret, "until": until.isoformat()}, *kept]
        self.secret = new_secret()
        return until


class Event(models.Model):
    message_id = models.CharField(
        _("webhook-id"), max_length=40, unique=True, default=new_message_id, editable=False
    )
    type = models.CharField(_("type"), max_length=40, choices=EventType.choices)
    # What makes a happening the same happening: a second attempt to record it finds this
    # key taken and records nothing.
    key = models.CharField(_("idempotency key"), max_length=200, unique=True, editable=False)
    # The JSON sent, exactly as signed: every attempt sends the same bytes.
    body = models.TextField(_("body"), editable=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("webhook event")
        verbose_name_plural = _("webhook events")

    def __str__(self):
        return f"{self.type} {self.message_id}"


class Delivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        SUCCEEDED = "succeeded", _("succeeded")
        FAILED = "failed", _("failed, given up")

    endpoint = models.ForeignKey(
        Endpoint, verbose_name=_("endpoint"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        Event, verbose_name=_("event"), on_delete=models.CASCADE, related_name="deliveries"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING
    )
    attempts = models.PositiveIntegerField(_("attempts"), default=0)
    # While an attempt is under way, when its lease ends: if it never reports back (its
    # worker died), another attempt may be made from then on (webhooks.delivery).
    next_attempt_at = models.DateTimeField(_("next attempt at"), null=True, blank=True)
    attempt_started_at = models.DateTimeField(_("attempt under way since"), null=True, blank=True)
    last_attempt_at = models.DateTimeField(_("last attempt at"), null=True, blank=True)
    last_duration_ms = models.PositiveIntegerField(_("last attempt took (ms)"), null=True)
    last_status_code = models.PositiveSmallIntegerField(_("last response code"), null=True)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    delivered_at = models.DateTimeField(_("delivered at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ("-created_at", "-pk")
        verbose_name = _("webhook delivery")
        verbose_name_plural = _("webhook deliveries")
        permissions = [("resend_delivery", _("Can send webhook deliveries again"))]
        constraints = [
            models.UniqueConstraint(fields=["endpoint", "event"], name="delivery_once_per_endpoint")
        ]
        indexes = [
            # An endpoint's latest delivery (the endpoint list), and its deliveries in order.
            models.Index(fields=["endpoint", "-created_at"], name="delivery_endpoint_created"),
            models.Index(fields=["status", "-created_at"], name="delivery_status_created"),
        ]

    def __str__(self):
        return f"{self.event.type} → {self.endpoint}"


class StoryState(models.Model):
    """What the endpoints were last told about a story, kept after the story is deleted.

    The story's primary key is a plain number, not a foreign key: a deleted story's row stays
    to say that consumers still have to be told it is gone.
    """

    story_id = models.BigIntegerField(_("story id"), unique=True)
    slug = models.CharField(_("slug"), max_length=200, blank=True)
    # With the slug, where the story was: a story gone has no row left to ask.
    language = models.CharField(_("language"), max_length=10, blank=True)
    public = models.BooleanField(_("told public"), default=False)
    # One short hash per part of the story readers see (webhooks.story_events.reader_digest);
    # empty means "not known yet": the next look takes the story as it is, telling nothing.
    digest = models.JSONField(_("reader digest"), default=dict, blank=True)
    # How many things endpoints were told about this story: the next event's key.
    sequence = models.PositiveIntegerField(_("events so far"), default=0)
    # The publication time a check is queued for, so that saving a scheduled story again
    # does not queue another.
    check_at = models.DateTimeField(_("check queued for"), null=True, blank=True)
    synced_at = models.DateTimeField(_("last looked at"), default=timezone.now)

    class Meta:
        verbose_name = _("story as told to webhooks")
        verbose_name_plural = _("stories as told to webhooks")

    def __str__(self):
        return f"#{self.story_id} {self.slug}"

"""The newsletter's emails: the sign-up mail, and each subscriber's digest or alert.

Every email carries the headers of RFC 8058 (``List-Unsubscribe`` with the subscriber's own
unsubscribe link, and ``List-Unsubscribe-Post: List-Unsubscribe=One-Click``), so that mail
programs show their own "Unsubscribe" button and unsubscribe with one POST, and a link to
the preferences page. Links are built on the site's one origin (``serving.origin``).

An address that has not confirmed gets the confirmation and nothing else, and that email
holds only the site's own words: nothing a stranger typed into the sign-up form (not even
the choices) can reach someone else's mailbox through it.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta
from urllib.parse import urlsplit

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import get_template, render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from newsletters import tokens
from newsletters.models import OptOut, Send, Subscriber
from serving.origin import absolute_url

logger = logging.getLogger("newsroom.newsletters")

# One sign-up email per address an hour, however often the form is sent for it.
RESEND_AFTER = timedelta(hours=1)


def list_id() -> str:
    """Return the ``List-Id`` of the newsletter (RFC 2919), on the site's own host name."""
    host = urlsplit(settings.SITE_URL).hostname or "localhost"
    return f"{settings.NEWSROOM_SITE_NAME} <newsletter.{host}>"


def headers(unsubscribe_url: str) -> dict[str, str]:
    return {
        "List-Unsubscribe": f"<{unsubscribe_url}>",
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id(),
        # Machine-made mail: no out-of-office replies, please (RFC 3834).
        "Auto-Submitted": "auto-generated",
    }


def _subject(template: str, context: dict) -> str:
    return " ".join(render_to_string(template, context).split())


def home_url() -> str:
    """Return the absolute address of the active language's front page."""
    return absolute_url(reverse("articles:home"))


# -- The sign-up email -------------------------------------------------------------------------


def send_signup_mail(subscriber_id: int) -> bool:
    """Email the confirmation link, or "already subscribed" to a confirmed address.

    Return whether an email went out. At most one an hour per address: the first request
    is answered, the next ones within the hour are not (the page says the same to everyone
    either way). Nothing in it comes from the form.
    """
    subscriber = Subscriber.objects.filter(pk=subscriber_id).first()
    now = timezone.now()
    if (
        subscriber is None
        or OptOut.covers(subscriber.email)
        or (subscriber.mailed_at is not None and subscriber.mailed_at > now - RESEND_AFTER)
    ):
        return False
    # Claimed before sending: two tasks for one address send one email.
    claimed = Subscriber.objects.filter(pk=subscriber.pk, mailed_at=subscriber.mailed_at).update(
        mailed_at=now
    )
    if not claimed:
        return False
    message = signup_message(subscriber)
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the newsletter sign-up email to %s.", subscriber)
        # Let the next request try again.
        Subscriber.objects.filter(pk=subscriber.pk, mailed_at=now).update(
            mailed_at=subscriber.mailed_at
        )
        return False
    return True


def signup_message(subscriber: Subscriber) -> EmailMultiAlternatives:
    """Return the sign-up email of *subscriber*, in their language with its links.

    Rendered by the worker, whose language is the default: the subscriber's is activated.
    """
    language = subscriber.language
    with translation.override(language):
        context = {
            "site_name": settings.NEWSROOM_SITE_NAME,
            "site_url": home_url(),
            "days": settings.NEWSLETTER_CONFIRM_DAYS,
            "unsubscribe_url": tokens.url(tokens.UNSUBSCRIBE, subscriber.pk, language=language),
        }
        if subscriber.status == Subscriber.Status.CONFIRMED:
            template = "already_subscribed"
            context["preferences_url"] = tokens.url(
                tokens.PREFERENCES, subscriber.pk, language=language
            )
        else:
            template = "confirm"
            context["confirm_url"] = tokens.url(tokens.CONFIRM, subscriber.pk, language=language)
        return EmailMultiAlternatives(
            _subject(f"newsletters/email/{template}_subject.txt", context),
            render_to_string(f"newsletters/email/{template}.txt", context),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
            headers=headers(context["unsubscribe_url"]),
        )


# -- Digests and alerts ------------------------------------------------------------------------


@dataclass(frozen=True)
class Issue:
    """What one send says to everyone alike: its subject and heading."""

    subject: str
    heading: str
    intro: str


def issue_of(send: Send) -> Issue:
    site = settings.NEWSROOM_SITE_NAME
    if send.kind == Send.Kind.ALERT:
        return Issue(
            subject=_("Breaking: %(title)s") % {"title": send.subject},
            heading=_("Breaking news"),
            intro="",
        )
    day = date_format(send.edition, "STORY_DATE_FORMAT") if send.edition else ""
    if send.kind == Send.Kind.DAILY:
        return Issue(
            subject=_("%(site)s daily digest, %(day)s") % {"site": site, "day": day},
            heading=_("Your daily digest"),
            intro=_("The stories of the last day that you chose to follow."),
        )
    return Issue(
        subject=_("%(site)s weekly digest, %(day)s") % {"site": site, "day": day},
        heading=_("Your weekly digest"),
        intro=_("The stories of the last week that you chose to follow."),
    )


class Composer:
    """Build each subscriber's email of one send in one language, the shared part rendered
    once per story set.

    Subscribers with the same stories (all "everything" subscribers, all of one region's…)
    share the rendered list; only the links to their own preferences and unsubscribe page
    are rendered for each. Everything is rendered with *language* active (the worker's own
    is the default): the words, the dates, and the links under its prefix.
    """

    def __init__(self, send: Send, language: str):
        self.send = send
        self.language = language
        with translation.override(language):
            self.issue = issue_of(send)
            self.site_url = home_url()
        self.site_name = settings.NEWSROOM_SITE_NAME
        self.html = get_template("newsletters/email/digest.html")
        self.text = get_template("newsletters/email/digest.txt")
        self.stories_html = get_template("newsletters/email/_stories.html")
        self.stories_text = get_template("newsletters/email/_stories.txt")
        self.rendered: dict[tuple[int, ...], tuple[str, str]] = {}

    def _stories(self, stories) -> tuple[str, str]:
        key = tuple(story.pk for story in stories)
        if key not in self.rendered:
            context = {
                "stories": [
                    {
                        "title": story.title,
                        "teaser": story.teaser,
                        "url": absolute_url(story.get_absolute_url()),
                        "rubric": story.rubric.name,
                        "region": story.region.name,
                        "published": date_format(
                            timezone.localtime(story.publish_at), "STORY_DATETIME_FORMAT"
                        ),
                    }
                    for story in stories
                ],
                "alert": self.send.kind == Send.Kind.ALERT,
            }
            self.rendered[key] = (
                self.stories_html.render(context),
                self.stories_text.render(context),
            )
        return self.rendered[key]

    def message(self, subscriber: Subscriber, stories, *, more: int = 0) -> EmailMultiAlternatives:
        with translation.override(self.language):
            return self._message(subscriber, stories, more=more)

    def _message(self, subscriber: Subscriber, stories, *, more: int) -> EmailMultiAlternatives:
        html_stories, text_stories = self._stories(stories)
        language = self.language
        context = {
            "issue": self.issue,
            "site_name": self.site_name,
            "site_url": self.site_url,
            "more": more,
            # Rendered from our templates just above, escaped there.
            "stories_html": mark_safe(html_stories),  # noqa: S308
            "stories_text": text_stories,
            "preferences_url": tokens.url(tokens.PREFERENCES, subscriber.pk, language=language),
            "unsubscribe_url": tokens.url(tokens.UNSUBSCRIBE, subscriber.pk, language=language),
        }
        message = EmailMultiAlternatives(
            self.issue.subject,
            self.text.render(context),
            from_email=settings.NEWSLETTER_FROM_EMAIL,
            to=[subscriber.email],
            headers=headers(context["unsubscribe_url"]),
        )
        message.attach_alternative(self.html.render(context), "text/html")
        return message

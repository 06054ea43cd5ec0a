"""The rules a new review meets before anyone sees it.

How it works
------------
``review_submit()`` (in ``reviews.services``) builds an unsaved ``Review`` and asks a
:class:`Moderator` two questions:

1. ``allow(article)`` — may this story take reviews at all? No when the editors switched
   reviews off for the story (``allow_reviews``) or the story was published more than
   ``close_after_days`` days ago. A refused review is never stored.
2. ``decide(review, signals=...)`` — which status does it start with, and why? The answer is a
   :class:`Decision`: a status plus human-readable reasons (``["2 links", "held word:
   casino"]``) that the admin queue shows beside the review, so a moderator sees at once why
   it is waiting.

The order of the rules, first match wins:

* **spam** — a *block* word, the honeypot field filled in, or the form sent back faster than a
  person can type (the ``signals`` the form measured);
* **pending, held** — at least ``link_threshold`` links, a *hold* word, or a link whose host
  name mixes alphabets as look-alike domains do (``https://gооgle.com`` with a Cyrillic
  "о", or its punycode ``xn--ggle-55da.com``);
* **approved** — the editors turned on trusted auto-approval and the same email address
  already has an approved review;
* **pending** — everything else: pre-moderation is the default.

Editors change the word lists, the link threshold, trusted auto-approval and the closing
period in the admin (*Reviews › Moderation rules*); nothing here needs a deploy.

Pauses
------
On top of each story's own state, editors can pause reviews everywhere (same admin page):
the *read-only* switch, and daily *quiet hours* in the site's time zone (22:00–06:00 spans
midnight). While paused, :meth:`Moderator.allow` refuses every review and
:meth:`Moderator.pause` says why and when the form comes back. Only the review form's own
page (never cached) says so; the shared story page just links to it.

To add a rule, add a check to ``spam_reasons()`` or ``hold_reasons()`` that returns a short
reason; the queue will show it with no other change.

Replies, edits, reports and blocks
----------------------------------
A reader's reply to a review is a review with a ``parent``: it meets the same rules, in the
same order. A reviewer a moderator blocked (``ReviewerBlock``, by email or client
fingerprint, until it expires) goes to spam first, the block's note as the reason.

An edit by the author (``reviews.editing``) meets the rules again through
:meth:`Moderator.decide_edit`: spam and hold rules as for a new review. An edit of a
published review gets the status a new review with that text from that reviewer would get
(reviews are pre-moderated): it stays published only if the rules approve it (trusted
auto-approval, the review itself not counted); otherwise it goes back to the queue, off the
story's page, "edited after approval" beside it. A pending review waits on, and a verdict
already given (rejected, spam) stands.

Readers' reports (``reviews.reports``) hold a published review once ``report_threshold``
different clients reported it; the queue shows "reported 3×" beside the other reasons.
"""

import contextlib
import re
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from django.utils import timezone
from django.utils.text import get_text_list
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from reviews.models import ModerationSettings, Review, ReviewerBlock
from reviews.text import mixed_scripts

LINK_PATTERN = re.compile(r"(?:\bhttps?://|\bwww\.)\S+", re.IGNORECASE)
SCHEME = re.compile(r"^https?://", re.IGNORECASE)
PATH_START = re.compile(r"[/\\?#]")
# The punctuation around a link in running text: "(see https://example.com)."
TRAILING_PUNCTUATION = re.compile(r"\W+$")
LABEL_SEPARATORS = re.compile(r"[.\u3002]")


@dataclass
class Decision:
    status: str
    reasons: list[str] = field(default_factory=list)


@dataclass
class Pause:
    """Why reviews are paused site-wide, and when they reopen (None: when editors decide)."""

    reason: str
    reopens_at: datetime | None = None

    READ_ONLY = "read_only"
    QUIET_HOURS = "quiet_hours"


def in_quiet_hours(start: time, end: time, moment: time) -> bool:
    """Return whether the local time *moment* falls in quiet hours from *start* to *end*.

    The start is inside, the end outside; an *end* before *start* wraps past midnight.
    """
    if start < end:
        return start <= moment < end
    return moment >= start or moment < end


def next_local_time(now: datetime, at: time) -> datetime:
    """Return the first moment after *now* when the site's clock shows *at*."""
    zone = timezone.get_default_timezone()
    local = timezone.localtime(now, zone)
    candidate = datetime.combine(local.date(), at, tzinfo=zone)
    if candidate <= now:
        candidate = datetime.combine(local.date() + timedelta(days=1), at, tzinfo=zone)
    return candidate


def quiet_hours_pause(rules: ModerationSettings, now: datetime) -> Pause | None:
    start, end = rules.quiet_hours_start, rules.quiet_hours_end
    if start is None or end is None or start == end:
        return None
    local = timezone.localtime(now, timezone.get_default_timezone())
    if not in_quiet_hours(start, end, local.time().replace(tzinfo=None)):
        return None
    return Pause(Pause.QUIET_HOURS, next_local_time(now, end))


@dataclass
class Signals:
    """What the form measured about how the review was sent."""

    honeypot_filled: bool = False
    seconds_to_send: float | None = None
    too_fast: bool = False


def count_links(text: str) -> int:
    return len(LINK_PATTERN.findall(text))


def link_host(link: str) -> str:
    """Return the host name of *link*, a match of ``LINK_PATTERN``, as written in the text."""
    authority = PATH_START.split(SCHEME.sub("", link), maxsplit=1)[0]
    host = authority.rpartition("@")[2].partition(":")[0]
    return TRAILING_PUNCTUATION.sub("", host)


def host_scripts(host: str) -> tuple[str, list[str]]:
    """Return *host* as people read it (punycode decoded) and its labels' mixed scripts.

    Each label is judged alone: ``пример.com`` is a Cyrillic name under a Latin domain,
    not a look-alike. An undecodable ``xn--`` label is left as written.
    """
    labels = []
    scripts: dict[str, None] = {}
    for label in LABEL_SEPARATORS.split(host):
        if label[:4].lower() == "xn--":
            with contextlib.suppress(UnicodeError):
                label = label[4:].encode("ascii").decode("punycode")
        labels.append(label)
        scripts.update(dict.fromkeys(mixed_scripts(label)))
    return ".".join(labels), list(scripts)


def lookalike_links(text: str) -> list[str]:
    """Return a warning for each link in *text* whose host name mixes alphabets."""
    warnings = []
    for host in dict.fromkeys(map(link_host, LINK_PATTERN.findall(text))):
        readable, scripts = host_scripts(host)
        if not scripts:
            continue
        names = get_text_list(scripts, _("and"))
        if readable == host:
            warning = _("Link with look-alike letters: %(host)s (%(scripts)s)") % {
                "host": host,
                "scripts": names,
            }
        else:
            warning = _("Link with look-alike letters: %(host)s (%(ascii)s; %(scripts)s)") % {
                "host": readable,
                "ascii": host,
                "scripts": names,
            }
        warnings.append(warning)
    return warnings


def find_words(words: list[str], text: str) -> list[str]:
    """Return the words or phrases of *words* that occur in *text* as whole words, any case."""
    found = []
    for word in words:
        if re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE):
            found.append(word)
    return found


class Moderator:
    """Apply the editors' moderation rules to a story and a new review."""

    def __init__(self, rules: ModerationSettings | None = None):
        self.rules = rules if rules is not None else ModerationSettings.load()

    def allow(self, article, *, now=None) -> bool:
        """Return whether *article* takes new reviews now (its own state and any pause)."""
        now = now or timezone.now()
        return self.story_open(article, now=now) and self.pause(now=now) is None

    def pause(self, *, now=None) -> Pause | None:
        """Return why reviews are paused on every story now, or None."""
        if self.rules.reviews_read_only:
            return Pause(Pause.READ_ONLY)
        return quiet_hours_pause(self.rules, now or timezone.now())

    def story_open(self, article, *, now=None) -> bool:
        """Return whether *article* itself takes reviews (switched on, not too old)."""
        if not article.allow_reviews:
            return False
        days = self.rules.close_after_days
        if not days:
            return True
        return (now or timezone.now()) < article.publish_at + timedelta(days=days)

    def closes_at(self, article):
        """Return when reviews close on *article* by age, or None if they never do."""
        if not self.rules.close_after_days:
            return None
        return article.publish_at + timedelta(days=self.rules.close_after_days)

    def spam_reasons(self, review: Review, signals: Signals) -> list[str]:
        reasons = []
        block = self.block_of(email=review.email, fingerprint=review.fingerprint)
        if block is not None:
            reasons.append(blocked_reviewer(block))
        text = f"{review.name}\n{review.body}"
        for word in find_words(self.rules.block_word_list, text):
            reasons.append(_("blocked word: %(word)s") % {"word": word})
        if signals.honeypot_filled:
            reasons.append(_("honeypot field filled in"))
        if signals.too_fast:
            reasons.append(
                _("sent %(seconds).0f s after the form was shown")
                % {"seconds": signals.seconds_to_send or 0}
            )
        return reasons

    def hold_reasons(self, review: Review) -> list[str]:
        reasons = []
        links = count_links(f"{review.name}\n{review.body}")
        if self.rules.link_threshold and links >= self.rules.link_threshold:
            reasons.append(ngettext("%(count)d link", "%(count)d links", links) % {"count": links})
        for word in find_words(self.rules.hold_word_list, f"{review.name}\n{review.body}"):
            reasons.append(_("held word: %(word)s") % {"word": word})
        reasons.extend(lookalike_links(f"{review.name}\n{review.body}"))
        return reasons

    @staticmethod
    def block_of(*, email: str = "", fingerprint: str = "") -> ReviewerBlock | None:
        """Return the active block of this reviewer or client, or None."""
        if not email and not fingerprint:
            return None
        return (
            ReviewerBlock.objects.active()
            .matching(email=email, fingerprint=fingerprint)
            .order_by("-expires_at")
            .first()
        )

    def needs_review(self, review: Review) -> bool:
        """Return whether a rule holds *review* for a moderator (links, hold words...)."""
        return bool(self.hold_reasons(review))

    def approved_before(self, review: Review) -> int:
        """Return how many approved reviews the author of *review* has, *review* not counted."""
        approved = Review.objects.approved().filter(email=review.email.lower())
        if review.pk is not None:
            approved = approved.exclude(pk=review.pk)
        return approved.count()

    def decide(self, review: Review, *, signals: Signals | None = None) -> Decision:
        """Return the status *review* starts with and the reasons the rules gave."""
        signals = signals or Signals()
        spam = self.spam_reasons(review, signals)
        if spam:
            return Decision(Review.Status.SPAM, spam)
        held = self.hold_reasons(review)
        known = self.approved_before(review) if review.email else 0
        if held:
            if known:
                held.append(known_reviewer(known))
            return Decision(Review.Status.PENDING, held)
        return self.by_record(known)

    def by_record(self, known: int) -> Decision:
        """Return the decision on a review no rule held, by its reviewer's *known* approved
        reviews: approved if the editors trust such a reviewer, else pending."""
        if known and self.rules.trusted_auto_approve:
            return Decision(
                Review.Status.APPROVED,
                [_("trusted reviewer: %(count)d approved") % {"count": known}],
            )
        if known:
            return Decision(Review.Status.PENDING, [known_reviewer(known)])
        return Decision(Review.Status.PENDING, [_("new reviewer")])

    def edit_stays_published(self, review: Review) -> bool:
        """Return whether a change to the published *review* that no rule holds keeps it
        published (the rules approve its reviewer), rather than sending it to the queue."""
        known = self.approved_before(review) if review.email else 0
        return self.by_record(known).status == Review.Status.APPROVED

    def decide_edit(self, review: Review, *, status: str) -> Decision:
        """Return the status *review*, edited by its author, goes on with (see the docstring).

        *status* is the one it had before the edit; *review* carries the new text.
        """
        edited = _("edited by its author")
        kept = [reason for reason in review.reasons if reason != edited]
        spam = self.spam_reasons(review, Signals())
        if spam:
            return Decision(Review.Status.SPAM, [edited, *spam])
        if status in (Review.Status.REJECTED, Review.Status.SPAM):
            # A verdict already given stands: an edit does not bring a review back to the queue.
            return Decision(status, [*kept, edited])
        held = self.hold_reasons(review)
        if held:
            return Decision(Review.Status.PENDING, [edited, *held])
        if status == Review.Status.APPROVED:
            # A new text is judged as a new review from this reviewer would be: published at
            # once only if the rules approve it (trusted auto-approval), else back to the queue.
            new = self.by_record(self.approved_before(review) if review.email else 0)
            if new.status == Review.Status.APPROVED:
                return Decision(Review.Status.APPROVED, [edited, *new.reasons])
            return Decision(Review.Status.PENDING, [edited_after_approval(), *new.reasons])
        return Decision(status, [*kept, edited])


def edited_after_approval() -> str:
    """Return the reason of a published review its author changed, back in the queue."""
    return _("edited after approval")


def blocked_reviewer(block: ReviewerBlock) -> str:
    return _("blocked reviewer: %(note)s") % {"note": block.note}


def reported(count: int) -> str:
    """Return the reason a review held by its readers' reports shows in the queue."""
    return _("reported %(count)d×") % {"count": count}


def known_reviewer(approved: int) -> str:
    return _("known reviewer: %(count)d approved") % {"count": approved}

"""Writes of the newsletter: sign-up, confirmation, preferences, unsubscribing, sends.

The views, the admin and the periodic jobs call these; the mail goes out from the worker
(``newsletters.tasks``) once the transaction that asked for it has committed.
"""

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.models import Article, Region, Rubric
from audit import log
from newsletters import sending, tasks
from newsletters.models import OptOut, Send, Subscriber


def _set_choices(subscriber: Subscriber, choices: dict) -> None:
    # The topics are rows of the form's language: the subscriber's language goes with them.
    subscriber.language = choices.get("language", subscriber.language)
    subscriber.frequency = choices["frequency"]
    subscriber.breaking = choices["breaking"]
    subscriber.everything = not (choices["regions"] or choices["rubrics"] or choices["authors"])
    subscriber.save()
    subscriber.regions.set(choices["regions"])
    subscriber.rubrics.set(choices["rubrics"])
    subscriber.authors.set(choices["authors"])


def subscriber_request(*, email: str, choices: dict) -> None:
    """Take a sign-up for *email*: a new or unconfirmed address gets a confirmation link.

    What the reader is told does not depend on the address (the view says the same to
    everyone), and neither does much here: a confirmed subscriber's choices are not changed
    by a form anyone could send for them (nor is their language); they are emailed a link to
    their preferences. A new or unconfirmed one takes the form's language (``choices``),
    the page's: its emails, their links and its digests' stories are in it.
    """
    if OptOut.covers(email):
        # Its owner asked never to be written to again: nothing is kept, nothing is sent.
        return
    with transaction.atomic():
        # get_or_create takes care of two requests creating the same address at once.
        subscriber, _created = Subscriber.objects.select_for_update().get_or_create(email=email)
        if subscriber.status == Subscriber.Status.UNCONFIRMED:
            # Nothing was ever sent on the earlier choices: the newest ones count.
            _set_choices(subscriber, choices)
        transaction.on_commit(lambda: tasks.send_signup_mail.enqueue(subscriber.pk))


def subscriber_confirm(*, subscriber: Subscriber) -> bool:
    """Confirm *subscriber*; return whether this did it (False when confirmed already)."""
    return bool(
        Subscriber.objects.filter(pk=subscriber.pk, status=Subscriber.Status.UNCONFIRMED).update(
            status=Subscriber.Status.CONFIRMED, confirmed_at=timezone.now()
        )
    )


def subscriber_update(*, subscriber: Subscriber, choices: dict) -> None:
    """Save a subscriber's new choices from their preferences page."""
    with transaction.atomic():
        _set_choices(subscriber, choices)


def subscriber_change_language(*, subscriber: Subscriber, language: str) -> list[str]:
    """Move *subscriber* to *language*: their emails, links and digests' stories.

    The regions and rubrics they follow become that language's versions; authors write in
    any language and stay. Return the names of those with no version in *language*, no longer
    followed (with nothing left, the subscriber gets every story, as one who ticked none).
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().get(pk=subscriber.pk)
        if subscriber.language == language:
            return []
        kept, dropped = {}, []
        for relation, model in (("regions", Region), ("rubrics", Rubric)):
            followed = list(getattr(subscriber, relation).all())
            versions = {
                row.translation_key: row
                for row in model.objects.in_language(language).filter(
                    translation_key__in=[topic.translation_key for topic in followed]
                )
            }
            kept[relation] = [
                versions[t.translation_key] for t in followed if t.translation_key in versions
            ]
            dropped += [topic.name for topic in followed if topic.translation_key not in versions]
        choices = {
            "frequency": subscriber.frequency,
            "breaking": subscriber.breaking,
            "authors": list(subscriber.authors.all()),
            "language": language,
            **kept,
        }
        _set_choices(subscriber, choices)
    return dropped


def subscriber_unsubscribe(*, subscriber_id: int) -> None:
    """Unsubscribe: the address and its choices are deleted; past sends' figures stay.

    An address that never confirmed was signed up by someone else, or by its owner who changed
    their mind: the confirmation email promises that it then gets nothing ever again, so its
    hash is kept to refuse later sign-ups (which would otherwise mail it once more). A
    subscriber who leaves may come back: they are only deleted.
    """
    with transaction.atomic():
        subscriber = Subscriber.objects.select_for_update().filter(pk=subscriber_id).first()
        if subscriber is None:
            return
        if subscriber.status == Subscriber.Status.UNCONFIRMED:
            OptOut.objects.get_or_create(email_hash=OptOut.hash_email(subscriber.email))
        subscriber.delete()


# -- Breaking-news alerts and stopping ---------------------------------------------------------


class AlertRefused(Exception):
    """The story cannot be sent as an alert (the message says why)."""


NOT_PUBLIC = _("Only a published story can be sent as a breaking-news alert.")
SENT_ALREADY = _("This story was sent as an alert already.")


def alert_send(*, article: Article, by) -> Send:
    """Send *article* to every subscriber who asked for breaking news; audited.

    Only a public story, and each story once.
    """
    if not Article.objects.published().filter(pk=article.pk).exists():
        raise AlertRefused(NOT_PUBLIC)
    try:
        with transaction.atomic():
            send = sending.start(kind=Send.Kind.ALERT, article=article, by=by)
            log.record(
                log.Action.NEWSLETTER_ALERT,
                actor=by,
                story=article,
                obj=send,
                details={"send": send.pk, "recipients": send.recipients},
            )
    except IntegrityError:
        raise AlertRefused(SENT_ALREADY) from None
    return send


def send_stop(*, send: Send, by) -> bool:
    """Stop a send where it is (an alert sent by mistake); audited. Return whether it was."""
    with transaction.atomic():
        stopped = sending.stop(
            send, note=gettext("Stopped by %(name)s.") % {"name": by.get_username()}
        )
        if stopped:
            send.refresh_from_db()
            log.record(
                log.Action.NEWSLETTER_STOPPED,
                actor=by,
                story_id=send.article_id,
                story_title=send.subject,
                obj=send,
                details={"send": send.pk, "delivered": send.delivered},
            )
    return stopped

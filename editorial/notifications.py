"""Email of the review workflow: editors hear of stories sent to review, authors of stories
sent back to them.

Both go to staff only (active, ``is_staff``, with an address), never to the person who did
it, and name the story by its title with a link to its admin page: no text of an unpublished
story leaves the newsroom's admin. A mail server that fails is logged; the change it tells of
is stored either way.
"""

import logging

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.mail import EmailMessage, get_connection
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from articles.models import Article
from editorial.models import StoryNote
from serving.origin import absolute_url
from serving.staff_mail import in_admin_languages

logger = logging.getLogger("newsroom.editorial")
PUBLISH_PERMISSION = ("articles", "publish_article")


def staff_with_email():
    return get_user_model().objects.filter(is_active=True, is_staff=True).exclude(email="")


def editor_emails(*, exclude_id: int | None = None) -> list[str]:
    """Return the addresses of the staff who may publish (and so review) stories."""
    app_label, codename = PUBLISH_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    who = Q(is_superuser=True)
    if permission is not None:
        who |= Q(groups__permissions=permission) | Q(user_permissions=permission)
    users = staff_with_email().filter(who).exclude(pk=exclude_id)
    return sorted(set(users.values_list("email", flat=True)))


def author_emails(article: Article, *, exclude_id: int | None = None) -> list[str]:
    """Return the addresses of *article*'s authors: who created it, and who it credits."""
    who = Q(author_profile__articles=article)
    if article.created_by_id is not None:
        who |= Q(pk=article.created_by_id)
    users = staff_with_email().filter(who).exclude(pk=exclude_id)
    return sorted(set(users.values_list("email", flat=True)))


def admin_url(article_id: int) -> str:
    return absolute_url(reverse("admin:articles_article_change", args=[article_id]))


def send(template: str, context: dict, recipients: list[str]) -> int:
    """Send one email per recipient (nobody sees the others' addresses); return how many.

    Each in the recipient's admin language (serving.staff_mail), activated here: the worker
    sends it, outside any page.
    """
    messages = [
        EmailMessage(subject, body, None, [address])
        for subject, body, addresses in in_admin_languages(template, context, recipients)
        for address in addresses
    ]
    return get_connection().send_messages(messages) or 0


def tell_editors_of_review(article_ids: list[int], by_id: int | None) -> int:
    """Email the editors about the stories of *article_ids* still in review; return how many
    emails went out."""
    stories = list(
        Article.objects.filter(pk__in=article_ids, status=Article.Status.REVIEW)
        .only("pk", "title")
        .order_by("title", "pk")
    )
    if not stories:
        return 0
    recipients = editor_emails(exclude_id=by_id)
    if not recipients:
        logger.warning("Stories %s wait for review, but no editor has an address.", article_ids)
        return 0
    by = get_user_model().objects.filter(pk=by_id).first() if by_id is not None else None
    context = {
        "stories": [(story, admin_url(story.pk)) for story in stories],
        "by": (by.get_full_name() or by.get_username()) if by is not None else "",
        "waiting": Article.objects.filter(status=Article.Status.REVIEW).count(),
        "dashboard_url": absolute_url(reverse("admin:index")),
    }
    try:
        return send("editorial/email/review_requested", context, recipients)
    except Exception:
        logger.exception("Could not email the editors about stories %s.", article_ids)
        return 0


def tell_authors_of_send_back(note_id: int) -> int:
    """Email the authors of a story sent back the editor's note; return how many emails went.

    Once per note: a task run twice (its worker died) finds the note emailed already.
    """
    note = (
        StoryNote.objects.sent_back()
        .filter(pk=note_id, emailed_at__isnull=True)
        .select_related("article")
        .first()
    )
    if note is None:
        return 0
    recipients = author_emails(note.article, exclude_id=note.author_id)
    if not recipients:
        logger.info("Story %s was sent back, but no author has an address.", note.article_id)
        return 0
    context = {
        "note": note,
        "article": note.article,
        "story_url": admin_url(note.article_id),
        "dashboard_url": absolute_url(reverse("admin:index")),
    }
    try:
        sent = send("editorial/email/sent_back", context, recipients)
    except Exception:
        logger.exception("Could not email the authors the send-back note %s.", note.pk)
        return 0
    StoryNote.objects.filter(pk=note.pk).update(emailed_at=timezone.now())
    return sent

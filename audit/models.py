"""The audit log's one table: entries are written once and never changed (``audit.log``)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    class Action(models.TextChoices):
        CREATED = "created", _("created")
        EDITED = "edited", _("edited")
        REVERTED = "reverted", _("reverted to an earlier version")
        SENT_TO_REVIEW = "sent_to_review", _("sent to review")
        PUBLISHED = "published", _("published")
        UNPUBLISHED = "unpublished", _("unpublished")
        SCHEDULED = "scheduled", _("scheduled")
        DELETED = "deleted", _("deleted")
        PREVIEW_CREATED = "preview_created", _("preview link created")
        PREVIEW_REVOKED = "preview_revoked", _("preview link revoked")
        REVIEW_APPROVED = "review_approved", _("review approved")
        REVIEW_REJECTED = "review_rejected", _("review rejected")
        REVIEW_SPAM = "review_spam", _("review marked spam")
        REVIEW_PENDING = "review_pending", _("review back in the queue")
        RULES_CHANGED = "rules_changed", _("moderation rules changed")
        API_KEY_CREATED = "api_key_created", _("API key created")
        API_KEY_REVOKED = "api_key_revoked", _("API key revoked")
        SENT_BACK = "sent_back", _("sent back to the author")
        NOTE_ADDED = "note_added", _("internal note added")
        EDIT_SCHEDULED = "edit_scheduled", _("edit scheduled")
        EDIT_APPLIED = "edit_applied", _("scheduled edit applied")
        EDIT_CANCELLED = "edit_cancelled", _("scheduled edit cancelled")
        # A story's corrections (articles.corrections): the entry names the correction.
        CORRECTION_ADDED = "correction_added", _("correction added")
        CORRECTION_EDITED = "correction_edited", _("correction edited")
        CORRECTION_REMOVED = "correction_removed", _("correction removed")
        # The team's accounts (accounts app): the entry names the account as its object.
        USER_INVITED = "user_invited", _("team member invited")
        USER_INVITED_AGAIN = "user_invited_again", _("invitation sent again")
        USER_ROLES_CHANGED = "user_roles_changed", _("roles changed")
        USER_DEACTIVATED = "user_deactivated", _("account deactivated")
        USER_REACTIVATED = "user_reactivated", _("account reactivated")
        INVITATION_ACCEPTED = "invitation_accepted", _("invitation accepted")
        PASSWORD_RESET = "password_reset", _("password reset by email")
        # Two-factor authentication (twofactor app): the entry names the account as its object.
        TWO_FACTOR_ENABLED = "2fa_enabled", _("two-factor authentication turned on")
        TWO_FACTOR_DISABLED = "2fa_disabled", _("two-factor authentication turned off")
        TWO_FACTOR_RESET = "2fa_reset", _("two-factor authentication reset by an administrator")
        BACKUP_CODES_CREATED = "2fa_backup_codes", _("new backup codes made")
        BACKUP_CODE_USED = "2fa_backup_code_used", _("logged in with a backup code")
        # Newsletters (newsletters app): the entry names the send as its object.
        NEWSLETTER_ALERT = "newsletter_alert", _("sent as a breaking-news alert")
        NEWSLETTER_STOPPED = "newsletter_stopped", _("newsletter send stopped")
        # Reviews as a conversation (reviews app): the entry names the review as its object.
        REVIEW_HELD = "review_held", _("review held automatically")
        REVIEW_REDACTED = "review_redacted", _("part of a review removed")
        REVIEW_EDITED = "review_edited", _("review edited by its author")
        REVIEW_WITHDRAWN = "review_withdrawn", _("review withdrawn by its author")
        REPORTS_CLEARED = "reports_cleared", _("reports on a review dismissed")
        REVIEWER_BLOCKED = "reviewer_blocked", _("reviewer blocked")
        REVIEWER_UNBLOCKED = "reviewer_unblocked", _("reviewer unblocked")
        # Readers' data (datarights app): the entry names the reader by a keyed hash of their
        # address ("reader 3f2a…"), never by the address.
        DATA_REQUESTED = "data_requested", _("reader's data link sent")
        DATA_LOOKED_UP = "data_looked_up", _("reader's data looked up")
        DATA_EXPORTED = "data_exported", _("reader's data downloaded")
        DATA_ERASED = "data_erased", _("reader's data erased")

    at = models.DateTimeField(_("at"), default=timezone.now)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as written, so the log still says who after an account is deleted or renamed.
    actor_name = models.CharField(_("by (name)"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=20, choices=Action.choices)
    # By the model's label, not an import: this app sits below the stories.
    story = models.ForeignKey(
        "articles.Article",
        verbose_name=_("story"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Kept as written, so the log still names a story after it is deleted or retitled.
    story_title = models.CharField(_("story title"), max_length=200, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ("-at", "-pk")
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        indexes = [
            models.Index(fields=["-at"], name="audit_at"),
            models.Index(fields=["story", "-at"], name="audit_story_at"),
            models.Index(fields=["actor", "-at"], name="audit_actor_at"),
            models.Index(fields=["action", "-at"], name="audit_action_at"),
        ]

    def __str__(self):
        who = self.actor_name or _("the system")
        what = self.object_repr or self.story_title
        return f"{who} {self.get_action_display()} {what}".strip()

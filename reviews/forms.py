import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models import Review, ReviewReport
from reviews.text import clean_text, comparison_key

TIMESTAMP_SALT = "reviews.form.timestamp"
REPORT_TIMESTAMP_SALT = "reviews.report.timestamp"
BAD_TIMESTAMP = _("We could not check this form. Please look over your review and send it again.")
# The newest earlier reviews of one reader on one story that a new one is compared with: a
# person sends a handful; the cap bounds the work for a script pacing itself under the rate
# limit.
DUPLICATE_CANDIDATES = 100


def sign_timestamp(article_pk: int, *, at: float | None = None) -> str:
    """Return the signed value of the form's hidden timestamp for a story."""
    return signing.dumps(
        {"story": article_pk, "at": round(time.time() if at is None else at, 3)},
        salt=TIMESTAMP_SALT,
        compress=False,
    )


def clean_body(field: forms.Field, value: str) -> str:
    """Return a review's text as stored (:func:`~reviews.text.clean_text`), within limits."""
    body = clean_text(value)
    if len(body) < 2:
        raise forms.ValidationError(_("Please write at least 2 characters."), code="min_length")
    # NFKC can lengthen a text: check the limit on what is stored.
    field.run_validators(body)
    return body


def sign_report_timestamp(review_pk: int, *, at: float | None = None) -> str:
    """Return the signed value of the report form's hidden timestamp for a review."""
    return signing.dumps(
        {"review": review_pk, "at": round(time.time() if at is None else at, 3)},
        salt=REPORT_TIMESTAMP_SALT,
        compress=False,
    )


class ReviewForm(forms.Form):
    """The "Leave a review" form, with its defences against scripts.

    ``website`` is a honeypot: hidden from people, tempting to scripts. ``timestamp`` carries
    the signed time the form was shown; a stale one asks the reader to send again, a too quick
    one marks the review as spam (silently, so a script learns nothing).

    The name and the review are kept as :func:`~reviews.text.clean_text` spells them, without
    invisible characters, so that what moderators read, what the rules check and what is
    published are the same text.
    """

    name = forms.CharField(label=_("Name"), max_length=80)
    email = forms.EmailField(
        label=_("Email"),
        max_length=254,
        help_text=_("Never shown on the site."),
    )
    body = forms.CharField(
        label=_("Your review"),
        min_length=2,
        max_length=3000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, 2 to 3,000 characters. Links are shown but not clickable."),
    )
    notify = forms.BooleanField(
        label=_("Email me when my review is published"),
        required=False,
        help_text=_(
            "We first send a link to confirm your address; nothing else is sent until you "
            "click it. Every email has a one-click unsubscribe."
        ),
    )
    notify_replies = forms.BooleanField(
        label=_("Email me when someone replies to my review"),
        required=False,
        help_text=_("Confirmed by the same link; one email per published reply."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    timestamp = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": BAD_TIMESTAMP}
    )

    error_messages = {
        "stale": _(
            "This form was open for a long time, so it expired. Your review is kept below: "
            "please send it again."
        ),
        "duplicate": _("You have already sent this review for this story."),
        "invisible_name": _(
            "Your name is made of characters that do not show on screen. Please type it "
            "with letters we can display."
        ),
    }

    def __init__(
        self, *args, article, fingerprint: str = "", parent: Review | None = None, **kwargs
    ):
        self.article = article
        self.fingerprint = fingerprint
        # A reply to *parent*: the same form and defences, worded for a reply.
        self.parent = parent
        kwargs.setdefault("auto_id", "review-%s")
        super().__init__(*args, **kwargs)
        if parent is not None:
            self.fields["body"].label = _("Your reply")
            self.fields["notify"].label = _("Email me when my reply is published")
            # Replies take no replies.
            del self.fields["notify_replies"]
        if not self.is_bound:
            self.initial["timestamp"] = sign_timestamp(article.pk)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.seconds_to_send: float | None = None
        self.too_fast = False

    def clean_name(self):
        name = clean_text(self.cleaned_data["name"], multiline=False)
        if not name:
            raise forms.ValidationError(self.error_messages["invisible_name"], code="required")
        # NFKC can lengthen a text ("ﷺ" becomes 18 characters): check the limit on what is stored.
        self.fields["name"].run_validators(name)
        return name

    def clean_email(self):
        # Stored in lower case so that "the same reviewer" is one indexed comparison.
        return self.cleaned_data["email"].lower()

    def clean_body(self):
        return clean_body(self.fields["body"], self.cleaned_data["body"])

    def clean_timestamp(self):
        value = self.cleaned_data["timestamp"]
        try:
            payload = signing.loads(
                value, salt=TIMESTAMP_SALT, max_age=settings.REVIEWS_FORM_MAX_AGE
            )
            if payload["story"] != self.article.pk:
                raise ValueError("signed for another story")
            shown_at = float(payload["at"])
        except signing.SignatureExpired:
            raise forms.ValidationError(self.error_messages["stale"], code="stale") from None
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(BAD_TIMESTAMP, code="bad_timestamp") from None
        self.seconds_to_send = max(0.0, time.time() - shown_at)
        self.too_fast = self.seconds_to_send < settings.REVIEWS_FORM_MIN_SECONDS
        return value

    def replace_timestamp(self):
        """Give the re-rendered form a fresh timestamp so that the next try can pass."""
        data = self.data.copy()
        data[self.add_prefix("timestamp")] = sign_timestamp(self.article.pk)
        self.data = data

    def clean(self):
        cleaned = super().clean()
        if self.has_error("timestamp"):
            # Stale, forged or missing: the form comes back with a fresh one for the next try.
            self.replace_timestamp()
        body = cleaned.get("body")
        if body and self.fingerprint and self.is_duplicate(body):
            self.add_error(
                "body", forms.ValidationError(self.error_messages["duplicate"], code="duplicate")
            )
        return cleaned

    def is_duplicate(self, body: str) -> bool:
        """Return whether this reader sent the same text to this story in the last day.

        "The same" by :func:`~reviews.text.comparison_key`: a zero-width space, another case
        or a doubled space does not make a new review. The key is computed here rather than
        in SQL, over the reader's few recent reviews of the story.
        """
        since = timezone.now() - timedelta(hours=24)
        earlier = (
            Review.objects.filter(
                article=self.article, fingerprint=self.fingerprint, created_at__gte=since
            )
            .order_by("-created_at")
            .values_list("body", flat=True)[:DUPLICATE_CANDIDATES]
        )
        key = comparison_key(body)
        return any(comparison_key(text) == key for text in earlier)

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @property
    def timestamp_errors(self):
        return self.errors.get("timestamp", [])


class ReviewEditForm(forms.Form):
    """The author's edit page: the text only (name and address stay as sent)."""

    body = forms.CharField(
        label=_("Your review"),
        min_length=2,
        max_length=3000,
        strip=True,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=_("Plain text, 2 to 3,000 characters. Links are shown but not clickable."),
    )

    def __init__(self, *args, review: Review, **kwargs):
        kwargs.setdefault("auto_id", "edit-%s")
        kwargs.setdefault("initial", {"body": review.body})
        super().__init__(*args, **kwargs)
        if review.parent_id:
            self.fields["body"].label = _("Your reply")

    def clean_body(self):
        return clean_body(self.fields["body"], self.cleaned_data["body"])


class ReportForm(forms.Form):
    """The "Report this review" form: a reason, details when it is "something else", and the
    review form's defences against scripts (a honeypot, a signed timestamp)."""

    reason = forms.ChoiceField(
        label=_("What is wrong with it?"),
        choices=ReviewReport.Reason.choices,
        widget=forms.RadioSelect,
    )
    text = forms.CharField(
        label=_("Details"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Needed for “Something else”; optional otherwise. At most 500 characters."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )
    timestamp = forms.CharField(
        widget=forms.HiddenInput, error_messages={"required": BAD_TIMESTAMP}
    )

    def __init__(self, *args, review: Review, **kwargs):
        self.review = review
        kwargs.setdefault("auto_id", "report-%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["timestamp"] = sign_report_timestamp(review.pk)
        self.too_fast = False

    def clean_text(self):
        return clean_text(self.cleaned_data["text"])

    def clean_timestamp(self):
        value = self.cleaned_data["timestamp"]
        try:
            payload = signing.loads(
                value, salt=REPORT_TIMESTAMP_SALT, max_age=settings.REVIEWS_FORM_MAX_AGE
            )
            if payload["review"] != self.review.pk:
                raise ValueError("signed for another review")
            shown_at = float(payload["at"])
        except signing.SignatureExpired:
            raise forms.ValidationError(
                _("This form was open for a long time, so it expired. Please send it again."),
                code="stale",
            ) from None
        except (signing.BadSignature, KeyError, TypeError, ValueError):
            raise forms.ValidationError(BAD_TIMESTAMP, code="bad_timestamp") from None
        self.too_fast = time.time() - shown_at < settings.REVIEWS_FORM_MIN_SECONDS
        return value

    def clean(self):
        cleaned = super().clean()
        if self.has_error("timestamp"):
            data = self.data.copy()
            data[self.add_prefix("timestamp")] = sign_report_timestamp(self.review.pk)
            self.data = data
        if cleaned.get("reason") == ReviewReport.Reason.OTHER and not cleaned.get("text"):
            self.add_error("text", _("Please say in a few words what is wrong with this review."))
        return cleaned

    @property
    def trapped(self) -> bool:
        """Return whether a script fell into the form's traps (honeypot, too quick)."""
        return bool(self.cleaned_data.get("website")) or self.too_fast

    @property
    def timestamp_errors(self):
        return self.errors.get("timestamp", [])


# -- The moderators' tools (reviews.admin, reviews.tools) --------------------------------------


class RedactForm(forms.Form):
    passage = forms.CharField(
        label=_("Passage to remove"),
        strip=False,
        max_length=3000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Copy the exact words from the review above. Every place they occur is replaced "
            "by “[removed by moderator]”; the text before stays visible to moderators only."
        ),
    )

    def __init__(self, *args, review: Review, **kwargs):
        self.review = review
        super().__init__(*args, **kwargs)

    def clean_passage(self):
        # A browser sends a textarea's line breaks as CRLF; the stored text has LF.
        passage = self.cleaned_data["passage"].replace("\r\n", "\n")
        if not passage.strip():
            raise forms.ValidationError(_("Give the passage to remove."), code="required")
        if passage not in self.review.body:
            raise forms.ValidationError(
                _(
                    "This passage is not in the review as written. Copy it again from the "
                    "text above, exactly (spaces and punctuation included)."
                ),
                code="not_found",
            )
        return passage


class BlockForm(forms.Form):
    DURATIONS = (
        (1, _("1 day")),
        (7, _("7 days")),
        (30, _("30 days")),
        (365, _("1 year")),
    )

    note = forms.CharField(
        label=_("Note"),
        max_length=200,
        help_text=_(
            "Internal, for moderators: shown beside each blocked review. The reader is not "
            'given it: "Your data" tells them only that their address is blocked, and until when.'
        ),
    )
    days = forms.TypedChoiceField(label=_("Block for"), choices=DURATIONS, coerce=int, initial=30)
    by_email = forms.BooleanField(label=_("Block their email address"), required=False)
    by_client = forms.BooleanField(
        label=_("Block their client (a hash of their network address)"),
        required=False,
        help_text=_("People sharing a network (an office, a mobile operator) share it too."),
    )

    def __init__(self, *args, review: Review, **kwargs):
        self.review = review
        kwargs.setdefault(
            "initial", {"by_email": bool(review.email), "by_client": bool(review.fingerprint)}
        )
        super().__init__(*args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        by_email = cleaned.get("by_email") and self.review.email
        by_client = cleaned.get("by_client") and self.review.fingerprint
        if not by_email and not by_client:
            raise forms.ValidationError(
                _("Tick the email address, the client, or both: a block needs one of them."),
                code="nobody",
            )
        return cleaned

    def expires_at(self):
        return timezone.now() + timedelta(days=self.cleaned_data["days"])

import re
import time
from datetime import timedelta

from django import forms
from django.conf import settings
from django.core import signing
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from reviews.models import Review

TIMESTAMP_SALT = "reviews.form.timestamp"
# C0 and C1 control characters and the bidirectional overrides that can disguise text; tab and
# newline are kept in the body, where readers use them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
LINE_BREAKS = re.compile(r"\r\n?|[\u2028\u2029]")
BAD_TIMESTAMP = _("We could not check this form. Please look over your review and send it again.")


def strip_controls(text: str, *, keep_lines: bool) -> str:
    text = LINE_BREAKS.sub("\n", text)
    if not keep_lines:
        text = text.replace("\n", " ").replace("\t", " ")
    return CONTROL_CHARACTERS.sub("", text)


def sign_timestamp(article_pk: int, *, at: float | None = None) -> str:
    """Return the signed value of the form's hidden timestamp for a story."""
    return signing.dumps(
        {"story": article_pk, "at": round(time.time() if at is None else at, 3)},
        salt=TIMESTAMP_SALT,
        compress=False,
    )


class ReviewForm(forms.Form):
    """The "Leave a review" form, with its defences against scripts.

    ``website`` is a honeypot: hidden from people, tempting to scripts. ``timestamp`` carries
    the signed time the form was shown; a stale one asks the reader to send again, a too quick
    one marks the review as spam (silently, so a script learns nothing).
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
    }

    def __init__(self, *args, article, fingerprint: str = "", **kwargs):
        self.article = article
        self.fingerprint = fingerprint
        kwargs.setdefault("auto_id", "review-%s")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["timestamp"] = sign_timestamp(article.pk)
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.seconds_to_send: float | None = None
        self.too_fast = False

    def clean_name(self):
        name = strip_controls(self.cleaned_data["name"], keep_lines=False).strip()
        if not name:
            raise forms.ValidationError(self.fields["name"].error_messages["required"])
        return name

    def clean_email(self):
        # Stored in lower case so that "the same reviewer" is one indexed comparison.
        return self.cleaned_data["email"].lower()

    def clean_body(self):
        body = strip_controls(self.cleaned_data["body"], keep_lines=True).strip()
        if len(body) < 2:
            raise forms.ValidationError(_("Please write at least 2 characters."), code="min_length")
        return body

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
        since = timezone.now() - timedelta(hours=24)
        return Review.objects.filter(
            article=self.article,
            fingerprint=self.fingerprint,
            created_at__gte=since,
            body=body,
        ).exists()

    @property
    def honeypot_filled(self) -> bool:
        return bool(self.cleaned_data.get("website"))

    @property
    def timestamp_errors(self):
        return self.errors.get("timestamp", [])

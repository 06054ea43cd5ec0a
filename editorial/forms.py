"""Forms of the review workflow on the story's change page: an internal note, a send-back."""

from django import forms
from django.utils.translation import gettext_lazy as _

from editorial.models import NOTE_MAX_LENGTH


class StoryNoteForm(forms.Form):
    text = forms.CharField(
        label=_("Internal note"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}),
        help_text=_("For the staff working on this story. Readers never see it."),
        error_messages={"required": _("Write the note first: it is empty.")},
    )


class SendBackForm(forms.Form):
    text = forms.CharField(
        label=_("Note to the author"),
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5, "cols": 60}),
        help_text=_(
            "What to change before the story can go out. The authors see it on the story and "
            "get it by email; the story becomes a draft again."
        ),
        error_messages={
            "required": _("Say what the author should change: a story is sent back with a note.")
        },
    )

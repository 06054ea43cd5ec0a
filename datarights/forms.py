from django import forms
from django.utils.translation import gettext_lazy as _

from datarights.inventory import normalise


class AddressForm(forms.Form):
    """The one field of "Your data", and of the moderators' page."""

    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _("Enter the email address you gave us."),
            "invalid": _("This does not look like an email address: check it and send again."),
        },
    )

    def __init__(self, *args, label=None, **kwargs):
        super().__init__(*args, **kwargs)
        if label is not None:
            self.fields["email"].label = label
        self.fields["email"].widget.attrs["autocomplete"] = "email"

    def clean_email(self):
        return normalise(self.cleaned_data["email"])

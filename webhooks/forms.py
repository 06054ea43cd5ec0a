from django import forms
from django.utils.translation import gettext_lazy as _

from webhooks import network
from webhooks.models import SUBSCRIBABLE, Endpoint


class EndpointForm(forms.ModelForm):
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=[(event_type.value, event_type.label) for event_type in SUBSCRIBABLE],
        widget=forms.CheckboxSelectMultiple,
        help_text=_("What this endpoint is sent. A test event can be sent to it at any time."),
    )

    class Meta:
        model = Endpoint
        fields = ("url", "description", "events", "active")

    def clean_url(self):
        """Refuse a URL that does not lead to the public internet (see webhooks.network)."""
        url = self.cleaned_data["url"].strip()
        if self.instance.pk is not None and url == self.instance.url:
            # Unchanged, so checked before; every attempt checks it again anyway. An endpoint
            # whose name no longer resolves can still be described or switched off.
            return url
        try:
            network.vet(url)
        except network.Refused as refused:
            raise forms.ValidationError(str(refused), code="refused") from None
        return url

"""The sign-up form (the footer's, the list pages' and the sign-up page's) and preferences."""

import re

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from articles.models import Author, Region, Rubric, in_public_use
from newsletters.models import Subscriber
from serving.languages import language_codes, language_name

SLUG = re.compile(r"[-\w]{1,200}")


class TopicsField(forms.ModelMultipleChoiceField):
    """Regions, rubrics or authors chosen by slug, shown as checkboxes."""

    widget = forms.CheckboxSelectMultiple

    def __init__(self, queryset, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(queryset, to_field_name="slug", **kwargs)

    def clean(self, value):
        # The footer's menu sends "" for "Everything".
        if isinstance(value, list | tuple):
            value = [item for item in value if item]
            for item in value:
                if not is_slug(item):
                    # Not even worth asking the database (which refuses a NUL byte, say).
                    raise forms.ValidationError(
                        self.error_messages["invalid_choice"],
                        code="invalid_choice",
                        params={"value": item[:100]},
                    )
        return super().clean(value)


def is_slug(value) -> bool:
    """Return whether *value* could be a region's, rubric's or author's slug."""
    return isinstance(value, str) and SLUG.fullmatch(value) is not None


class TopicsForm(forms.Form):
    """What a reader gets: everything, or the stories of chosen regions, rubrics and authors.

    Regions and rubrics are rows of one language (a slug names one row in each): the
    *language* of the page signed up on, or of the subscriber. Authors write in any.
    """

    frequency = forms.ChoiceField(
        label=_("How often"),
        choices=Subscriber.Frequency.choices,
        initial=Subscriber.Frequency.WEEKLY,
        widget=forms.RadioSelect,
        # A form that does not ask (a list page's box, say) gets the weekly digest.
        required=False,
    )
    region = TopicsField(Region.objects.none(), label=_("Regions"))
    rubric = TopicsField(Rubric.objects.none(), label=_("Rubrics"))
    author = TopicsField(Author.objects.none(), label=_("Authors"))
    breaking = forms.BooleanField(
        label=_("Also email me breaking news as it happens"),
        required=False,
    )

    def __init__(self, *args, language: str | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.language = language or translation.get_language()
        self.fields["region"].queryset = Region.objects.in_language(self.language)
        self.fields["rubric"].queryset = Rubric.objects.in_language(self.language)
        # Authors have no public existence before their first public story.
        self.fields["author"].queryset = in_public_use(Author.objects.all(), "authors")
        self.fields["author"].label_from_instance = lambda author: str(
            author.in_language(self.language)
        )

    def clean_frequency(self) -> str:
        return self.cleaned_data["frequency"] or Subscriber.Frequency.WEEKLY

    @property
    def topic_fields(self):
        return [self["region"], self["rubric"], self["author"]]

    def choices(self) -> dict:
        """Return the cleaned choices as ``subscriber_request()`` and friends take them."""
        data = self.cleaned_data
        return {
            "frequency": data["frequency"],
            "breaking": data["breaking"],
            "regions": list(data["region"]),
            "rubrics": list(data["rubric"]),
            "authors": list(data["author"]),
            "language": self.language,
        }


class SubscribeForm(TopicsForm):
    email = forms.EmailField(
        label=_("Your email address"),
        max_length=254,
        error_messages={
            "required": _("Please type your email address."),
            "invalid": _(
                "This does not look like an email address. Please check it: it should look "
                "like name@example.org."
            ),
        },
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )

    field_order = ("email", "frequency", "region", "rubric", "author", "breaking")

    def clean_email(self) -> str:
        # One address, one subscriber, however it was typed.
        return self.cleaned_data["email"].strip().lower()


class PreferencesForm(TopicsForm):
    """The preferences page: the same choices, for a confirmed subscriber."""

    @classmethod
    def for_subscriber(cls, subscriber: Subscriber, data=None) -> "PreferencesForm":
        """Return the form of *subscriber*'s choices, with their language's topics."""
        initial = {
            "frequency": subscriber.frequency,
            "breaking": subscriber.breaking,
            "region": [region.slug for region in subscriber.regions.all()],
            "rubric": [rubric.slug for rubric in subscriber.rubrics.all()],
            "author": [author.slug for author in subscriber.authors.all()],
        }
        return cls(data, initial=initial, language=subscriber.language)


class LanguageForm(forms.Form):
    """The preferences page's other form: the language of a subscriber's emails."""

    language = forms.ChoiceField(label=_("Emails in"), choices=(), widget=forms.RadioSelect)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [(code, language_name(code)) for code in language_codes()]
        self.fields["language"].error_messages["invalid_choice"] = _(
            "Choose one of the languages offered."
        )

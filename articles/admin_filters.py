"""An admin list filter by story, for the lists about stories elsewhere (the review queue).

Apart from ``articles.admin`` so that another app's admin can use it without importing (and so
registering) the story admin.
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from articles.models import Article


def is_story_id(value: str | None) -> bool:
    # isdecimal(), not isdigit(): "²" is a digit that int() refuses, which the lookup would
    # raise as a server error.
    return bool(value) and value.isdecimal()


class StoryListFilter(admin.SimpleListFilter):
    """Filter by story: a short list of likely stories, or any story by ``?<parameter>=<id>``.

    A plain related filter would offer every story of the site. Subclasses set
    ``parameter_name`` and ``story_field`` (the lookup of the story's id) and return the
    stories to offer from ``story_choices()``; a story chosen through a link (the story
    columns link here) joins them, so the sidebar shows what the list is filtered by.
    """

    title = _("story")
    story_field = ""

    def story_choices(self) -> list[tuple[str, str]]:
        """Return the stories to offer, as ``(str(pk), label)``."""
        raise NotImplementedError

    def story_label(self, title: str) -> str:
        return title

    def lookups(self, request, model_admin):
        choices = self.story_choices()
        selected = self.value()
        if is_story_id(selected) and selected not in {pk for pk, _label in choices}:
            title = Article.objects.filter(pk=selected).values_list("title", flat=True).first()
            if title is not None:
                choices.insert(0, (selected, self.story_label(title)))
        return choices

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        if not is_story_id(value):
            return queryset.none()
        return queryset.filter(**{self.story_field: value})

"""Never lose an edit: optimistic concurrency for the story form, and what changed meanwhile.

The change form carries two hidden values from the moment it was opened: the story's
``version`` (``Article.version``, moved on by every write) and the newest history version
(django-simple-history, ``articles.history``). On save, :class:`VersionCheckFormMixin` locks
the story row and compares versions. If someone saved in between, the save is refused with a
message, everything typed stays in the form, and :func:`changes_since` lists field by field
what the other person changed, from the version this editor opened to the story as stored
now. The refused form then carries the current version, so saving again is a deliberate
choice to replace the other person's text.

The row lock (``SELECT … FOR UPDATE`` on PostgreSQL; SQLite's write transactions are
serial) holds from the check to the save inside the admin's transaction, so two editors
pressing Save at the same moment cannot both pass.
"""

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field

from django import forms
from django.db import connection
from django.utils import formats, timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from articles.history import relations_snapshot
from articles.models import Article

TEXT_FIELDS = {"title", "teaser", "body"}
BLOCK_END = re.compile(r"</(?:p|h[1-6]|li|blockquote|tr|table|ul|ol)>|<br\s*/?>|<hr\s*/?>", re.I)
WORDS = re.compile(r"\s+|[^\s]+")

STALE_MESSAGE = _(
    "%(who)s saved this story at %(when)s, after you opened it. Your changes were not saved "
    "and are kept below; what they changed is listed above the form. Copy anything of theirs "
    "you want to keep into your version, then save again: your version will replace theirs."
)


@dataclass
class FieldChange:
    label: str
    before: str
    after: str
    # For text: [(op, text)] with op "equal", "delete" or "insert".
    segments: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Conflict:
    who: str
    when: object
    changes: list[FieldChange]
    # False when the version the editor opened is not in the history (a diff is impossible).
    complete: bool = True


def body_text(html: str) -> str:
    """Return the readable text of story HTML, one block per line."""
    text = BLOCK_END.sub(lambda match: match.group(0) + "\n", html or "")
    lines = (" ".join(strip_tags(line).split()) for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def word_diff(before: str, after: str) -> list[tuple[str, str]]:
    """Return *before* → *after* as word-level segments ("equal", "delete", "insert")."""
    old, new = WORDS.findall(before), WORDS.findall(after)
    segments = []
    matcher = difflib.SequenceMatcher(None, old, new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            segments.append(("equal", "".join(old[i1:i2])))
            continue
        if op in ("delete", "replace"):
            segments.append(("delete", "".join(old[i1:i2])))
        if op in ("insert", "replace"):
            segments.append(("insert", "".join(new[j1:j2])))
    return segments


def display_value(article_or_version, name: str) -> str:
    """Return a field of a story (or a history version) as an editor reads it."""
    value = getattr(article_or_version, name)
    if name == "body":
        return body_text(value)
    if name == "status":
        return str(Article.Status(value).label) if value else ""
    if name in ("publish_at", "revised_at"):
        return formats.date_format(timezone.localtime(value), "DATETIME_FORMAT") if value else ""
    if name in ("featured", "allow_reviews"):
        return gettext("yes") if value else gettext("no")
    if name in ("rubric", "region", "lead_image"):
        related = getattr(article_or_version, name, None)
        return str(related) if related is not None else ""
    return "" if value is None else str(value)


def changes_since(article, version, fields: Iterable[str]) -> list[FieldChange]:
    """Return what differs between the history *version* an editor opened and *article* now.

    *fields* are the names of the story form's fields, in its order: the columns among them
    are compared one by one, then authors and tags (many-to-many, so kept in the history as
    snapshots). Columns the form does not show (derived ones) are left out.
    """
    changes = []
    opts = type(article)._meta
    # Only what versions record (history.TRACKED_FIELDS): a story's language, say, is set when
    # it is added and refused as a change once it has translations.
    recorded = {column.name for column in version._meta.fields}
    columns = {column.name for column in opts.fields} & recorded
    for name in fields:
        if name not in columns:
            continue
        before, after = display_value(version, name), display_value(article, name)
        if before == after:
            continue
        label = str(opts.get_field(name).verbose_name).capitalize()
        segments = word_diff(before, after) if name in TEXT_FIELDS else []
        changes.append(FieldChange(label, before, after, segments))
    now = relations_snapshot(article)
    authors_before = version.author_names()
    authors_after = ", ".join(entry["name"] for entry in now["authors_snapshot"])
    if authors_before != authors_after:
        changes.append(FieldChange(gettext("Authors"), authors_before, authors_after))
    if (version.tags_snapshot or "") != now["tags_snapshot"]:
        changes.append(FieldChange(gettext("Tags"), version.tags_snapshot, now["tags_snapshot"]))
    return changes


def latest_version_id(article) -> int | None:
    return (
        type(article)
        .history.filter(id=article.pk)
        .order_by("-history_date", "-history_id")
        .values_list("history_id", flat=True)
        .first()
    )


class VersionCheckFormMixin(forms.Form):
    """Refuse to save a story that changed since the form was opened (see the module doc).

    Forms without the hidden fields (the history page's revert form, scripts) are not checked:
    the check protects people editing side by side, and a revert is a deliberate overwrite.
    """

    loaded_version = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)
    loaded_history = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=0)

    conflict: Conflict | None = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.instance.pk is not None:
            self.initial["loaded_version"] = self.instance.version
            self.initial["loaded_history"] = latest_version_id(self.instance)

    def clean(self):
        cleaned_data = super().clean()
        loaded = cleaned_data.get("loaded_version")
        if self.instance.pk is None or loaded is None:
            return cleaned_data
        rows = type(self.instance).objects.filter(pk=self.instance.pk)
        if connection.in_atomic_block:
            # Held until the admin's transaction ends, so no save slips in after this check.
            rows = rows.select_for_update()
        current = rows.values_list("version", flat=True).first()
        if current is None or current == loaded:
            return cleaned_data
        self.conflict = self.describe_conflict(cleaned_data.get("loaded_history"))
        self.add_error(
            None,
            forms.ValidationError(
                STALE_MESSAGE,
                code="stale",
                params={
                    "who": self.conflict.who,
                    "when": formats.date_format(
                        timezone.localtime(self.conflict.when), "DATETIME_FORMAT"
                    ),
                },
            ),
        )
        # The next save is a deliberate overwrite of what the editor has now seen.
        data = self.data.copy()
        data[self.add_prefix("loaded_version")] = current
        data[self.add_prefix("loaded_history")] = latest_version_id(self.instance) or ""
        self.data = data
        return cleaned_data

    def describe_conflict(self, loaded_history: int | None) -> Conflict:
        article = type(self.instance).objects.get(pk=self.instance.pk)
        history = type(article).history.filter(id=article.pk).select_related("history_user")
        latest = history.order_by("-history_date", "-history_id").first()
        if latest is not None and latest.history_user is not None:
            who = latest.history_user.get_username()
        else:
            who = gettext("Someone")
        when = latest.history_date if latest is not None else article.updated_at
        opened = history.filter(history_id=loaded_history).first() if loaded_history else None
        if opened is None:
            return Conflict(who, when, [], complete=False)
        return Conflict(who, when, changes_since(article, opened, self.fields))

"""Find an email address anywhere in the database: every text-like column of every model."""

from django.apps import apps
from django.db import models

TEXT_FIELDS = (models.CharField, models.TextField, models.JSONField)


def rows_holding(text: str) -> list[str]:
    """Return "app.model.field #pk" for every row whose text, email or JSON column holds *text*.

    Over ``apps.get_models()``, so a table added later is scanned too. EmailField and
    SlugField are CharFields; JSON is searched as its stored text, case-insensitively.
    """
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model._meta.proxy or not model._meta.managed:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, TEXT_FIELDS):
                continue
            rows = model._base_manager.filter(**{f"{field.attname}__icontains": text})
            found += [
                f"{model._meta.label_lower}.{field.name} #{pk}"
                for pk in rows.values_list("pk", flat=True)
            ]
    return found

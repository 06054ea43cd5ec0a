"""Bring the Privacy page up to this release: "Your data", retention, replies and reports.

Only a page whose text is still the one ``0003_privacy_page`` created (read from that
migration itself, so whatever text it ships) gets the new one (``pages.privacy``): an
editor's own words are theirs. Reversing leaves the page as it is (the earlier text
described less than the code now does).
"""

from importlib import import_module

from django.db import migrations

from pages.privacy import update_unchanged


def forwards(apps, schema_editor):
    created = import_module("pages.migrations.0003_privacy_page")
    update_unchanged(
        apps.get_model("pages", "Page"),
        schema_editor.connection.alias,
        earlier=[created.privacy_body()],
        slug=created.SLUG,
    )


class Migration(migrations.Migration):
    dependencies = [("pages", "0003_privacy_page")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

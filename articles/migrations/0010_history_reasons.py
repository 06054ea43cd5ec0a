from django.db import migrations

# Versions saved without a reason held NULL, which the History page printed as "None";
# articles.history now stores "" for them, and this gives older versions the same.


def blank_missing_reasons(apps, schema_editor):
    versions = apps.get_model("articles", "HistoricalArticle")
    versions.objects.filter(history_change_reason__isnull=True).update(history_change_reason="")


class Migration(migrations.Migration):
    dependencies = [("articles", "0009_search_words")]

    operations = [migrations.RunPython(blank_missing_reasons, migrations.RunPython.noop)]

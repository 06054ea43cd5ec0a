"""Give each picture its alt text and caption in the site's other languages (Image.texts)."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0002_roles"),
        # After the stories' migrations of the time: undoing every migration, articles 0012
        # reads pictures through a model that must not have this column yet.
        ("articles", "0024_search_languages"),
    ]

    operations = [
        migrations.AddField(
            model_name="image",
            name="texts",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="in other languages"
            ),
        ),
    ]

"""Story versions for the admin's History page (django-simple-history, see articles/history.py).

The chain of article migrations is fixed: 0002_roles, 0003_history (this), 0004_search.
"""

import django.db.models.deletion
import django.utils.timezone
import simple_history.models
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('articles', '0002_roles'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='HistoricalArticle',
            fields=[
                ('id', models.BigIntegerField(auto_created=True, blank=True, db_index=True, verbose_name='ID')),
                ('title', models.CharField(max_length=200, verbose_name='title')),
                ('slug', models.SlugField(help_text="The story's address: /articles/<slug>/.", max_length=200, verbose_name='slug')),
                ('teaser', models.TextField(help_text='One plain-text paragraph shown in lists, feeds and search (≤ 300 characters).', max_length=300, verbose_name='teaser')),
                ('body', models.TextField(blank=True, verbose_name='body')),
                ('lead_image', models.TextField(blank=True, max_length=100, verbose_name='lead image')),
                ('lead_image_width', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('lead_image_height', models.PositiveIntegerField(blank=True, editable=False, null=True)),
                ('lead_image_alt', models.CharField(blank=True, help_text='Describe the picture for readers who cannot see it. Required with an image.', max_length=250, verbose_name='image alt text')),
                ('lead_image_caption', models.CharField(blank=True, max_length=300, verbose_name='image caption')),
                ('lead_image_credit', models.CharField(blank=True, max_length=150, verbose_name='image credit')),
                ('lead_image_renditions', models.JSONField(blank=True, default=dict, editable=False)),
                ('status', models.CharField(choices=[('draft', 'Draft'), ('review', 'In review'), ('published', 'Published')], db_index=True, default='draft', max_length=10, verbose_name='status')),
                ('publish_at', models.DateTimeField(db_index=True, default=django.utils.timezone.now, help_text='A future time schedules a published story: it appears by itself then.', verbose_name='publish at')),
                ('revised_at', models.DateTimeField(blank=True, help_text="Set when the story is substantially updated; readers see 'Updated'.", null=True, verbose_name='updated at (shown)')),
                ('correction_note', models.TextField(blank=True, help_text='Shown to readers at the top of the story, e.g. what was corrected.', verbose_name='correction or update note')),
                ('featured', models.BooleanField(default=False, verbose_name='featured')),
                ('allow_reviews', models.BooleanField(default=True, verbose_name='reviews open')),
                ('created_at', models.DateTimeField(blank=True, editable=False, verbose_name='created at')),
                ('authors_snapshot', models.JSONField(blank=True, default=list, verbose_name='authors')),
                ('tags_snapshot', models.TextField(blank=True, verbose_name='tags')),
                ('history_id', models.AutoField(primary_key=True, serialize=False)),
                ('history_date', models.DateTimeField(db_index=True)),
                ('history_change_reason', models.CharField(max_length=100, null=True)),
                ('history_type', models.CharField(choices=[('+', 'Created'), ('~', 'Changed'), ('-', 'Deleted')], max_length=1)),
                ('created_by', models.ForeignKey(blank=True, db_constraint=False, editable=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='created by')),
                ('history_user', models.ForeignKey(null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL)),
                ('region', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.region', verbose_name='region')),
                ('rubric', models.ForeignKey(blank=True, db_constraint=False, null=True, on_delete=django.db.models.deletion.DO_NOTHING, related_name='+', to='articles.rubric', verbose_name='rubric')),
            ],
            options={
                'verbose_name': 'story version',
                'verbose_name_plural': 'story versions',
                'ordering': ('-history_date', '-history_id'),
                'get_latest_by': ('history_date', 'history_id'),
            },
            bases=(simple_history.models.HistoricalChanges, models.Model),
        ),
    ]

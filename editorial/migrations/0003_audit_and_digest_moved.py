"""The audit log and the digest's state now belong to the audit and reviews apps.

Their tables were renamed there (audit 0001, reviews 0005); this only takes them out of this
app's state.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("editorial", "0002_roles"),
        ("audit", "0001_initial"),
        ("reviews", "0005_moderationdigeststate"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEntry"),
                migrations.DeleteModel(name="ModerationDigestState"),
            ],
        ),
    ]

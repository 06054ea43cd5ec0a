"""The newsroom's roles: the groups an administrator may give and take away.

Each is made by a data migration that says what it may do: Authors, Editors
(``articles/migrations/0002_roles.py``, with more rights from the images, embeds, reviews and
webhooks migrations), Moderators (``reviews/migrations/0002_rules_and_roles.py``) and
Administrators (``accounts/migrations/0001_administrators.py``). Any other group is a
superuser's to manage: administrators neither see it offered nor can they take it away.
"""

from django.contrib.auth.models import Group

ADMINISTRATORS = "Administrators"
ROLES = ("Authors", "Editors", "Moderators", ADMINISTRATORS)


def role_groups():
    """Return the groups that are newsroom roles, by name."""
    return Group.objects.filter(name__in=ROLES).order_by("name")


def has_rights_beyond_roles(user) -> bool:
    """Return whether *user* has rights no role gives: superuser, another group, single ones."""
    return (
        user.is_superuser
        or user.user_permissions.exists()
        or user.groups.exclude(name__in=ROLES).exists()
    )

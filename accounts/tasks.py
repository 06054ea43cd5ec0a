"""Background work for the team's accounts, run by django-tasks (``manage.py worker``).

Each task is the entry point of a piece of mail; the work lives in ``accounts.mail``. A task
may run twice if its worker dies mid-way: a second invitation or reset link does no harm.
"""

from django_tasks import task

from accounts import mail


@task()
def send_invitation(user_id: int, inviter: str = "") -> bool:
    """Email an invited person the link that sets their first password."""
    return mail.send_invitation(user_id, inviter)


@task()
def send_password_reset(email: str) -> int:
    """Email a reset link to the accounts of *email*, if any: the form never says."""
    return mail.send_password_resets(email)

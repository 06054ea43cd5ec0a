"""Background work of the newsletter, run by ``manage.py worker`` (django-tasks).

The sign-up email, and the periodic jobs registered in ``NewslettersConfig.ready()``:
starting the digests when due, resuming stalled sends, forgetting unconfirmed sign-ups,
pruning old delivery rows. The batches of a send are tasks too, queued one after the other
by ``newsletters.sending``, where they live. Each task may run twice (a worker killed
mid-way): each checks what was already done.
"""

from django_tasks import task

from newsletters import mail, schedule, sending


# Readers wait for this one, with the page still open: before digests' batches.
@task(priority=10)
def send_signup_mail(subscriber_id: int) -> bool:
    """Email a new sign-up its confirmation link (or a confirmed one its preferences link)."""
    return mail.send_signup_mail(subscriber_id)


@task()
def start_due_digests() -> list[int]:
    """Start the daily and weekly digests whose time has come; return the sends' ids."""
    return [send.pk for send in schedule.digest_schedule_due()]


@task()
def resume_stalled_sends() -> int:
    """Queue again the sends whose batches stopped showing progress."""
    return sending.resume_stalled()


@task()
def forget_unconfirmed_subscribers() -> int:
    """Delete sign-ups that were not confirmed in time."""
    return schedule.forget_unconfirmed()


@task()
def prune_deliveries() -> int:
    """Delete old delivery rows; each send keeps its figures."""
    return schedule.prune_deliveries()

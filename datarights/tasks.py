"""Background work of "Your data", run by ``manage.py worker`` (django-tasks).

The email with the link, and the periodic jobs registered in ``DatarightsConfig.ready()``.
Each may run twice (a worker killed mid-way): each checks what was already done.
"""

from django_tasks import task

from datarights import mail, retention


# A reader waits for this one, with the page still open: before digests' batches.
@task(priority=10)
def send_data_link(request_id: int) -> bool:
    """Email the link to a reader's data, if anything is held for the address."""
    return mail.data_link_send(request_id)


@task()
def erase_old_fingerprints() -> dict[str, int]:
    """Blank client fingerprints and user agents older than the retention period."""
    return retention.erase_old_fingerprints()


@task()
def forget_expired_requests() -> int:
    """Delete requests whose link expired, and their addresses."""
    return retention.forget_expired_requests()

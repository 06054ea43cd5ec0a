"""The one email of "Your data": a link to what we hold, sent by the worker.

It holds none of the data itself (an email can be forwarded, or read over a shoulder) and the
link is built on the site's one configured origin (``serving.origin``), never on a request's
host name. Only an address we hold something for gets it.
"""

import logging

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import timezone, translation

from audit import log
from datarights import limits, links
from datarights.inventory import inventory_for, record
from datarights.models import DataRequest

logger = logging.getLogger("newsroom.datarights")


def send_link(data_request: DataRequest) -> bool:
    """Email the link to *data_request*'s address; return whether the mail server took it.

    In the language the request was made in, with the link under its prefix: the worker's
    own language is the default, whatever page the reader used.
    """
    with translation.override(data_request.language):
        context = {
            "url": links.url(data_request),
            "minutes": int(links.MAX_AGE.total_seconds() // 60),
            "site_name": settings.NEWSROOM_SITE_NAME,
        }
        subject = " ".join(render_to_string("datarights/email/link_subject.txt", context).split())
        body = render_to_string("datarights/email/link.txt", context)
    # Transactional mail: no out-of-office replies, please.
    message = EmailMessage(
        subject, body, to=[data_request.email], headers={"Auto-Submitted": "auto-generated"}
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not send the data link of %s.", data_request)
        return False
    return True


def data_link_send(request_id: int) -> bool:
    """Email the link of request *request_id* if anything is held for its address.

    An address with nothing held (or only its "never send anything again", which a stranger
    typing it in must not override), or that got a link minutes ago (``datarights.limits``), gets
    nothing, and its request is deleted at once: the address is not kept. Return whether a
    link was sent.
    """
    now = timezone.now()
    data_request = (
        DataRequest.objects.filter(pk=request_id, link_sent_at__isnull=True)
        .exclude(pk__in=DataRequest.objects.expired(before=now - links.MAX_AGE).values("pk"))
        .first()
    )
    if data_request is None:
        return False  # sent already (a task run twice), or too old to be worth sending
    if not limits.address_may_get_email(data_request.email, now=now):
        # Its link of a few minutes ago still works: the owner has what they need.
        logger.warning("Data link for %s not sent: one was sent minutes ago.", data_request)
        data_request.delete()
        return False
    inventory = inventory_for(data_request.email)
    if not inventory.worth_a_link:
        data_request.delete()
        return False
    # Noted first: the link works an hour from now, and a second run of the task sends none.
    DataRequest.objects.filter(pk=data_request.pk).update(link_sent_at=now)
    if not send_link(data_request):
        return False
    record(log.Action.DATA_REQUESTED, inventory)
    return True

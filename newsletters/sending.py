"""Send a digest or an alert in batches: at most once per subscriber, resumable after a crash.

1. **Start.** :func:`start` writes the :class:`~newsletters.models.Send` (its window of
   publication times, or its story), counts its recipients and queues the first batch, in
   one transaction; ``Send.chain`` names that task.
2. **A batch** (:func:`send_batch`, run by the task :func:`send_next_batch`) runs only if it
   is the task the chain names: a task cut off with its worker and queued again keeps its
   id and carries on; any other copy leaves at once. It takes the next
   ``NEWSLETTER_BATCH_SIZE`` recipients after ``Send.cursor``, reads the stories through the
   published gate *now* (a story taken down since the send started is in no email sent
   after that), and for each subscriber, of their language's stories only (a digest edition
   is every language's; an alert goes to its story's language's subscribers), in their
   language:

   - a delivery row already there: sent, failed or skipped before a crash, so nothing to
     do; or ``sending``: the crash came between writing the row and noting the mail
     server's answer, so the email may have arrived. It is marked *interrupted* and never
     sent again: nobody gets a digest twice, at the cost of a missing email or two per
     connection when a worker dies mid-batch;
   - none of their stories: *skipped*;
   - otherwise the row is written ``sending`` and committed before the mail server is asked,
     and ``sent`` or ``failed`` after (in the transaction that writes the next row: one
     commit per email).

   The emails go out over ``NEWSLETTER_CONNECTIONS`` SMTP connections side by side (a
   :class:`Lane` each, in a thread with its own database connection; one on SQLite). A
   unique (send, subscriber) row is the last guard: two batches that somehow ran at once
   could not both write it.
3. **The batch ends** in one transaction: the cursor moves past it, the send's figures are
   counted again from its deliveries, and the next batch is queued to start no sooner than
   ``emails / NEWSLETTER_RATE`` seconds after this one started (``NEWSLETTER_RATE`` emails
   a second on average; the worker is free in between). When the mail server is
   unreachable, the batch stops where it is and the same place is tried again a minute
   later.
4. **Stalls.** A batch shows it is alive (``heartbeat_at``) every few seconds. The periodic
   :func:`resume_stalled` queues a new task for a send that showed nothing for
   ``NEWSLETTER_STALL_SECONDS``: one whose task failed, or was lost.
"""

import logging
import smtplib
import threading
import time
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.core.mail import get_connection
from django.db import connection as db_connection
from django.db import transaction
from django.db.models import Case, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext
from django_tasks import TaskContext, task

from articles.models import Article
from newsletters.mail import Composer
from newsletters.models import Delivery, Send, Subscriber, count_deliveries

logger = logging.getLogger("newsroom.newsletters")

# How often a running batch says it is alive (and checks that it may go on).
HEARTBEAT_SECONDS = 5
# After the mail server could not be reached: try the same place again this much later.
RETRY_AFTER = timedelta(seconds=60)
# Answers that concern one message or recipient; any other error is the server's or ours,
# and stops the batch.
MESSAGE_ERRORS = (smtplib.SMTPRecipientsRefused, smtplib.SMTPDataError)


# How the sending of a batch ended.
DONE, UNAVAILABLE, TAKEN_OVER = "done", "unavailable", "taken over"


class ServerUnavailable(Exception):
    """The mail server could not be reached, or stopped answering."""


def queue_batch(send_id: int, *, run_after: datetime | None = None, priority: int = 0) -> str:
    """Queue the task that sends the next batch of *send_id*; return its id for the chain."""
    queued = send_next_batch.using(run_after=run_after, priority=priority).enqueue(send_id)
    return str(queued.id)


def priority_of(kind: str) -> int:
    # Breaking news goes before a digest's next batch in the queue.
    return 5 if kind == Send.Kind.ALERT else 0


def start(*, kind: str, edition=None, window=None, article=None, by=None) -> Send:
    """Create a send and queue its first batch; return it.

    For a digest, *edition* (the day) and *window* (start, end of publication times); for an
    alert, *article*. Raises IntegrityError if that edition or that story's alert exists.
    """
    with transaction.atomic():
        send = Send.objects.create(
            kind=kind,
            edition=edition,
            window_start=window[0] if window else None,
            window_end=window[1] if window else None,
            article=article,
            subject=article.title if article is not None else "",
            created_by=by,
        )
        recipients = Subscriber.objects.recipients_of(send).count()
        chain = queue_batch(send.pk, priority=priority_of(kind))
        Send.objects.filter(pk=send.pk).update(
            recipients=recipients, chain=chain, heartbeat_at=timezone.now()
        )
    send.refresh_from_db()
    return send


# -- One batch ---------------------------------------------------------------------------------


@dataclass
class Story:
    pk: int
    language: str
    region_id: int
    rubric_id: int
    author_ids: set[int]
    article: Article


@dataclass
class Topics:
    regions: set[int] = field(default_factory=set)
    rubrics: set[int] = field(default_factory=set)
    authors: set[int] = field(default_factory=set)

    def wants(self, story: Story) -> bool:
        return (
            story.region_id in self.regions
            or story.rubric_id in self.rubrics
            or not self.authors.isdisjoint(story.author_ids)
        )


def stories_of(send: Send) -> list[Story]:
    """Return the send's stories as the public may see them now, newest first."""
    public = Article.objects.published()
    if send.kind == Send.Kind.ALERT:
        articles = public.filter(pk=send.article_id)
    else:
        articles = public.filter(publish_at__gte=send.window_start, publish_at__lt=send.window_end)
    articles = list(
        articles.select_related("region", "rubric")
        .only(
            *("title", "slug", "language", "teaser", "publish_at", "region_id", "rubric_id"),
            *("region__name", "region__slug", "rubric__name", "rubric__slug"),
        )
        .newest_first()
    )
    authors = defaultdict(set)
    links = Article.authors.through.objects.filter(article_id__in=[a.pk for a in articles])
    for article_id, author_id in links.values_list("article_id", "author_id"):
        authors[article_id].add(author_id)
    return [
        Story(
            article.pk,
            article.language,
            article.region_id,
            article.rubric_id,
            authors[article.pk],
            article,
        )
        for article in articles
    ]


def topics_of(subscribers: list[Subscriber]) -> dict[int, Topics]:
    """Return the chosen regions, rubrics and authors of those who did not choose everything."""
    choosy = [subscriber.pk for subscriber in subscribers if not subscriber.everything]
    found: dict[int, Topics] = defaultdict(Topics)
    if not choosy:
        return found
    columns = (("regions", "region_id"), ("rubrics", "rubric_id"), ("authors", "author_id"))
    for name, column in columns:
        through = getattr(Subscriber, name).through
        rows = through.objects.filter(subscriber_id__in=choosy).values_list("subscriber_id", column)
        for subscriber_id, topic_id in rows:
            getattr(found[subscriber_id], name).add(topic_id)
    return found


class Batch:
    """One batch of one send, run by the task the send's chain names."""

    def __init__(self, send: Send, runner: str):
        self.send = send
        self.runner = runner
        self.started = time.monotonic()
        self.beaten = self.started
        self.emails = 0

    def mine(self):
        return Send.objects.filter(pk=self.send.pk, status=Send.Status.SENDING, chain=self.runner)

    def alive(self) -> bool:
        """Say so every few seconds; return False if the send was stopped or taken over."""
        now = time.monotonic()
        if now - self.beaten < HEARTBEAT_SECONDS:
            return True
        self.beaten = now
        return bool(self.mine().update(heartbeat_at=timezone.now()))

    def run(self) -> str:
        send = self.send
        subscribers = list(
            Subscriber.objects.recipients_of(send)
            .filter(pk__gt=send.cursor)
            .only("pk", "email", "everything", "language")[: settings.NEWSLETTER_BATCH_SIZE]
        )
        if not subscribers:
            return self.finish()
        stories = stories_of(send)
        if not stories:
            if send.kind == Send.Kind.ALERT:
                return self.finish(
                    Send.Status.STOPPED, note=gettext("The story is no longer public.")
                )
            return self.finish(note=gettext("No new stories for this edition: nothing was sent."))

        ids = [subscriber.pk for subscriber in subscribers]
        known = {
            subscriber_id: (delivery_id, status)
            for delivery_id, subscriber_id, status in Delivery.objects.filter(
                send=send, subscriber_id__in=ids
            ).values_list("pk", "subscriber_id", "status")
        }
        cut_off = [pk for pk, status in known.values() if status == Delivery.Status.SENDING]
        if cut_off:
            # Perhaps delivered before the crash: never again (see the module docstring).
            Delivery.objects.filter(pk__in=cut_off).update(
                status=Delivery.Status.UNKNOWN, error="Cut off while sending."
            )
        topics = topics_of(subscribers)
        composers: dict[str, Composer] = {}
        limit = settings.NEWSLETTER_MAX_STORIES
        messages, new_rows = {}, []
        for subscriber in subscribers:
            delivery_id, status = known.get(subscriber.pk, (None, None))
            if status not in (None, Delivery.Status.PENDING):
                continue  # done before a crash: sent, failed, skipped or interrupted
            # Their language's stories: the regions and rubrics they chose are its rows too.
            chosen = [story for story in stories if story.language == subscriber.language]
            if send.kind != Send.Kind.ALERT and not subscriber.everything:
                wanted = topics[subscriber.pk]
                chosen = [story for story in chosen if wanted.wants(story)]
            if not chosen:
                status = Delivery.Status.SKIPPED
            else:
                status = Delivery.Status.PENDING
                if subscriber.language not in composers:
                    composers[subscriber.language] = Composer(send, subscriber.language)
                messages[subscriber.pk] = composers[subscriber.language].message(
                    subscriber,
                    [story.article for story in chosen[:limit]],
                    more=max(0, len(chosen) - limit),
                )
            if delivery_id is None:
                new_rows.append(Delivery(send=send, subscriber_id=subscriber.pk, status=status))
            elif status == Delivery.Status.SKIPPED:
                Delivery.objects.filter(pk=delivery_id).update(status=status)
        # One INSERT for the batch's rows. Two batches of one send never run at once (the
        # chain); if they did, the second's INSERT would fail here, before any email went out.
        Delivery.objects.bulk_create(new_rows)
        jobs = [
            (delivery_id, messages[subscriber_id])
            for delivery_id, subscriber_id in Delivery.objects.filter(
                send=send, subscriber_id__in=list(messages), status=Delivery.Status.PENDING
            )
            .order_by("subscriber_id")
            .values_list("pk", "subscriber_id")
        ]
        outcome = self.send_all(jobs)
        if outcome == TAKEN_OVER:
            return "stopped or taken over"
        if outcome == UNAVAILABLE:
            logger.warning("Newsletter %s: the mail server is unavailable; trying again.", send.pk)
        return self.next(subscribers[-1].pk, retry=outcome == UNAVAILABLE)

    def send_all(self, jobs: list) -> str:
        """Send *jobs* over ``NEWSLETTER_CONNECTIONS`` connections at once; say how it ended.

        Each connection is a lane: a thread with its share of the emails, sent one after the
        other. Waiting for the mail server and the database is most of the time an email
        takes, so lanes side by side multiply the rate. With one connection (and always on
        SQLite), the lane runs here, in the task's own thread.
        """
        lanes_wanted = settings.NEWSLETTER_CONNECTIONS
        if db_connection.vendor == "sqlite":
            # One writer at a time there (make run's database): lanes would only wait on it.
            lanes_wanted = 1
        count = max(1, min(lanes_wanted, len(jobs)))
        stop = threading.Event()
        lanes = [Lane(self.send, jobs[number::count], stop) for number in range(count)]
        if count == 1:
            lanes[0].run(alive=self.alive)
        else:
            threads = [
                threading.Thread(
                    target=lane.run_in_thread, name=f"newsletter-lane-{n}", daemon=True
                )
                for n, lane in enumerate(lanes)
            ]
            for thread in threads:
                thread.start()
            for thread in threads:
                while thread.is_alive():
                    thread.join(timeout=1)
                    if not self.alive():
                        lanes[0].outcome = TAKEN_OVER
                        stop.set()
            for lane in lanes:
                if lane.error is not None:
                    raise lane.error
        self.emails += sum(lane.sent for lane in lanes)
        outcomes = {lane.outcome for lane in lanes}
        for worst in (TAKEN_OVER, UNAVAILABLE):
            if worst in outcomes:
                return worst
        return DONE

    def next(self, last_id: int, *, retry: bool) -> str:
        """End the batch: move the cursor, count, and queue the next one."""
        now = timezone.now()
        if retry:
            run_after = now + RETRY_AFTER
        else:
            rate = settings.NEWSLETTER_RATE
            wait = self.emails / rate - (time.monotonic() - self.started) if rate else 0
            run_after = now + timedelta(seconds=wait) if wait > 0 else None
        with transaction.atomic():
            locked = self.mine().select_for_update().first()
            if locked is None:
                return "stopped or taken over"
            chain = queue_batch(locked.pk, run_after=run_after, priority=priority_of(locked.kind))
            self.mine().update(
                cursor=locked.cursor if retry else last_id,
                chain=chain,
                heartbeat_at=now,
                next_batch_at=run_after or now,
                **count_deliveries(locked.pk),
            )
        return "retry" if retry else "next"

    def finish(self, status: str = Send.Status.DONE, note: str = "") -> str:
        updated = self.mine().update(
            status=status,
            note=note,
            chain="",
            finished_at=timezone.now(),
            **count_deliveries(self.send.pk),
        )
        return status if updated else "stopped or taken over"


class Lane:
    """One SMTP connection sending its share of a batch, one email after the other.

    The batch's rows are written ``pending`` first, in one INSERT. Before each email its row
    becomes ``sending``, committed before the server is asked; the outcome (sent, failed) is
    written by the same UPDATE as the next email's ``sending``, the last one's after the
    loop: one statement per email.
    """

    def __init__(self, send: Send, jobs: list, stop: threading.Event):
        self.send = send
        self.jobs = jobs
        self.stop = stop
        self.sent = 0
        self.outcome = DONE
        self.error: BaseException | None = None

    def run_in_thread(self) -> None:
        try:
            self.run()
        except Exception as error:  # re-raised in the task's thread
            self.error = error
            self.stop.set()
        finally:
            db_connection.close()

    def run(self, alive=None) -> None:
        if not self.jobs:
            return
        try:
            connection = open_connection()
        except ServerUnavailable:
            self.outcome = UNAVAILABLE
            self.stop.set()
            return
        done = None  # (delivery id, status, error) of the last email, not written yet
        try:
            for delivery_id, message in self.jobs:
                if self.stop.is_set():
                    break
                if alive is not None and not alive():
                    self.outcome = TAKEN_OVER
                    break
                taken = record(done, sending=delivery_id)
                done = None
                if not taken:
                    continue  # no longer pending: another batch has it
                try:
                    connection.send_messages([message])
                except MESSAGE_ERRORS as error:
                    done = (delivery_id, Delivery.Status.FAILED, describe(error))
                    continue
                except (smtplib.SMTPException, OSError) as error:
                    # The server went away mid-way: the email may or may not have left.
                    done = (delivery_id, Delivery.Status.UNKNOWN, describe(error))
                    self.outcome = UNAVAILABLE
                    self.stop.set()
                    break
                done = (delivery_id, Delivery.Status.SENT, "")
                self.sent += 1
        finally:
            if done is not None:
                record(done)
            try:
                connection.close()
            except Exception:  # a dead connection is closed already
                logger.debug("Closing the SMTP connection failed.", exc_info=True)


def record(done: tuple[int, str, str] | None, *, sending: int | None = None) -> bool:
    """Write an email's outcome and mark the next one ``sending``, in one UPDATE.

    Return whether the next one was still pending (and is now this lane's to send).
    """
    rows = Q(pk__in=[])
    status, error = Value(Delivery.Status.SENDING), Value("")
    if done is not None:
        done_id, done_status, done_error = done
        rows |= Q(pk=done_id)
        status = Case(When(pk=done_id, then=Value(done_status)), default=status)
        error = Case(When(pk=done_id, then=Value(done_error)), default=error)
    if sending is not None:
        rows |= Q(pk=sending, status=Delivery.Status.PENDING)
    updated = Delivery.objects.filter(rows).update(status=status, error=error)
    return sending is not None and updated == (2 if done is not None else 1)


def open_connection():
    connection = get_connection()
    try:
        connection.open()
    except (smtplib.SMTPException, OSError) as error:
        raise ServerUnavailable(describe(error)) from error
    return connection


def describe(error: Exception) -> str:
    return f"{type(error).__name__}: {error}"[:250]


# The one task kept here rather than in newsletters.tasks: each batch queues the next.
@task(takes_context=True)
def send_next_batch(context: TaskContext, send_id: int) -> str:
    """Send the next batch of a newsletter send (see the module docstring)."""
    return send_batch(send_id, runner=str(context.task_result.id))


def send_batch(send_id: int, runner: str) -> str:
    """Send the next batch of *send_id* if *runner* (a task id) is its chain's; say how it went."""
    claimed = Send.objects.filter(pk=send_id, status=Send.Status.SENDING, chain=runner).update(
        heartbeat_at=timezone.now()
    )
    if not claimed:
        return "not mine"
    return Batch(Send.objects.get(pk=send_id), runner).run()


# -- Stalls and housekeeping -------------------------------------------------------------------


def resume_stalled(now: datetime | None = None) -> int:
    """Queue a new batch for each send that showed no progress for a while; return how many."""
    now = now or timezone.now()
    quiet_since = now - timedelta(seconds=settings.NEWSLETTER_STALL_SECONDS)
    stalled = Send.objects.filter(status=Send.Status.SENDING, heartbeat_at__lt=quiet_since).filter(
        Q(next_batch_at__isnull=True) | Q(next_batch_at__lt=quiet_since)
    )
    resumed = 0
    for send_id in stalled.values_list("pk", flat=True):
        with transaction.atomic():
            send = stalled.filter(pk=send_id).select_for_update(skip_locked=True).first()
            if send is None:
                continue
            logger.warning("Newsletter send %s stalled; queued again.", send.pk)
            chain = queue_batch(send.pk, priority=priority_of(send.kind))
            Send.objects.filter(pk=send.pk).update(chain=chain, heartbeat_at=now)
            resumed += 1
    return resumed


def stop(send: Send, *, note: str) -> bool:
    """Stop *send* where it is; return whether it was still sending."""
    return bool(
        Send.objects.filter(pk=send.pk, status=Send.Status.SENDING).update(
            status=Send.Status.STOPPED, chain="", note=note[:250], finished_at=timezone.now()
        )
    )

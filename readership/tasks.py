"""Background work for readership (registered in ReadershipConfig.ready())."""

from django_tasks import task

from readership.counting import flush_counts
from readership.page_changes import refresh_most_read


@task()
def flush_reads() -> int:
    """Move the read counts from the shared cache to the database; refresh "Most read".

    Safe to run late or twice: a count is taken off its counter before it is stored.
    """
    moved = flush_counts()
    if moved is None:
        # Another flush is on it, or the shared cache is away: nothing to show either.
        return 0
    refresh_most_read()
    return moved

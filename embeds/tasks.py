"""The embeds' background work, run by ``manage.py worker``."""

from django_tasks import task

from embeds.services import fetch_embeds


@task()
def fetch_story_embeds(urls: list[str]) -> int:
    """Ask the providers about a saved story's embeds; return how many are settled.

    Safe to run twice: a settled embed is not fetched again.
    """
    return len(fetch_embeds(urls))

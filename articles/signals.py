"""Signals other apps may listen to without importing the articles internals.

``stories_bulk_updated`` is sent inside the transaction whenever the publishing services change
many stories with one ``QuerySet.update()``, which sends no ``post_save`` (``articles.services``).
A receiver that queues work in the database (a task) thus queues it with the change itself.

Argument: ``article_ids`` (the set of primary keys of the stories written).
"""

from django.dispatch import Signal

stories_bulk_updated = Signal()

"""Signals other apps may listen to without importing the articles internals.

``stories_bulk_updated`` is sent inside the transaction whenever the publishing services change
many stories with one ``QuerySet.update()``, which sends no ``post_save`` (``articles.services``).
A receiver that queues work in the database (a task) thus queues it with the change itself.

Argument: ``article_ids`` (the set of primary keys of the stories written).

``stories_sent_to_review`` is sent inside the transaction whenever stories go to review: by
``article_send_to_review()``, ``articles_send_to_review()`` and the story form when its status
becomes "In review" (``articles.admin``). The editorial app tells the editors.

Arguments: ``article_ids`` (the set of primary keys of the stories) and ``by`` (the user).

``demo_seeded`` is sent by ``manage.py seed_demo`` once the demo stories exist, so that other
apps add their own demo data about them (readership: plausible read counts). No arguments.
"""

from django.dispatch import Signal

stories_bulk_updated = Signal()
stories_sent_to_review = Signal()
demo_seeded = Signal()

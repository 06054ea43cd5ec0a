"""Signals other apps may listen to without importing the reviews internals.

``reviews_changed`` is sent after the transaction commits whenever reviews change status in
bulk or a new review is published by the rules: ``review_moderate()`` (admin actions and row
buttons) and ``review_submit()``. ``QuerySet.update()`` sends no ``post_save``, so a page cache
should listen here (and to ``post_save``/``post_delete`` of ``Review`` for single edits).

Arguments: ``article_ids`` (set of story primary keys whose public reviews may have changed),
``status`` (the new status), ``by`` (the moderator, or None for the rules) and
``moderated_at`` (the time stamped on the rows, which with ``by`` finds them again).
"""

from django.dispatch import Signal

reviews_changed = Signal()

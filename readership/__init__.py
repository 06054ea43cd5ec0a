"""Readership: how many people read each story, counted without cookies or personal data.

* **Counting** (``readership.counting``): story pages load ``static/js/reads.js``, which
  POSTs to ``/reads/<story id>/`` once the page is seen (``readership.views``). The page
  itself stays the same for everyone, so a reader served by the page cache or a CDN is
  counted like any other. Robots are left out; a reader's reloads count once a day, by a
  salted hash that rotates daily; no address or user agent is stored. Readers without
  JavaScript are not counted.
* **Storing**: counts add up per story and hour in the shared cache, and the worker moves them
  in bulk to :class:`~readership.models.StoryReads` every minute (``readership.tasks``).
* **Showing**: "Most read (24 h)" on the home and story pages (``{% most_read_stories %}``),
  refreshed on the cached pages when its order changes (``readership.page_changes``), and each
  story's figures on its admin page (``{% story_reads %}``).

``articles`` never imports this app: its templates load the ``readership`` tag library.
"""

"""The shared page cache: whole reader pages, the same for everyone, never stale.

A page that anyone may be shown (no session, no message, no credentials, no cookie set,
nothing personal in it) is stored whole, headers included and compressed, and served to the
next reader asking for the same address; a CDN in front may keep it too. What keeps it correct:

* **Subjects and generations.** Every page belongs to the whole site and to one *subject*:
  the story, region, rubric, tag or author its address is about (``/articles/<slug>/…`` →
  ``articles/<slug>``), or the front (home, feeds, sitemaps, search). Each has a generation,
  a token in the shared cache, stamped on every stored page. A change moves on the
  generations of exactly the subjects it touches (:func:`pagecache.invalidation.invalidate`):
  approving a review on story A leaves story B's page in place; unpublishing anything moves
  the site's generation, since the story may be linked from any page.
* **An invalidation is never lost.** Each one is also written to the database, in the same
  transaction as the change (:class:`pagecache.models.PendingInvalidation`), and deleted once
  the shared cache confirmed it. Cached pages are trusted only under a *lease*, a key that
  expires after ``PAGE_CACHE_LEASE_SECONDS``; renewing it first replays any invalidation
  still in the database. A writer whose invalidation the cache refused (Redis down,
  read-only, timing out) waits until the lease has run out before it answers, so no process
  anywhere serves the old page after the change was made.
* **Clocks.** Some pages change with no write to announce it: a scheduled story going public,
  reviews closing after N days. Apps register a clock (:func:`pagecache.invalidation.
  register_clock`) that names the pages whose moment came; every lease renewal asks.
* **Keys that cannot be flooded.** Only the query parameters pages use take part in the key
  (``PAGE_CACHE_QUERY_PARAMETERS``, or a section's own in
  ``PAGE_CACHE_QUERY_PARAMETERS_BY_PREFIX``), normalised, and the view is given exactly
  those: any other parameter (``utm_source``, ``fbclid``, a random one) gets the same page.
  One client can make the site store only ``PAGE_CACHE_STORES_PER_CLIENT`` new pages a
  minute.

Nothing here imports a feature app: apps tell the cache what changed by address.
"""

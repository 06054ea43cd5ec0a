"""Newsletters: readers subscribe to stories by email, as daily or weekly digests and alerts.

- **Sign-up** (``views``): an address and what to get (everything, or chosen regions, rubrics
  and authors; daily or weekly; breaking-news alerts or not). The forms on shared, cached pages
  post without a CSRF token to a view that checks the request came from our pages instead;
  every answer is the same whatever the address.
- **Double opt-in** (``mail``, ``tokens``): a new address gets one email, a signed link to
  confirm, and nothing else until it is confirmed; the link works ``NEWSLETTER_CONFIRM_DAYS``.
- **Every email** links to the subscriber's preferences page and carries RFC 8058's one-click
  unsubscribe headers; unsubscribing deletes the address.
- **Sending** (``sending``): the worker sends each digest edition and alert in batches, at a
  configured rate, at most once per subscriber even across crashes; ``schedule`` starts the
  editions when due (periodic jobs registered in ``apps``).
- **Editors** (``admin``) see each send's figures and the subscribers per list, send a story as
  a breaking-news alert from the story list, and stop a send.

It reads ``articles``; nothing imports it.
"""

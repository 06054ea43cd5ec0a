"""Readers in control of their data: see it, download it, erase it; fingerprints expire.

- **"Your data"** (``views``): a reader gives an email address and gets the same answer
  whatever it is; the worker (``mail``) emails a link, signed and valid one hour
  (``links``), only to an address we hold something for. The link's page lists it all
  (``inventory``, which asks ``reviews.personal_data`` and ``newsletters.personal_data``),
  offers it as JSON and erases it after a confirmation (``services.data_erase``).
- **Moderators** do the same in the admin (``admin``: *Readers' data*), for readers who write in.
- **Retention** (``retention``): client fingerprints and user agents are blanked after
  ``NEWSROOM_FINGERPRINT_RETENTION_DAYS``, by a periodic job and ``manage.py
  erase_old_fingerprints``; requests are forgotten once their link expired.
- The audit log names a reader by a keyed hash of the address, never the address.

It reads ``reviews``, ``newsletters`` and ``editorial``; nothing imports it.
"""

"""Signals of the image library, for the apps whose pages show its images."""

from django.dispatch import Signal

# Sent with ``image`` when its renditions were rewritten (with an UPDATE, which sends no
# post_save): pages that show it must drop the old files' addresses.
renditions_changed = Signal()

"""The audit log: who did what to which story or review, and when. Infrastructure.

Stories and reviews both record their actions here (``audit.log.record``) without importing
each other. Entries name their story by the model's label, ``articles.Article``, never by an
import: this app imports no feature app.
"""

"""Demo content for ``manage.py seed_demo``: our own texts, drawn images, generated volumes.

``content`` holds the regions, rubrics, authors and stories (written for this project; they
are illustrative analysis, not reporting), ``drawing`` paints a lead image for each story with
Pillow, and ``bulk`` generates large volumes of stories and reviews for benchmarks.
"""

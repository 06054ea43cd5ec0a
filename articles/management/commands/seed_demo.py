"""``python manage.py seed_demo``: the demo newsroom, and volumes for benchmarks.

Without options it loads the demo regions, rubrics, authors and stories (with drawn lead
images), in English and Russian (``articles.demo.seed_ru``), and, while DEBUG is on, the
demo logins; running it again adds nothing.
``--articles N --reviews M`` then adds generated stories and reviews in bulk.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from articles.demo import bulk, seed, seed_ru
from articles.demo.content import DEMO_PASSWORD
from articles.signals import demo_seeded


class Command(BaseCommand):
    help = (
        "Load the demo newsroom (idempotent). With --articles/--reviews, add generated stories "
        "and reviews in bulk for benchmarks."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--articles", type=int, default=0, metavar="N", help="Add N generated stories."
        )
        parser.add_argument(
            "--reviews",
            type=int,
            default=0,
            metavar="M",
            help="Add M reviews, over the generated stories (or the published ones).",
        )
        parser.add_argument(
            "--batch-size", type=int, default=5000, help="Rows per insert batch (default 5000)."
        )
        parser.add_argument(
            "--seed", type=int, default=1, help="Random seed for generated content (default 1)."
        )
        parser.add_argument(
            "--no-images",
            action="store_true",
            help="Skip drawing the demo pictures (and the story that shows every kind of media).",
        )

    def handle(self, *args, **options):
        for name in ("articles", "reviews"):
            if options[name] < 0:
                raise CommandError(f"--{name} must be 0 or more.")
        if options["batch_size"] < 1:
            raise CommandError("--batch-size must be at least 1.")
        started = time.monotonic()
        report = seed.SeedReport()
        seed.seed_content(report)
        # The Russian edition: translations of English stories and stories written in Russian.
        seed_ru.seed_russian(report)
        if not options["no_images"]:
            seed.seed_images(report)
        seed.seed_accounts(report)
        # Other apps' demo data about the stories (e.g. read counts for "Most read").
        demo_seeded.send(sender=self.__class__)
        self._summary(report, time.monotonic() - started)

        if options["articles"] or options["reviews"]:
            result = bulk.generate(
                articles=options["articles"],
                reviews=options["reviews"],
                seed=options["seed"],
                batch_size=options["batch_size"],
                stream=self.stderr._out,
            )
            self.stdout.write(
                f"Generated {result.articles:,} stories and {result.reviews:,} reviews "
                f"in {result.seconds:.1f} s."
            )
            if result.hot_story:
                self.stdout.write(
                    f"Most reviewed: /articles/{result.hot_story}/ "
                    f"({result.hot_story_reviews:,} approved reviews)."
                )

    def _summary(self, report, seconds: float) -> None:
        created = report.created
        parts = [
            f"{created.get(kind, 0)} {kind}"
            for kind in ("regions", "rubrics", "authors", "stories")
        ]
        self.stdout.write(
            f"Demo content: created {', '.join(parts)}; drew {report.images} library pictures "
            f"({seconds:.1f} s). Existing rows were left as they were."
        )
        if report.accounts_skipped:
            self.stdout.write(
                self.style.WARNING(
                    "Demo accounts skipped: DEBUG is off, and they never exist then."
                )
            )
        else:
            self.stdout.write(
                f"Demo accounts: {', '.join(report.accounts)} (password {DEMO_PASSWORD!r}; "
                f"{created.get('accounts', 0)} new). Log in at /admin/."
            )

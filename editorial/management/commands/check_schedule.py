"""Check the stories' publishing state for a monitor (Nagios/Icinga plugin conventions).

Prints one status line, then one line per problem, and exits 0 (OK), 1 (WARNING) or
2 (CRITICAL). See editorial.schedule for the checks.
"""

import sys

from django.core.management.base import BaseCommand

from editorial import schedule
from serving.origin import absolute_url

EXIT_CODES = {"OK": 0, "WARNING": 1, "CRITICAL": 2}


class Command(BaseCommand):
    help = (
        "Flag stories whose publishing state does not add up (a missed schedule, a lead image "
        "without alt text, an empty published story). Exit code 0 OK, 1 WARNING, 2 CRITICAL."
    )

    def handle(self, *args, **options):
        problems = schedule.find_problems()
        critical = sum(problem.severity == schedule.CRITICAL for problem in problems)
        warnings = len(problems) - critical
        if critical:
            status = "CRITICAL"
        elif warnings:
            status = "WARNING"
        else:
            status = "OK"
        summary = f"{critical} critical, {warnings} warning" if problems else "no problems"
        self.stdout.write(f"SCHEDULE {status} - {summary} | critical={critical} warning={warnings}")
        for problem in problems:
            self.stdout.write(
                f"{problem.severity.upper()} [{problem.code}] “{problem.article.title}” "
                f"(id {problem.article.pk}) {problem.message}: {absolute_url(problem.admin_url)}"
            )
        if EXIT_CODES[status]:
            sys.exit(EXIT_CODES[status])

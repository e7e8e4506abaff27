from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careplans.directory_feed import SAMPLE_FEED
from careplans.services.directory import directory_feed_import_from


class Command(BaseCommand):
    help = (
        "Import the service directory from an Open Referral UK feed: a URL (its GET /services) "
        "or a JSON file; DIRECTORY_FEED_URL when none is given. A feed with any problem changes "
        "nothing: each problem is listed and the command exits with status 1."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("source", nargs="?", help="URL or file (default DIRECTORY_FEED_URL)")
        parser.add_argument(
            "--sample", action="store_true", help=f"import the sample feed ({SAMPLE_FEED.name})"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        source = str(SAMPLE_FEED) if options["sample"] else options["source"]
        source = source or settings.DIRECTORY_FEED_URL
        if not source:
            raise CommandError("Give a URL or file, or set DIRECTORY_FEED_URL.")
        result = directory_feed_import_from(source=source)
        if not result.ok:
            for problem in result.problems:
                self.stderr.write(f"  {problem}")
            raise CommandError(result.summary())
        self.stdout.write(result.summary())

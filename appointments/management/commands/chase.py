from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from appointments.services import DEFAULT_BATCH_SIZE, chase_run


class Command(BaseCommand):
    help = "Chase every overdue tracked item once (what the beat schedule runs every few minutes)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--batch-size", type=int, default=DEFAULT_BATCH_SIZE)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["batch_size"] < 1:
            self.stderr.write("--batch-size must be 1 or more")
            raise SystemExit(2)
        report = chase_run(batch_size=options["batch_size"])
        self.stdout.write(
            f"Chased {report.items} item(s) in {report.batches} batch(es): "
            f"{report.messages} message(s), {report.tasks_opened} new task(s), "
            f"{report.escalated} escalated, {len(report.failed)} failed."
        )
        if report.failed:
            raise SystemExit(1)

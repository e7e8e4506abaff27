import datetime as dt
import uuid
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from careplans.services.returns import personalised_care_return_csv
from navigator.organisations.models import Team


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"{value!r} is not a date: write it as YYYY-MM-DD.") from None


class Command(BaseCommand):
    help = (
        "Write the personalised care return (HNA and care plan events in the COSD codes and "
        "layout) for one team or every team, between two dates inclusive, as CSV."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--from", dest="start", required=True, help="first day, YYYY-MM-DD")
        parser.add_argument("--to", dest="end", required=True, help="last day, YYYY-MM-DD")
        parser.add_argument("--team", help="the team's id (every team when left out)")
        parser.add_argument("--output", help="file to write (standard output when left out)")

    def handle(self, *args: Any, **options: Any) -> None:
        start, end = _date(options["start"]), _date(options["end"])
        teams = Team.objects.select_related("organisation")
        if options["team"]:
            teams = teams.filter(pk=options["team"]) if _is_uuid(options["team"]) else teams.none()
            if not teams:
                raise CommandError(f"No team has the id {options['team']!r}.")
        try:
            body = personalised_care_return_csv(actor=None, teams=list(teams), start=start, end=end)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from None
        if options["output"]:
            with open(options["output"], "w", encoding="utf-8", newline="") as out:
                out.write(body)
            self.stderr.write(f"Wrote {body.count(chr(10)) - 1} events to {options['output']}.")
        else:
            self.stdout.write(body, ending="")


def _is_uuid(value: str) -> bool:
    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True

"""Demo data for `make run`: a made-up area with its hospitals, GP practice, navigation team,
service directory and patients at different points of their care (`caseload.demo`). Running it
again changes nothing."""

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction

from appointments.services import chase_run
from careplans.services import assessment_offers_make_due
from caseload.demo.directory import demo_directory_load
from caseload.demo.setting import DEMO_PASSWORD, Setting, setting_load
from caseload.demo.stories import CASELOAD, STORIES
from patients.models import Patient


class Command(BaseCommand):
    help = (
        "Create the demo: two trusts, a GP practice, a navigation team, a service directory and "
        "patients at different points of their care (NHS numbers in the 999 range)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            demo_directory_load()
            setting = setting_load()
            once = []
            for story in [*STORIES, *CASELOAD]:
                if not Patient.objects.filter(nhs_number=story.person.nhs_number).exists():
                    once += story.play(setting, story.person)
            # What the scheduled jobs would do in their first minutes, done now so the demo
            # opens on it: assessments offered after each recent diagnosis, treatment or
            # discharge, and overdue items chased (tasks, texts, emails to the providers).
            assessment_offers_make_due()
            chase_run()
        self._sign_ins(setting, once)

    def _sign_ins(self, s: Setting, once: list[str]) -> None:
        out = self.stdout.write
        out(self.style.SUCCESS(f"Demo data ready. Open {settings.SITE_URL}/accounts/login/"))
        out("")
        out(f'Staff: sign in with email and the password "{DEMO_PASSWORD}". The first time, you')
        out("are asked to set up an authenticator app (scan the QR code with any TOTP app).")
        for user, what in [
            (s.nadia, "navigator: the worklist (Grace flagged urgent), the chase queue, 6 cases"),
            (s.oscar, "navigator: a second caseload (interpreter, a clock near its limit)"),
            (s.colin, "clinical nurse specialist on Grace's and Harold's care teams"),
            (s.lena, "team lead: the team's cases and escalations"),
            (s.adam, "administrator: /admin/ (follow-up rules, triage settings)"),
            (s.sam, "service manager: the service's anonymised figures, no patient's record"),
        ]:
            out(f"  {user.email:<28} {user.full_name}, {what}")
        out("")
        out("Patients and carers: choose 'Email me a sign-in code' and give the email below.")
        out("In development emails and texts are not sent: they print in this console, code too.")
        for story in STORIES:
            out(f"  ({story.letter}) {story.person.full_name}: {story.purpose}.")
            out(f"      Sign in as {story.sign_in} to see {story.look_at}.")
        for line in once or [
            "GP: Harold's plan was shared when the demo was first seeded (the link printed then); "
            "share it again from his case for a new link."
        ]:
            out(f"  {line}")
        out("")
        out("Also on Oscar's caseload:")
        for story in CASELOAD:
            out(f"  {story.person.full_name}: {story.purpose}.")

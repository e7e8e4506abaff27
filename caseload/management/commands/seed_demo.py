"""Demo data for `make run`: one trust, a navigation team, staff and patients. Safe to run twice."""

import datetime as dt
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from appointments.models import TrackedItem
from appointments.services import chase_run, tracked_item_create
from careplans.models import CaseFlag
from careplans.services import case_flag_raise
from navigator.accounts.models import Role, User
from navigator.organisations.models import Membership, Organisation, Team
from patients.models import CareTeamMember, Case, Patient, TimelineEvent
from patients.services import timeline_event_add

DEMO_PASSWORD = "demo-password-only"  # noqa: S105 - printed for the demo, never used in production


class Command(BaseCommand):
    help = "Create demo organisations, staff and patients (test NHS numbers in the 999 range)."

    @transaction.atomic
    def handle(self, *args: Any, **options: Any) -> None:
        trust, _ = Organisation.objects.get_or_create(
            ods_code="RX1",
            defaults={"name": "Northshire Hospitals NHS Trust", "kind": Organisation.Kind.TRUST},
        )
        gp, _ = Organisation.objects.get_or_create(
            ods_code="Y01234",
            defaults={
                "name": "Riverside Surgery",
                "kind": Organisation.Kind.GP_PRACTICE,
                "email": "riverside.surgery@nhs.test",
            },
        )
        team, _ = Team.objects.get_or_create(
            name="Lung cancer navigation", organisation=trust, defaults={"phone": "01632 960 001"}
        )
        navigator = self._user("navigator@demo.test", "Nadia Khan", Role.NAVIGATOR)
        lead = self._user("lead@demo.test", "Lena Ward", Role.TEAM_LEAD)
        Membership.objects.get_or_create(team=team, user=navigator)
        Membership.objects.get_or_create(team=team, user=lead, defaults={"is_lead": True})
        admin = self._user("admin@demo.test", "Adam Price", Role.ADMIN)
        admin.is_staff = admin.is_superuser = True
        admin.save()
        patient_user = self._user("patient@demo.test", "Paul Jones", Role.PATIENT)
        patient, _ = Patient.objects.get_or_create(
            nhs_number="9990000018",
            defaults={
                "user": patient_user,
                "given_name": "Paul",
                "family_name": "Jones",
                "date_of_birth": dt.date(1950, 3, 14),
                "phone": "+447700900123",
                "email": patient_user.email,
                "gp_practice": gp,
            },
        )
        today = timezone.localdate()
        case, _ = Case.objects.get_or_create(
            patient=patient,
            defaults={
                "team": team,
                "navigator": navigator,
                "tumour_site": "Lung",
                "diagnosis_date": today - dt.timedelta(days=6),
            },
        )
        CareTeamMember.objects.get_or_create(
            case=case,
            user=navigator,
            defaults={"role": CareTeamMember.Role.NAVIGATOR, "name": navigator.full_name},
        )
        if not case.timeline.exists():
            self._timeline(case, navigator, today)
        self._worklist_people(team, navigator, gp, today)
        self._tracked_items(case, navigator, trust, today)
        self.stdout.write(self.style.SUCCESS(f"Demo data ready. Open {settings.SITE_URL}/"))
        self.stdout.write(
            f"  Navigator: navigator@demo.test / {DEMO_PASSWORD} (asks you to set up an authenticator app)"
        )
        self.stdout.write(f"  Team lead: lead@demo.test / {DEMO_PASSWORD}")
        self.stdout.write(f"  Admin:     admin@demo.test / {DEMO_PASSWORD}")
        self.stdout.write(
            "  Patient:   patient@demo.test, 'Send me a sign-in code' (the code prints in this console)"
        )

    def _timeline(self, case: Case, navigator: User, today: dt.date) -> None:
        """A referral 20 days ago and a diagnosis since, so the 62-day and 31-day clocks run."""
        events = [
            ("urgent_referral", 20, "Your GP referred you urgently to the chest clinic"),
            ("diagnosis", 6, "Your diagnosis was confirmed at the chest clinic"),
            ("decision_to_treat", 2, "You and your team agreed your treatment plan"),
        ]
        for kind, days_ago, summary in events:
            timeline_event_add(
                case=case,
                by=navigator,
                kind=kind,
                occurred_at=today - dt.timedelta(days=days_ago),
                summary=summary,
                shared_with_patient=True,
            )
        case.diagnosis_date = today - dt.timedelta(days=6)
        case.save(update_fields=["diagnosis_date"])

    def _tracked_items(
        self, case: Case, navigator: User, trust: Organisation, today: dt.date
    ) -> None:
        """A scan result and a follow-up running late, then one chase run: the chase queue."""
        late = [
            ("result", "done", "Your scan result", 4),
            ("follow_up", "to_be_booked", "Follow-up appointment to be booked", 9),
        ]
        for kind, state, title, days_late in late:
            if not TrackedItem.objects.filter(case=case, title=title).exists():
                tracked_item_create(
                    case=case,
                    kind=kind,
                    state=state,
                    title=title,
                    expected_by=today - dt.timedelta(days=days_late),
                    responsible_provider=trust,
                    actor=navigator,
                )
        chase_run()

    def _worklist_people(
        self, team: Team, navigator: User, gp: Organisation, today: dt.date
    ) -> None:
        """More of the navigator's caseload, each needing something different on the worklist:
        urgent distress and an interpreter, a clock near its limit, nobody in touch for weeks."""
        people: list[tuple[str, str, str, dict[str, Any], list[tuple[str, int]]]] = [
            (
                "9990000026",
                "Amira",
                "Begum",
                {"needs_interpreter": True, "interpreter_language": "Sylheti"},
                [("urgent_referral", 12), ("diagnosis", 3)],
            ),
            ("9990000034", "Dafydd", "Evans", {"nation": "wales"}, [("referral", 52)]),
            ("9990000042", "Margaret", "Hughes", {}, [("urgent_referral", 40), ("note", 25)]),
        ]
        for nhs_number, given, family, extra, events in people:
            patient, _ = Patient.objects.get_or_create(
                nhs_number=nhs_number,
                defaults={
                    "given_name": given,
                    "family_name": family,
                    "date_of_birth": dt.date(1948, 6, 2),
                    "phone": "+447700900456",
                    "gp_practice": gp,
                    **extra,
                },
            )
            case, created = Case.objects.get_or_create(
                patient=patient,
                defaults={"team": team, "navigator": navigator, "tumour_site": "Lung"},
            )
            if not created:
                continue
            # Opened when the first event happened, so "last contact" reads as it would.
            Case.objects.filter(pk=case.pk).update(
                opened_at=timezone.now() - dt.timedelta(days=max(days for _, days in events))
            )
            for kind, days_ago in events:
                timeline_event_add(
                    case=case,
                    by=navigator,
                    kind=kind,
                    occurred_at=today - dt.timedelta(days=days_ago),
                    summary=TimelineEvent.Kind(kind).label,
                    shared_with_patient=kind != "note",
                )
            if given == "Amira":
                case_flag_raise(
                    case=case,
                    kind=CaseFlag.Kind.URGENT_DISTRESS,
                    reason="Distress 9 out of 10 when the navigator rang",
                    assessment=None,
                    actor=navigator,
                )

    def _user(self, email: str, name: str, role: str) -> User:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(email, DEMO_PASSWORD, full_name=name, role=role)
        EmailAddress.objects.get_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        return user

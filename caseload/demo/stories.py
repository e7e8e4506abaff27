"""The demo's patients, each at a different point of their care and each with one thing to show.

Every story is played through the services, as a navigator, patient or carer would act: the case
opened with `case_open`, what happened recorded with `timeline_event_add` (so the follow-up
rules expect what the patient now waits for), tracked items moved along their workflows,
assessments sent and plans agreed and shared through careplans, carers invited and accepted.
A story is played once: its patient's NHS number says whether it has been.
"""

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from allauth.account.models import EmailAddress
from django.conf import settings

from appointments.models import ItemKind, ItemState, TrackedItem
from appointments.services import tracked_item_create, tracked_item_transition
from careplans.models import Assessment, AssessmentOffer, CarePlan
from careplans.services import (
    AnswerInput,
    assessment_offer,
    assessment_offer_record,
    assessment_save_domain,
    assessment_save_wellbeing,
    assessment_start,
    assessment_submit,
    care_plan_agree,
)
from careplans.services.sharing import share_link_create
from caseload.demo.setting import Setting
from navigator.accounts.models import Role, User
from navigator.organisations.models import Organisation
from navigator.time import LONDON
from patients.models import CarerAccess, CareTeamMember, Case, Channel, Nation, Patient
from patients.models import TimelineEvent as Event
from patients.services import (
    CommunicationNeeds,
    care_team_add,
    carer_invitation_accept_new_account,
    carer_invite,
    case_open,
    timeline_event_add,
)

Reason = AssessmentOffer.Reason


@dataclass(frozen=True)
class Person:
    """A demo patient's details, as a navigator would type them when opening the case."""

    nhs_number: str
    given_name: str
    family_name: str
    date_of_birth: dt.date
    phone: str
    email: str
    address: str
    postcode: str
    tumour_site: str
    preferred_channel: str = Channel.SMS
    nation: str = Nation.ENGLAND

    @property
    def full_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


@dataclass(frozen=True)
class Story:
    """One patient's story: who, the letter and purpose it is printed with, who to sign in as
    to see it, and how to play it (returning lines to print once, such as a link made for it)."""

    letter: str
    person: Person
    purpose: str
    sign_in: str
    look_at: str
    play: Callable[[Setting, Person], list[str]]


# --- Steps every story uses -------------------------------------------------------------------


def _open(
    s: Setting,
    person: Person,
    *,
    navigator: User,
    diagnosed_days_ago: int | None,
    providers: list[Organisation],
    needs: CommunicationNeeds | None = None,
    gp_practice: Organisation | None = None,
) -> Case:
    return case_open(
        opened_by=navigator,
        team=s.team,
        nhs_number=person.nhs_number,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        phone=person.phone,
        email=person.email,
        address=person.address,
        postcode=person.postcode,
        preferred_channel=person.preferred_channel,
        communication_needs=needs,
        gp_practice=gp_practice or s.surgery,
        nation=person.nation,
        tumour_site=person.tumour_site,
        diagnosis_date=None if diagnosed_days_ago is None else s.days_ago(diagnosed_days_ago),
        treating_providers=providers,
    )


def _patient_account(case: Case) -> User:
    """The patient's account, linked to their record, as accepting an invitation leaves it.

    There is no service yet that links an account to a patient (the invitation from the case
    is issue 13's first item); this makes the account as `invitation_accept` does for a
    patient (no password, email verified by the link) and links it.
    """
    patient = case.patient
    user = User.objects.create_user(
        patient.email, None, full_name=patient.full_name, role=Role.PATIENT, phone=patient.phone
    )
    EmailAddress.objects.create(user=user, email=patient.email, primary=True, verified=True)
    Patient.objects.filter(pk=patient.pk).update(user=user)
    patient.user = user
    return user


def _event(
    s: Setting, case: Case, kind: str, days_ago: int, summary: str, *, shared: bool = True
) -> Event:
    return timeline_event_add(
        case=case,
        by=case.navigator,
        kind=kind,
        occurred_at=s.days_ago(days_ago),
        summary=summary,
        shared_with_patient=shared,
    )


def _referred(
    s: Setting, case: Case, *, days_ago: int, clinic: str, seen_days_ago: int, urgent: bool = True
) -> None:
    """The GP's referral that began the story, and the clinic appointment it led to.

    The navigator marks the item the referral opened as booked, so it is not chased. The case
    is dated from the referral: `case_open` stamps the moment it runs, and the worklist's "last
    contact" falls back to that, so otherwise every demo case would look in touch today.
    """
    kind = Event.Kind.URGENT_REFERRAL if urgent else Event.Kind.REFERRAL
    summary = f"Your GP referred you {'urgently ' if urgent else ''}to the {clinic}"
    referral = _event(s, case, kind, days_ago, summary)
    for item in TrackedItem.objects.open().filter(source_event=referral):
        tracked_item_transition(
            item=item,
            to_state=ItemState.BOOKED,
            actor=case.navigator,
            note=f"Seen at the {clinic} on {s.days_ago(seen_days_ago):%-d %B}",
        )
    began = dt.datetime.combine(s.days_ago(days_ago), dt.time(9), tzinfo=LONDON)
    Case.objects.filter(pk=case.pk).update(opened_at=began)


def _appointment(
    s: Setting,
    case: Case,
    *,
    title: str,
    in_days: int,
    at: dt.time,
    provider: Organisation,
    location: str,
    what_to_bring: str = "",
) -> TrackedItem:
    day = s.today + dt.timedelta(days=in_days)
    return tracked_item_create(
        case=case,
        kind=ItemKind.APPOINTMENT,
        state=ItemState.BOOKED,
        title=title,
        expected_by=day,
        starts_at=dt.datetime.combine(day, at, tzinfo=LONDON),
        location=location,
        what_to_bring=what_to_bring,
        responsible_provider=provider,
        actor=case.navigator,
    )


def _offered_at_diagnosis(case: Case) -> AssessmentOffer:
    """The offer the diagnosis makes (as the scheduled job would within minutes)."""
    diagnosis = case.timeline.get(kind=Event.Kind.DIAGNOSIS)
    return assessment_offer(case=case, reason=Reason.DIAGNOSIS, actor=None, source_event=diagnosis)


def _assessment_sent(
    case: Case,
    by: User,
    *,
    ratings: dict[str, int],
    priorities: tuple[str, ...],
    distress: int,
    anything_else: str = "",
) -> CarePlan:
    """The patient takes up the offer and sends the assessment online, screen by screen:
    triage flags the case if it must, and a draft plan is made with local services."""
    assessment = assessment_start(case=case, actor=by, completed_by=Assessment.CompletedBy.PATIENT)
    for domain in assessment.questionnaire.domains.prefetch_related("concerns"):
        answers = {
            concern.pk: AnswerInput(
                selected=True,
                rating=ratings[concern.code],
                is_priority=concern.code in priorities,
            )
            for concern in domain.concerns.all()
            if concern.code in ratings
        }
        assessment_save_domain(assessment=assessment, domain=domain, answers=answers, actor=by)
    assessment_save_wellbeing(
        assessment=assessment, distress_score=distress, anything_else=anything_else, actor=by
    )
    return assessment_submit(assessment=assessment, actor=by).plan


# --- The stories ------------------------------------------------------------------------------


def newly_diagnosed(s: Setting, person: Person) -> list[str]:
    """(a) Told of her diagnosis three days ago; she has accepted her invitation and is offered a
    needs assessment she has not started."""
    case = _open(s, person, navigator=s.nadia, diagnosed_days_ago=3, providers=[s.northshire])
    _patient_account(case)
    _referred(s, case, days_ago=16, clinic="breast clinic", seen_days_ago=9)
    _appointment(
        s,
        case,
        title="Appointment to talk about your treatment",
        in_days=6,
        at=dt.time(10, 30),
        provider=s.northshire,
        location="Breast Unit, Northshire General Hospital",
        what_to_bring="A list of your medicines, and someone to come with you if you like",
    )
    _offered_at_diagnosis(case)
    return []


def result_overdue(s: Setting, person: Person) -> list[str]:
    """(b) His scan was done 12 days ago; the report was due within a week and has not come.
    The chase (run at the end of the seed) gives Nadia a task, emails the trust and texts him."""
    case = _open(s, person, navigator=s.nadia, diagnosed_days_ago=18, providers=[s.northshire])
    _patient_account(case)
    _referred(s, case, days_ago=30, clinic="chest clinic", seen_days_ago=24)
    # The result rule expects the report within 7 days of the scan: 5 days late today.
    _event(s, case, Event.Kind.RESULT, 12, "You had a CT scan at Northshire General Hospital")
    return []


def urgent_distress(s: Setting, person: Person) -> list[str]:
    """(c) She sent her needs assessment with distress 8 out of 10: the case is flagged urgent
    at once, and a draft care plan waits for her navigator to talk it through."""
    case = _open(s, person, navigator=s.nadia, diagnosed_days_ago=21, providers=[s.northshire])
    patient = _patient_account(case)
    care_team_add(case=case, by=s.nadia, role=CareTeamMember.Role.CNS, user=s.colin)
    _referred(s, case, days_ago=35, clinic="bowel clinic", seen_days_ago=28)
    _event(s, case, Event.Kind.DECISION_TO_TREAT, 6, "You and your team agreed your treatment")
    _offered_at_diagnosis(case)
    _assessment_sent(
        case,
        patient,
        ratings={"worry": 8, "money": 7, "tiredness": 6, "loneliness": 5},
        priorities=("worry", "money"),
        distress=8,
        anything_else="I can't sleep for worrying, and I don't know how we will pay the rent "
        "while I'm off work.",
    )
    return []


def plan_shared(s: Setting, person: Person) -> list[str]:
    """(d) His plan was agreed with his navigator by phone and shared with his GP practice by
    a read-only link; his treatment starts in under two weeks at the other trust."""
    both = [s.northshire, s.riverton]
    case = _open(s, person, navigator=s.nadia, diagnosed_days_ago=30, providers=both)
    patient = _patient_account(case)
    care_team_add(case=case, by=s.nadia, role=CareTeamMember.Role.CNS, user=s.colin)
    _referred(s, case, days_ago=44, clinic="urology clinic", seen_days_ago=38)
    _event(s, case, Event.Kind.DECISION_TO_TREAT, 10, "You and your team agreed your treatment")
    _appointment(
        s,
        case,
        title="Your first treatment appointment",
        in_days=12,
        at=dt.time(9, 15),
        provider=s.riverton,
        location="Cancer Centre, Riverton University Hospital",
    )
    _offered_at_diagnosis(case)
    plan = _assessment_sent(
        case,
        patient,
        ratings={"travel": 6, "tiredness": 4, "partner": 3, "understanding": 3},
        priorities=("travel",),
        distress=3,
    )
    care_plan_agree(
        plan=plan, lock_version=plan.lock_version, actor=s.nadia, how=CarePlan.AgreedHow.BY_PHONE
    )
    link = share_link_create(case=case, actor=s.nadia)
    return [
        f"GP at {s.surgery.name}: open {settings.SITE_URL}{link.path} and give "
        f"{person.given_name}'s date of birth, {person.date_of_birth:%-d %B %Y}, to read and "
        "print his agreed plan (the link is shown only now, and in the practice's email)."
    ]


def discharged(s: Setting, person: Person) -> list[str]:
    """(e) Home three days after her operation at the other trust: the discharge schedules her
    check-ins, a follow-up appointment to book, the treatment summary to her GP and an
    assessment after treatment (she put off the one at diagnosis until after surgery)."""
    case = _open(s, person, navigator=s.nadia, diagnosed_days_ago=70, providers=[s.riverton])
    _patient_account(case)
    _referred(s, case, days_ago=90, clinic="gynaecology clinic", seen_days_ago=80)
    assessment_offer_record(
        offer=_offered_at_diagnosis(case),
        status=Assessment.OfferStatus.DECLINED,
        actor=s.nadia,
        note="Would rather talk about her needs after her operation",
    )
    _event(s, case, Event.Kind.DECISION_TO_TREAT, 40, "You and your team agreed to operate")
    _event(
        s, case, Event.Kind.FIRST_TREATMENT, 12, "Your operation at Riverton University Hospital"
    )
    discharge = _event(
        s, case, Event.Kind.DISCHARGE, 3, "You went home from Riverton University Hospital"
    )
    assessment_offer(case=case, reason=Reason.DISCHARGE, actor=None, source_event=discharge)
    return []


def with_carer(s: Setting, person: Person) -> list[str]:
    """(f) In chemotherapy; he invited his wife as his carer, able to act for him, and she
    accepted: she sees his record and his next appointment."""
    case = _open(s, person, navigator=s.nadia, diagnosed_days_ago=45, providers=[s.northshire])
    patient = _patient_account(case)
    _referred(s, case, days_ago=60, clinic="urology clinic", seen_days_ago=52)
    _event(s, case, Event.Kind.DECISION_TO_TREAT, 30, "You and your team agreed your treatment")
    _event(s, case, Event.Kind.FIRST_TREATMENT, 20, "Your first chemotherapy at Northshire General")
    _appointment(
        s,
        case,
        title="Your next treatment appointment",
        in_days=4,
        at=dt.time(13, 0),
        provider=s.northshire,
        location="Day Treatment Unit, Northshire General Hospital",
        what_to_bring="Something to do: it takes most of the afternoon",
    )
    invitation, _ = carer_invite(
        patient=case.patient,
        by=patient,
        carer_name=CARER_NAME,
        email=CARER_EMAIL,
        phone=CARER_PHONE,
        level=CarerAccess.Level.ACT,
    )
    carer_invitation_accept_new_account(
        carer_invitation=invitation, email=CARER_EMAIL, full_name=CARER_NAME
    )
    return []


CARER_NAME, CARER_EMAIL, CARER_PHONE = (
    "Susan Thompson",
    "susan.thompson@example.test",
    "+447700900116",
)


# --- More of the caseload, Oscar's: no accounts, each showing something on the worklist -----


def needs_interpreter(s: Setting, person: Person) -> list[str]:
    """Needs a Sylheti interpreter; referred to the other trust for surgery, which has not
    booked it within two weeks: the chase emails that trust (two hospitals, journey 3)."""
    needs = CommunicationNeeds(interpreter=True, interpreter_language="Sylheti")
    case = _open(
        s, person, navigator=s.oscar, diagnosed_days_ago=25, providers=[s.riverton], needs=needs
    )
    _referred(s, case, days_ago=38, clinic="breast clinic", seen_days_ago=31)
    _event(s, case, Event.Kind.REFERRAL, 18, "Referred to Riverton University Hospital for surgery")
    return []


def clock_near_limit(s: Setting, person: Person) -> list[str]:
    """Lives in Wales, treated here: the Single Cancer Pathway's 62 days run from his GP's
    referral 52 days ago, and treatment has not started."""
    case = _open(s, person, navigator=s.oscar, diagnosed_days_ago=8, providers=[s.northshire])
    _referred(
        s, case, days_ago=52, clinic="ear, nose and throat clinic", seen_days_ago=30, urgent=False
    )
    return []


def no_contact(s: Setting, person: Person) -> list[str]:
    """Nobody has reached him for five weeks: the worklist says so."""
    case = _open(s, person, navigator=s.oscar, diagnosed_days_ago=36, providers=[s.northshire])
    _referred(s, case, days_ago=40, clinic="chest clinic", seen_days_ago=38)
    _event(s, case, Event.Kind.NOTE, 35, "Rang twice, no answer; left a voicemail", shared=False)
    return []


def _person(
    nhs_number: str,
    given: str,
    family: str,
    born: dt.date,
    phone: str,
    address: str,
    postcode: str,
    site: str,
    *,
    has_email: bool = True,
    preferred_channel: str = Channel.SMS,
    nation: str = Nation.ENGLAND,
) -> Person:
    email = f"{given}.{family}@example.test".lower() if has_email else ""
    return Person(
        nhs_number, given, family, born, phone, email, address, postcode, site,
        preferred_channel, nation,
    )  # fmt: skip


STORIES = [
    Story(
        "a",
        _person("9991001018", "Joan", "Carter", dt.date(1961, 9, 23), "+447700900101",
                "14 Orchard Way, Northby", "NS6 2QT", "Breast", preferred_channel=Channel.EMAIL),
        "newly diagnosed with breast cancer; invited, no needs assessment yet",
        "joan.carter@example.test",
        "her named navigator and what happens next, her 62-day clock, her next appointment and "
        "the needs assessment she is offered (fill it in: a draft care "
        "plan with local services appears)",
        newly_diagnosed,
    ),
    Story(
        "b",
        _person("9991001026", "Paul", "Jones", dt.date(1950, 3, 14), "+447700900102",
                "3 Canal Street, Riverton", "NS2 7HD", "Lung"),
        "lung cancer; his scan result is 5 days overdue, so the chase is on it",
        "paul.jones@example.test",
        "what is being chased for him (Nadia sees the task in her chase queue)",
        result_overdue,
    ),
    Story(
        "c",
        _person("9991001034", "Grace", "Okafor", dt.date(1974, 1, 30), "+447700900103",
                "Flat 2, 41 Station Road, Riverton", "NS3 1LP", "Bowel"),
        "bowel cancer; sent a needs assessment with distress 8 out of 10",
        "grace.okafor@example.test",
        "her draft care plan to agree; Nadia's worklist shows her case flagged urgent at the top "
        "(it escalates to Lena if nobody acts within 4 working hours)",
        urgent_distress,
    ),
    Story(
        "d",
        _person("9991001042", "Harold", "Bennett", dt.date(1951, 5, 12), "+447700900104",
                "The Old Forge, Church Lane, Ashby Magna", "NS7 5RW", "Prostate",
                preferred_channel=Channel.EMAIL),
        "prostate cancer; his care plan is agreed and shared with his GP",
        "harold.bennett@example.test",
        "his agreed care plan (print it as a PDF) and when his GP practice viewed it",
        plan_shared,
    ),
    Story(
        "e",
        _person("9991001050", "Margaret", "Hughes", dt.date(1948, 6, 2), "+447700900105",
                "22 Meadow Close, Northby", "NS5 8JB", "Ovarian"),
        "ovarian cancer; home from hospital 3 days ago",
        "margaret.hughes@example.test",
        "what discharge scheduled for her: check-ins, a follow-up appointment to book, the "
        "treatment summary to her GP, and a needs assessment after treatment",
        discharged,
    ),
    Story(
        "f",
        _person("9991001069", "Ray", "Thompson", dt.date(1955, 11, 8), "+447700900106",
                "7 Hill View, Riverton", "NS1 3EF", "Bladder"),
        f"bladder cancer, in treatment; his wife {CARER_NAME} is his carer",
        CARER_EMAIL,
        "Ray's record as his carer, who may act for him: his next treatment appointment, his "
        "navigator, his messages (Ray himself signs in as ray.thompson@example.test)",
        with_carer,
    ),
]  # fmt: skip

CASELOAD = [
    Story(
        "", _person("9991001077", "Amira", "Begum", dt.date(1968, 4, 17), "+447700900107",
                    "58 Mill Road, Riverton", "NS1 6TY", "Breast", has_email=False),
        "needs an interpreter; her referral to Riverton is overdue and chased", "", "",
        needs_interpreter,
    ),
    Story(
        "", _person("9991001085", "Dafydd", "Evans", dt.date(1958, 2, 1), "+447700900108",
                    "Ty Gwyn, Wye Valley Road, Chepstow", "NP16 5EB", "Head and neck",
                    has_email=False, nation=Nation.WALES),
        "lives in Wales: the Single Cancer Pathway's 62-day clock is near its limit", "", "",
        clock_near_limit,
    ),
    Story(
        "", _person("9991001093", "Frank", "Miller", dt.date(1945, 7, 29), "+447700900109",
                    "9 Quarry Lane, Northby", "NS8 2DA", "Lung", has_email=False),
        "nobody has been in touch for five weeks", "", "",
        no_contact,
    ),
]  # fmt: skip

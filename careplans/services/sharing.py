"""Sharing the agreed care plan with the GP practice by a read-only link.

Writes are keyword-only services that validate, run in a transaction and write the audit
entry; the few reads the GP page needs sit at the end. The link's token is made here, shown once
(returned by `share_link_create`) and never stored: only its SHA-256 hash is.

The practice opens the link without an account, after a second check (the patient's date of
birth or NHS number). Its requests are not a signed-in user's, so their audit entries have no
actor and no request path (the path holds the token): the link is named by its id instead.
"""

import datetime as dt
import hmac
import re
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from appointments.models import ItemKind, ItemState, TrackedItem
from appointments.services import tracked_item_transition
from careplans.models import CarePlan, PlanItem
from careplans.models.plans import OwnerKind
from careplans.models.sharing import (
    MAX_FAILED_CHECKS,
    PlanSharingConsent,
    ShareLink,
    ShareLinkAccess,
    token_hash,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.messaging.services import Recipient, message_send
from navigator.organisations.models import Organisation
from patients.models import CareTeamMember, Case, Nation, Patient, TreatmentSummary
from patients.services import treatment_summary_for_case

# secrets.token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_BYTES = 32
TOKEN_FORMAT = re.compile(r"^[A-Za-z0-9_-]{43}$")
# A GP Cancer Care Review is expected within 12 months of diagnosis (England).
CANCER_CARE_REVIEW_WITHIN = dt.timedelta(days=365)


class SharingError(ValidationError):
    """A link that cannot be made, with a reason a person can act on."""


@dataclass(frozen=True)
class NewLink:
    link: ShareLink
    token: str

    @property
    def path(self) -> str:
        return f"/gp/{self.token}/"


@dataclass(frozen=True)
class CheckResult:
    passed: bool
    tries_left: int
    locked: bool


# Consent ---------------------------------------------------------------------------------


def sharing_allowed(patient: Patient) -> bool:
    consent = PlanSharingConsent.objects.filter(patient=patient).first()
    return consent is None or consent.allowed


@transaction.atomic
def sharing_set(*, patient: Patient, allowed: bool, actor: User) -> int:
    """Record whether the patient lets their plan be shared with their GP practice.

    Withdrawing revokes every live link for the patient at once; returns how many.
    """
    PlanSharingConsent.objects.update_or_create(
        patient=patient,
        defaults={"allowed": allowed, "changed_at": timezone.now(), "changed_by": actor},
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        object_type="careplans.plansharingconsent",
        object_id=str(patient.pk),
        patient_id=patient.pk,
        summary="Allowed sharing the care plan with the GP practice"
        if allowed
        else "Withdrew sharing the care plan with the GP practice",
    )
    if allowed:
        return 0
    revoked = 0
    for link in ShareLink.objects.filter(case__patient=patient, revoked_at__isnull=True):
        revoked += _revoke(link, actor=actor, reason="The patient withdrew sharing with the GP.")
    return revoked


# Links -----------------------------------------------------------------------------------


def practice_for_case(case: Case) -> Organisation | None:
    """Where a shared plan goes: the GP practice on the care team, else the patient's own GP
    practice; either only if it has an email address to send the link to."""
    member = (
        CareTeamMember.objects.filter(
            case=case,
            role=CareTeamMember.Role.GP,
            organisation__kind=Organisation.Kind.GP_PRACTICE,
        )
        .exclude(organisation__email="")
        .select_related("organisation")
        .first()
    )
    if member is not None:
        return member.organisation
    practice = case.patient.gp_practice
    if practice is not None and practice.email:
        return practice
    return None


def latest_agreed_plan(case: Case) -> CarePlan | None:
    return CarePlan.objects.filter(case=case, status=CarePlan.Status.AGREED).first()


@transaction.atomic
def share_link_create(*, case: Case, actor: User) -> NewLink:
    """Make a link to the case's agreed plan for its GP practice and email it to the practice.

    The email says only that a plan has been shared, with the link (no clinical detail).
    When the case has a written treatment summary it goes with the link (the GP page shows
    it), so the case's "treatment summary to the GP" items still due are marked sent.
    Raises SharingError if the patient withdrew sharing, no version is agreed yet, or there is
    no GP practice with an email address.
    """
    if not sharing_allowed(case.patient):
        raise SharingError(
            _(
                "The patient has asked us not to share their care plan with their GP practice. "
                "They can change this on this page."
            )
        )
    plan = latest_agreed_plan(case)
    if plan is None:
        raise SharingError(
            _("There is no agreed care plan to share yet. Agree the plan with the patient first.")
        )
    practice = practice_for_case(case)
    if practice is None:
        raise SharingError(
            _(
                "There is no GP practice with an email address for this patient. Add their GP "
                "practice to the care team, or record the practice's email address."
            )
        )
    token = secrets.token_urlsafe(TOKEN_BYTES)
    now = timezone.now()
    link = ShareLink.objects.create(
        case=case,
        plan=plan,
        token_hash=token_hash(token),
        practice=practice,
        sent_to=practice.email,
        created_by=actor,
        created_at=now,
        expires_at=now + dt.timedelta(days=settings.SHARE_LINK_DAYS),
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=link,
        patient_id=case.patient_id,
        summary=f"Shared care plan version {plan.version} with {practice.name} by link",
    )
    _summary_sent(case=case, practice=practice, actor=actor)
    new = NewLink(link=link, token=token)
    message_send(
        recipient=Recipient(
            name=practice.name, email=practice.email, preferred_channel="email", language="en"
        ),
        kind="gp_share",
        context={"link": new.path, "expires_on": timezone.localdate(link.expires_at)},
        idempotency_key=f"gp-share:{link.pk}",
        subject_id=case.patient_id,
        channel="email",
    )
    return new


def _summary_sent(*, case: Case, practice: Organisation, actor: User) -> None:
    """A written treatment summary travels with the link: the case's "treatment summary to
    the GP" items still due move to sent, so the chase waits for the practice to confirm
    (`share_link_acknowledge` closes them) rather than chasing a summary already sent."""
    if treatment_summary_for_case(case) is None:
        return
    due = TrackedItem.objects.open().filter(
        case=case, kind=ItemKind.TREATMENT_SUMMARY, state=ItemState.DUE
    )
    for item in due:
        tracked_item_transition(
            item=item,
            to_state=ItemState.SENT_TO_GP,
            actor=actor,
            note=f"Sent to {practice.name} with the care plan link.",
        )


def _revoke(link: ShareLink, *, actor: User, reason: str) -> int:
    updated = ShareLink.objects.filter(pk=link.pk, revoked_at__isnull=True).update(
        revoked_at=timezone.now(), revoked_by=actor, revoked_reason=reason[:200]
    )
    if updated:
        audit_record(
            actor=actor,
            action=AuditEvent.Action.UPDATE,
            obj=link,
            patient_id=link.case.patient_id,
            summary=f"Stopped the care plan link for {link.practice.name}",
        )
    return updated


@transaction.atomic
def share_link_revoke(*, link: ShareLink, actor: User, reason: str = "") -> ShareLink:
    """Stop a link at once: its next request gets "this link has been stopped"."""
    _revoke(link, actor=actor, reason=reason or "Stopped by the care team or the patient.")
    link.refresh_from_db()
    return link


def share_link_find(token: str) -> ShareLink | None:
    """The link a token opens, in any state; None for anything that is not one of ours."""
    if not TOKEN_FORMAT.match(token or ""):
        return None
    return (
        ShareLink.objects.select_related("case__patient", "case__navigator", "case__team")
        .filter(token_hash=token_hash(token))
        .first()
    )


def share_link_usable_state(link: ShareLink) -> str:
    """The link's state, with the patient's consent applied: withdrawn means stopped even if
    the automatic revoke has not been written (belt and braces)."""
    state = link.state(timezone.now())
    if state == ShareLink.State.ACTIVE and not sharing_allowed(link.case.patient):
        return ShareLink.State.REVOKED
    return state


def _digits(value: str) -> str:
    return "".join(ch for ch in value if ch.isdigit())


@transaction.atomic
def share_link_check(
    *,
    link: ShareLink,
    date_of_birth: dt.date | None = None,
    nhs_number: str = "",
    client: tuple[str, str] = ("", ""),
) -> CheckResult:
    """The second check: does the patient's date of birth or NHS number match?

    Each wrong answer counts against the link for its whole life; the MAX_FAILED_CHECKS-th
    locks it, so a forwarded email alone cannot be guessed through.
    """
    locked = ShareLink.objects.select_for_update().get(pk=link.pk)
    if locked.locked_at is not None:
        return CheckResult(passed=False, tries_left=0, locked=True)
    patient = locked.case.patient
    matches = False
    if date_of_birth is not None:
        matches = date_of_birth == patient.date_of_birth
    elif nhs_number:
        matches = hmac.compare_digest(_digits(nhs_number), patient.nhs_number)
    if matches:
        return CheckResult(
            passed=True, tries_left=MAX_FAILED_CHECKS - locked.failed_checks, locked=False
        )
    locked.failed_checks = F("failed_checks") + 1
    locked.save(update_fields=["failed_checks"])
    locked.refresh_from_db(fields=["failed_checks"])
    now = timezone.now()
    if locked.failed_checks >= MAX_FAILED_CHECKS:
        locked.locked_at = now
        locked.save(update_fields=["locked_at"])
    ShareLinkAccess.objects.create(
        link=locked,
        at=now,
        kind=ShareLinkAccess.Kind.CHECK_FAILED,
        browser=client[0],
        device=client[1],
    )
    audit_record(
        actor=None,
        action=AuditEvent.Action.VIEW,
        obj=locked,
        patient_id=patient.pk,
        summary="GP link: wrong date of birth or NHS number"
        + (" (link now locked)" if locked.locked_at else ""),
    )
    link.failed_checks, link.locked_at = locked.failed_checks, locked.locked_at
    return CheckResult(
        passed=False,
        tries_left=max(MAX_FAILED_CHECKS - locked.failed_checks, 0),
        locked=locked.locked_at is not None,
    )


@transaction.atomic
def share_link_record(
    *,
    link: ShareLink,
    kind: str,
    plan: CarePlan | None,
    client: tuple[str, str],
    treatment_summary: TreatmentSummary | None = None,
) -> ShareLinkAccess:
    """Record one use of the link by the practice, and write the audit entry (which names the
    treatment summary's version too when the page or PDF showed it)."""
    access = ShareLinkAccess.objects.create(
        link=link,
        at=timezone.now(),
        kind=kind,
        plan_version=plan.version if plan else None,
        browser=client[0],
        device=client[1],
    )
    what: dict[str, str] = {
        ShareLinkAccess.Kind.VIEWED: "viewed",
        ShareLinkAccess.Kind.DOWNLOADED: "downloaded a PDF of",
        ShareLinkAccess.Kind.ACKNOWLEDGED: "acknowledged receipt of",
    }
    doing = what.get(kind, kind)
    version = f" version {plan.version}" if plan else ""
    if treatment_summary is not None:
        version += f" and the treatment summary version {treatment_summary.version}"
    audit_record(
        actor=None,
        action=AuditEvent.Action.EXPORT
        if kind == ShareLinkAccess.Kind.DOWNLOADED
        else AuditEvent.Action.VIEW,
        obj=link,
        patient_id=link.case.patient_id,
        summary=f"GP practice ({link.practice.name}) by link {doing} the care plan{version}, "
        f"{client[0] or 'unknown browser'} on {client[1] or 'unknown device'}",
    )
    return access


@transaction.atomic
def share_link_acknowledge(
    *, link: ShareLink, plan: CarePlan | None, client: tuple[str, str]
) -> bool:
    """The practice confirms it received the plan. Recorded once; True the first time.

    It also closes the case's "treatment summary to the GP" tracked items that were sent to
    the practice and are waiting for it to say so (the chase stops chasing them).
    """
    updated = ShareLink.objects.filter(pk=link.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if updated:
        share_link_record(
            link=link, kind=ShareLinkAccess.Kind.ACKNOWLEDGED, plan=plan, client=client
        )
        waiting = TrackedItem.objects.open().filter(
            case=link.case, kind=ItemKind.TREATMENT_SUMMARY, state=ItemState.SENT_TO_GP
        )
        for item in waiting:
            tracked_item_transition(
                item=item,
                to_state=ItemState.ACKNOWLEDGED,
                actor=None,
                note=f"{link.practice.name} confirmed receipt through the care plan link.",
            )
    link.refresh_from_db(fields=["acknowledged_at"])
    return bool(updated)


BROWSERS = (
    ("Edg/", "Edge"),
    ("OPR/", "Opera"),
    ("SamsungBrowser/", "Samsung Internet"),
    ("Firefox/", "Firefox"),
    ("Chrome/", "Chrome"),
    ("Chromium/", "Chrome"),
    ("Safari/", "Safari"),
)


def client_summary(user_agent: str) -> tuple[str, str]:
    """Browser family and device class from a user agent: coarse on purpose."""
    browser = next((name for marker, name in BROWSERS if marker in user_agent), "Other")
    device = "mobile" if re.search(r"Mobile|Android|iPhone|iPad", user_agent) else "computer"
    return browser, device


# Reads -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SharedView:
    """What the GP page and its PDF show for a link, read at request time."""

    plan: CarePlan | None
    newer_draft: bool  # a newer version is being prepared with the patient
    updated_since_shared: bool  # the agreed version is newer than the one first sent
    asks: list[str]
    treatment_summary: TreatmentSummary | None = None


def shared_view(link: ShareLink) -> SharedView:
    case = link.case
    plan = latest_agreed_plan(case)
    newer_draft = bool(
        plan
        and CarePlan.objects.filter(
            case=case, status=CarePlan.Status.DRAFT, version__gt=plan.version
        ).exists()
    )
    return SharedView(
        plan=plan,
        newer_draft=newer_draft,
        updated_since_shared=bool(plan and plan.pk != link.plan_id),
        asks=gp_asks(case, plan),
        treatment_summary=treatment_summary_for_case(case),
    )


def gp_asks(case: Case, plan: CarePlan | None) -> list[str]:
    """What the practice is asked to do: the plan's items the GP owns, open tracked items for
    the GP (a Cancer Care Review, a treatment summary sent to them), and otherwise the Cancer
    Care Review when one is expected (England, within 12 months of diagnosis)."""
    asks = []
    if plan is not None:
        for item in PlanItem.objects.filter(plan=plan, owner_kind=OwnerKind.GP):
            due = f" by {item.due_date:%-d %B %Y}" if item.due_date else ""
            asks.append(f"{item.goal}{due} (about: {item.concern_text})")
    tracked = (
        TrackedItem.objects.open()
        .filter(case=case, kind__in=[ItemKind.CANCER_CARE_REVIEW, ItemKind.TREATMENT_SUMMARY])
        .order_by("expected_by")
    )
    has_review = False
    for tracked_item in tracked:
        if tracked_item.kind == ItemKind.CANCER_CARE_REVIEW:
            has_review = True
            # A diagnosis schedules two (the offer of a review, then the review itself): the
            # item's own title says which, so the practice does not read them as duplicates.
            asks.append(
                f"Cancer Care Review ({tracked_item.get_state_display().lower()}): "
                f"expected by {tracked_item.expected_by:%-d %B %Y}. "
                f"On the patient's list as “{tracked_item.title}”."
            )
        elif tracked_item.state == ItemState.SENT_TO_GP:
            asks.append(
                "Treatment summary: sent to the practice; please confirm you have it "
                "(the button at the end of this page)."
            )
    patient = case.patient
    if not has_review and case.diagnosis_date and patient.nation == Nation.ENGLAND:
        due_by = case.diagnosis_date + CANCER_CARE_REVIEW_WITHIN
        asks.append(
            f"Cancer Care Review: expected within 12 months of diagnosis, by {due_by:%-d %B %Y}."
        )
    return asks


def links_for_case(case: Case) -> list[ShareLink]:
    """A case's links, newest first, each with `last_viewed` (the practice's latest view)."""
    links = list(
        ShareLink.objects.filter(case=case).select_related("practice", "created_by", "plan")
    )
    for link in links:
        link.last_viewed = (  # type: ignore[attr-defined]
            link.accesses.filter(
                kind__in=[ShareLinkAccess.Kind.VIEWED, ShareLinkAccess.Kind.DOWNLOADED]
            )
            .order_by("-at")
            .first()
        )
        link.current_state = share_link_usable_state(link)  # type: ignore[attr-defined]
    return links

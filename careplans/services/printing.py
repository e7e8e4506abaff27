"""Printing care plans: each plan's PDF made once and cached, and the batches that make them
ahead of time.

Cache. A plan's PDF is cached per plan version, size and language, and also per the details it
prints from outside the plan (the patient's and navigator's names and contact details, the
version of the case's treatment summary), for a day; agreed versions never change, so most
prints after the first are served from the cache. The nightly batch of plans due for review
(`care_plan_pdfs_prepare_due`) fills the same cache, claiming each PDF before making it, as
does the worker when a navigator asks for the plans due to be prepared now
(`care_plan_pdfs_request`, the "plans due for review" page's button).

One name per action: `care_plan_pdf` gives one plan's PDF (cached); `care_plan_pdfs_prepare`
makes and caches a set of plans' PDFs ahead of printing (`..._due` for the nightly batch,
`..._agreed` for the worker's side of the button); `care_plan_pdfs_request` asks the worker
to prepare them.
"""

import hashlib
import logging
import os
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import partial
from itertools import islice
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest

from careplans.models import CarePlan
from careplans.printed_plan import LANGUAGES, plan_html, plan_stylesheets, print_settings
from careplans.selectors import REVIEW_DAYS_AHEAD, plans_due_for_review, printable_plans
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from navigator.pdf import PdfRenderError, render_pdf
from patients.models import Case, TreatmentSummary

CACHE_SECONDS = 24 * 3600
# Plans read, and their cache entries looked up, at a time by the batch.
BATCH_SIZE = 100


# A batch's claim on one PDF outlives the render's time cap by this much.
CLAIM_MARGIN_SECONDS = 60
# Bump when the template or its CSS changes, so cached PDFs of the old layout are not served.
LAYOUT_VERSION = 4


logger = logging.getLogger(__name__)


def _summary_version(case: Case) -> int | None:
    return TreatmentSummary.objects.filter(case=case).values_list("version", flat=True).first()


def _cache_key(plan: CarePlan, *, large: bool, language: str) -> str:
    return _key(plan, large=large, language=language, summary=_summary_version(plan.case))


def _key(plan: CarePlan, *, large: bool, language: str, summary: int | None) -> str:
    """The cache key of one print; `summary` is the version of the case's treatment summary."""
    case = plan.case
    patient = case.patient
    navigator = case.navigator
    # Everything printed from outside the plan version, so a change to it makes a new PDF.
    outside = "|".join(
        str(part)
        for part in (
            patient.given_name,
            patient.family_name,
            patient.nhs_number,
            patient.date_of_birth,
            navigator.pk,
            navigator.get_full_name(),
            navigator.email,
            case.team.name,
            case.team.phone,
            settings.URGENT_HELP_LINE,
            summary,
        )
    )
    digest = hashlib.sha256(outside.encode()).hexdigest()[:16]
    stamp = plan.updated_at.timestamp() if plan.updated_at else 0
    size = "large" if large else "standard"
    return (
        f"careplan-pdf:{LAYOUT_VERSION}:{plan.pk}:{plan.lock_version}:{stamp}:{plan.status}"
        f":{size}:{language}:{digest}"
    )


def _care_plan_pdf_render(*, plan: CarePlan, large: bool = False, language: str = "en") -> bytes:
    """Build the plan's HTML and render it in a forked child with the time cap (no cache)."""
    return render_pdf(
        plan_html(plan=plan, large=large, language=language),
        stylesheets=plan_stylesheets(large=large, language=language),
    )


def care_plan_pdf(*, plan: CarePlan, large: bool = False, language: str = "en") -> bytes:
    """The plan as a PDF, from the cache when this version was printed before."""
    if language not in LANGUAGES:
        raise ValueError(f"No printed plan in {language!r}; we print in {LANGUAGES}.")
    key = _cache_key(plan, large=large, language=language)
    cached = cache.get(key)
    if cached is not None:
        return bytes(cached)
    pdf = _care_plan_pdf_render(plan=plan, large=large, language=language)
    _cache_pdf(key, pdf)
    return pdf


def _cache_pdf(key: str, pdf: bytes) -> None:
    """Cache a print, with a small marker saying it is ready (`plans_ready` reads the markers,
    not the PDFs)."""
    cache.set_many({key: pdf, f"{key}:ready": True}, CACHE_SECONDS)


@dataclass(frozen=True)
class BatchReport:
    """What a batch did: PDFs made now, found in the cache, left to another worker that had
    claimed them, and failed (logged; the rest of the batch goes on)."""

    rendered: int = 0
    cached: int = 0
    claimed_elsewhere: int = 0
    failed: int = 0


def care_plan_pdfs_prepare_due(*, days_ahead: int = REVIEW_DAYS_AHEAD) -> BatchReport:
    """Make and cache the PDF of every agreed plan due for review within `days_ahead` days, in
    each patient's language and print size, so the team can print them all at once."""
    return care_plan_pdfs_prepare(plans=plans_due_for_review(days_ahead=days_ahead))


def care_plan_pdfs_prepare_agreed(*, plan_ids: list[Any]) -> BatchReport:
    """Make and cache the PDFs of these plans, soonest review first, each in its patient's
    language and print size; plans no longer agreed (a newer version, say) are left out."""
    plans = printable_plans().filter(pk__in=plan_ids, status=CarePlan.Status.AGREED)
    return care_plan_pdfs_prepare(plans=plans.order_by("review_date", "pk"))


def care_plan_pdfs_prepare(*, plans: QuerySet[CarePlan]) -> BatchReport:
    """Make and cache the PDF of each of these plans in its patient's language and print size.

    Cached per plan version (and per the details printed from outside it), so a rerun renders
    nothing new. Each PDF is claimed in the cache before it is made (`cache.add`), so two
    workers running a batch at once never make the same one twice. The database is read a
    fixed number of times per BATCH_SIZE plans, however many are already cached.
    """
    counts: Counter[str] = Counter()
    for chunk in _chunks(plans.iterator(chunk_size=BATCH_SIZE), BATCH_SIZE):
        prints = _prints(chunk)
        cached = cache.get_many([f"{key}:ready" for key in prints])
        counts["cached"] += len(cached)
        for key, (plan, large, language) in prints.items():
            if f"{key}:ready" not in cached:
                counts[_render_claimed(key, plan=plan, large=large, language=language)] += 1
    return BatchReport(**counts)


def plans_ready(plans: Sequence[CarePlan]) -> set[Any]:
    """The ids of these plans whose print (in their patient's language and size) is cached:
    one query for the treatment summaries and one cache read, however many plans."""
    prints = _prints(plans)
    ready = cache.get_many([f"{key}:ready" for key in prints])
    return {plan.pk for key, (plan, _, _) in prints.items() if f"{key}:ready" in ready}


def _prints(plans: Sequence[CarePlan]) -> dict[str, tuple[CarePlan, bool, str]]:
    """Each plan's print in its patient's settings, by cache key."""
    summaries = dict(
        TreatmentSummary.objects.filter(case_id__in={p.case_id for p in plans}).values_list(
            "case_id", "version"
        )
    )
    prints: dict[str, tuple[CarePlan, bool, str]] = {}
    for plan in plans:
        large, language = print_settings(plan.case.patient)
        key = _key(plan, large=large, language=language, summary=summaries.get(plan.case_id))
        prints[key] = (plan, large, language)
    return prints


def _chunks(items: Iterable[CarePlan], size: int) -> Iterator[list[CarePlan]]:
    iterator = iter(items)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _render_claimed(key: str, *, plan: CarePlan, large: bool, language: str) -> str:
    claim = f"{key}:claim"
    if not cache.add(claim, os.getpid(), settings.PDF_RENDER_TIMEOUT + CLAIM_MARGIN_SECONDS):
        return "claimed_elsewhere"
    try:
        pdf = _care_plan_pdf_render(plan=plan, large=large, language=language)
    except PdfRenderError:
        logger.warning("Could not print care plan %s in the batch", plan.pk, exc_info=True)
        return "failed"
    else:
        _cache_pdf(key, pdf)
        return "rendered"
    finally:
        cache.delete(claim)


def care_plan_pdfs_request(
    *, actor: User, plans: Sequence[CarePlan], request: HttpRequest | None = None
) -> int:
    """Ask the worker to prepare these plans' PDFs now (the "plans due for review" page's
    button), each in its patient's language and print size; returns how many were asked for.

    Rules:
    - there is at least one plan to prepare (a ValidationError says there is nothing to print);
    - the ask is audited as an export of the plans due, and the worker is asked only once that
      entry has committed (`careplans.tasks.prepare_care_plans_for_printing`).
    """
    if not plans:
        raise ValidationError(
            "No care plans are due for review now, so there is nothing to print.",
            code="nothing_due",
        )
    plan_ids = [str(plan.pk) for plan in plans]
    with transaction.atomic():
        audit_record(
            actor=actor,
            action=AuditEvent.Action.EXPORT,
            object_type="careplans.plansdue",
            summary=f"Asked for {len(plans)} care plan(s) due for review to be printed",
            request=request,
        )
        transaction.on_commit(partial(_prepare_enqueue, plan_ids))
    return len(plan_ids)


def _prepare_enqueue(plan_ids: list[str]) -> None:
    # Imported here because careplans.tasks imports this module (as messaging's services do).
    from careplans.tasks import prepare_care_plans_for_printing

    prepare_care_plans_for_printing.delay(plan_ids)

"""The service directory from an Open Referral UK feed: import (from a URL or a file; by the
`import_directory` command and the nightly job), and the team lead's mapping of the feed's
taxonomy terms to our topics.

The import is all or nothing and idempotent: a feed with any problem changes nothing and is
recorded with its problems, entry by entry; the same feed twice changes nothing (each service's
digest of what the feed said is kept, and rows are written only when it differs); a service
that has left the feed is withdrawn, never deleted, so plans that signposted it still show it.
"""

import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from careplans.directory_feed.fetch import FeedUnavailable, feed_fetch, feed_read_file
from careplans.directory_feed.parse import FeedProblem, FeedService, FeedTerm, feed_read
from careplans.models import (
    DirectoryImport,
    DirectoryOrganization,
    DirectoryService,
    FeedTaxonomyTerm,
    Location,
    RegularSchedule,
    ServiceArea,
    ServiceLanguage,
    TaxonomyTerm,
)
from navigator.accounts.models import User
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record

logger = logging.getLogger(__name__)


@dataclass
class ImportResult:
    record: DirectoryImport
    problems: list[FeedProblem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.record.outcome != DirectoryImport.Outcome.REFUSED

    def summary(self) -> str:
        r = self.record
        if not self.ok:
            return f"Refused the feed from {r.source}: {len(self.problems)} problem(s); nothing changed."
        return (
            f"Imported {r.services_in_feed} services from {r.source}: {r.added} added, "
            f"{r.updated} updated, {r.withdrawn} withdrawn, {r.unchanged} unchanged."
        )


def _is_url(source: str) -> bool:
    return source.startswith(("http://", "https://"))


def directory_feed_import_from(*, source: str, actor: User | None = None) -> ImportResult:
    """Import the feed at `source`, a URL (every page fetched, within
    `DIRECTORY_FEED_TIMEOUT_SECONDS` a request and `DIRECTORY_FEED_MAX_BYTES` in all) or a file
    path."""
    started = timezone.now()
    try:
        if _is_url(source):
            document = feed_fetch(
                source,
                timeout=settings.DIRECTORY_FEED_TIMEOUT_SECONDS,
                max_bytes=settings.DIRECTORY_FEED_MAX_BYTES,
            )
        else:
            document = feed_read_file(source, max_bytes=settings.DIRECTORY_FEED_MAX_BYTES)
    except FeedUnavailable as error:
        problem = FeedProblem(None, "", "source", str(error))
        return _refuse(source=source, started=started, problems=[problem])
    return directory_feed_import(document=document, source=source, actor=actor, started=started)


def _refuse(*, source: str, started: Any, problems: list[FeedProblem]) -> ImportResult:
    record = DirectoryImport.objects.create(
        source=source[:500],
        started_at=started,
        outcome=DirectoryImport.Outcome.REFUSED,
        problems=[
            {"index": p.index, "id": p.id, "field": p.field, "problem": p.problem} for p in problems
        ],
    )
    for p in problems[:50]:
        logger.warning("Directory feed %s refused: %s", source, p)
    return ImportResult(record=record, problems=problems)


def directory_feed_import(
    *, document: Any, source: str, actor: User | None = None, started: Any = None
) -> ImportResult:
    """Apply an ORUK feed document (decoded JSON) to the directory, or change nothing and say
    what was wrong. Returns the run's record (also kept as a `DirectoryImport`)."""
    started = started or timezone.now()
    reading = feed_read(document)
    if reading.problems:
        return _refuse(source=source, started=started, problems=reading.problems)
    with transaction.atomic():
        counts = _apply(reading.services, now=timezone.now())
        outcome = (
            DirectoryImport.Outcome.APPLIED
            if counts["added"] or counts["updated"] or counts["withdrawn"]
            else DirectoryImport.Outcome.UNCHANGED
        )
        record = DirectoryImport.objects.create(
            source=source[:500],
            started_at=started,
            outcome=outcome,
            services_in_feed=len(reading.services),
            **counts,
        )
        result = ImportResult(record=record)
        if outcome == DirectoryImport.Outcome.APPLIED:
            audit_record(
                actor=actor,
                action=AuditEvent.Action.UPDATE,
                obj=record,
                summary=result.summary()[:200],
            )
    logger.info("%s", result.summary())
    return result


def _apply(services: list[FeedService], *, now: Any) -> dict[str, int]:
    counts = {"added": 0, "updated": 0, "withdrawn": 0, "unchanged": 0}
    existing = {
        s.feed_id: s for s in DirectoryService.objects.select_for_update().exclude(feed_id="")
    }
    organizations = {o.feed_id: o for o in DirectoryOrganization.objects.exclude(feed_id="")}
    locations = {loc.feed_id: loc for loc in Location.objects.exclude(feed_id="")}
    terms = {t.feed_id: t for t in FeedTaxonomyTerm.objects.prefetch_related("topics")}
    for item in services:
        service = existing.get(item.feed_id)
        digest = item.digest()
        if service is not None and service.feed_digest == digest:
            counts["unchanged"] += 1
            continue
        org = _upsert(
            organizations,
            DirectoryOrganization,
            item.organization.feed_id,
            name=item.organization.name,
            description=item.organization.description,
            url=item.organization.url,
            email=item.organization.email,
        )
        values = {
            "organization": org,
            "name": item.name,
            "description": item.description,
            "url": item.url,
            "email": item.email,
            "phone": item.phone,
            "self_refer": item.self_refer,
            "how_to_refer": item.how_to_refer,
            "eligibility": item.eligibility,
            "status": DirectoryService.Status.ACTIVE
            if item.is_active
            else DirectoryService.Status.WITHDRAWN,
            "feed_digest": digest,
            "updated_at": now,
        }
        if service is None:
            service = DirectoryService.objects.create(feed_id=item.feed_id, **values)
            counts["added"] += 1
        else:
            for name, value in values.items():
                setattr(service, name, value)
            counts["updated"] += 1
        if service.status == DirectoryService.Status.WITHDRAWN:
            service.withdrawn_at = service.withdrawn_at or now
        else:
            service.withdrawn_at = None
        service.save()
        _children(service, item, locations=locations, terms=terms)
        _topics_refresh(service, list(service.feed_terms.all()))
    gone = [
        s
        for feed_id, s in existing.items()
        if feed_id not in {i.feed_id for i in services}
        and s.status == DirectoryService.Status.ACTIVE
    ]
    for service in gone:
        service.status = DirectoryService.Status.WITHDRAWN
        service.withdrawn_at = now
        service.updated_at = now
        # Forget the digest, so the service coming back to the feed is listed again.
        service.feed_digest = ""
        service.save(update_fields=["status", "withdrawn_at", "updated_at", "feed_digest"])
        counts["withdrawn"] += 1
    return counts


def _upsert(cache: dict[str, Any], model: Any, feed_id: str, **values: Any) -> Any:
    row = cache.get(feed_id)
    if row is None:
        row = cache[feed_id] = model.objects.create(feed_id=feed_id, **values)
    elif any(getattr(row, k) != v for k, v in values.items()):
        for k, v in values.items():
            setattr(row, k, v)
        row.save()
    return row


def _term(terms: dict[str, FeedTaxonomyTerm], term: FeedTerm) -> FeedTaxonomyTerm:
    row = terms.get(term.feed_id)
    if row is None:
        row = terms[term.feed_id] = FeedTaxonomyTerm.objects.create(
            feed_id=term.feed_id, name=term.name, vocabulary=term.vocabulary
        )
    elif (row.name, row.vocabulary) != (term.name, term.vocabulary):
        row.name, row.vocabulary = term.name, term.vocabulary
        row.save(update_fields=["name", "vocabulary"])
    return row


def _children(
    service: DirectoryService,
    item: FeedService,
    *,
    locations: dict[str, Location],
    terms: dict[str, FeedTaxonomyTerm],
) -> None:
    """Replace what the service's digest covers: its areas, languages, opening times,
    locations and feed terms (only called when the digest changed)."""
    service.areas.all().delete()
    ServiceArea.objects.bulk_create(
        ServiceArea(service=service, kind=a.kind, value=a.value) for a in item.areas
    )
    service.languages.all().delete()
    ServiceLanguage.objects.bulk_create(
        ServiceLanguage(service=service, code=code, name=name) for code, name in item.languages
    )
    service.schedules.all().delete()
    RegularSchedule.objects.bulk_create(
        RegularSchedule(
            service=service,
            weekday=o.weekday,
            opens_at=o.opens_at,
            closes_at=o.closes_at,
            note=o.note,
        )
        for o in item.openings
    )
    service.locations.set(
        [
            _upsert(
                locations,
                Location,
                loc.feed_id,
                name=loc.name[:200],
                address_1=loc.address_1,
                city=loc.city,
                postcode=loc.postcode,
            )
            for loc in item.locations
        ]
    )
    service.feed_terms.set([_term(terms, t) for t in item.terms])


def _topics_refresh(service: DirectoryService, feed_terms: list[FeedTaxonomyTerm]) -> bool:
    """Set the service's topics and tumour sites from its feed terms' mapping; True if either
    changed."""
    topics = {topic.pk for term in feed_terms for topic in term.topics.all()}
    sites = ", ".join(sorted({t.tumour_site for t in feed_terms if t.tumour_site}))
    changed = False
    if set(service.taxonomy_terms.values_list("pk", flat=True)) != topics:
        service.taxonomy_terms.set(topics)
        changed = True
    if service.tumour_sites != sites:
        service.tumour_sites = sites
        service.save(update_fields=["tumour_sites"])
        changed = True
    return changed


@transaction.atomic
def feed_term_map(
    *,
    term: FeedTaxonomyTerm,
    topics: list[TaxonomyTerm],
    tumour_site: str,
    actor: User | None,
    request: HttpRequest | None = None,
) -> int:
    """Say what a feed's taxonomy term means to us (our topics, and a tumour site for a term
    naming a cancer); every imported service carrying the term follows at once. Returns how
    many services' matching changed."""
    term = FeedTaxonomyTerm.objects.select_for_update().get(pk=term.pk)
    before = sorted(term.topics.values_list("code", flat=True))
    after = sorted(t.code for t in topics)
    tumour_site = tumour_site.strip()
    if before == after and term.tumour_site == tumour_site:
        return 0
    term.topics.set(topics)
    if term.tumour_site != tumour_site:
        term.tumour_site = tumour_site
        term.save(update_fields=["tumour_site"])
    changed = 0
    services = DirectoryService.objects.filter(feed_terms=term).prefetch_related(
        "feed_terms__topics"
    )
    for service in services:
        changed += _topics_refresh(service, list(service.feed_terms.all()))
    audit_record(
        actor=actor,
        action=AuditEvent.Action.UPDATE,
        obj=term,
        summary=(
            f"Mapped feed term {term.name} to {', '.join(after) or 'no topics'}"
            f"{f' ({tumour_site} cancer)' if tumour_site else ''}; was "
            f"{', '.join(before) or 'no topics'}"
        )[:200],
        request=request,
    )
    return changed

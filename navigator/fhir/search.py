"""Reading and searching the registered sources for one user: the views' only way to rows.

A search is answered source by source (a Task search reads chase tasks, then tracked items):
one count per source, then only the slice of the page from each, so a page costs the same
number of queries however many rows match.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from navigator.accounts.models import User
from navigator.fhir.registry import (
    SearchError,
    Source,
    definitions_for,
    resource_types,
    sources_for,
)

# Search result parameters the API reads itself; every other parameter must be a search.
PAGE = "_page"
COUNT = "_count"
FORMAT = "_format"
RESULT_PARAMS = frozenset({PAGE, COUNT, FORMAT})
DEFAULT_COUNT = 50
MAX_COUNT = 100


@dataclass(frozen=True)
class Found:
    """A row and the source it came from; or, with no source, a fixed definition (a dict)."""

    source: Source | None
    row: Any

    def resource(self) -> dict[str, Any]:
        return self.source.resource(self.row) if self.source else self.row

    @property
    def patient_id(self) -> Any:
        return self.source.patient_id(self.row) if self.source else None


def read(user: User, resource_type: str, resource_id: str) -> Found | None:
    """The row with this FHIR id, if `user` may see it."""
    for source in sources_for(resource_type):
        wanted = source.id_filter(resource_id)
        if wanted is None:
            continue
        row = source.rows(user).filter(wanted).first()
        if row is not None:
            return Found(source, row)
    return None


def supported_params(resource_type: str) -> dict[str, str]:
    """Every search parameter any source of the type answers: name -> FHIR type."""
    found: dict[str, str] = {"url": "uri"} if definitions_for(resource_type) else {}
    for source in sources_for(resource_type):
        found.update({name: p.type for name, p in source.search_params().items()})
    return found


def parse_params(resource_type: str, query: Iterable[tuple[str, str]]) -> list[tuple[str, str]]:
    """The search parameters in a query string, checked against what the type supports."""
    supported = supported_params(resource_type)
    given = []
    for name, value in query:
        if name in RESULT_PARAMS:
            continue
        if ":" in name:
            raise SearchError(f"{name}: search modifiers are not supported.")
        if name not in supported:
            names = ", ".join(sorted(supported)) or "none"
            raise SearchError(
                f"{name} is not a search parameter for {resource_type} here (supported: {names})."
            )
        if not value:
            raise SearchError(f"{name}: give a value.")
        given.append((name, value))
    return given


def _matching(source: Source, user: User, params: list[tuple[str, str]]) -> QuerySet[Any] | None:
    if not source.searchable:
        return None
    known = source.search_params()
    rows = source.rows(user)
    for name, value in params:
        if name not in known:
            return None  # this source cannot match that parameter, so holds no match
        rows = rows.filter(known[name].apply([v.strip() for v in value.split(",")]))
    return rows.order_by(*source.order)


def search(
    user: User, resource_type: str, params: list[tuple[str, str]], *, offset: int, count: int
) -> tuple[list[Found], int]:
    """One page of matches (from `offset`, at most `count`) and how many match in all."""
    page: list[Found] = []
    urls = {v.strip() for name, value in params if name == "url" for v in value.split(",")}
    definitions = [
        d for d in definitions_for(resource_type).values() if not urls or d["url"] in urls
    ]
    # Fixed definitions first: they are few, and need no query.
    page += [Found(None, d) for d in definitions[offset : offset + count]]
    total = len(definitions)
    # A value one source cannot read may be another's (Task status `ready` is a chase task's):
    # refused only when no source that takes the parameters could read it.
    refusals: list[SearchError] = []
    answered = bool(definitions)
    for source in sources_for(resource_type):
        try:
            rows = _matching(source, user, params)
        except SearchError as refused:
            refusals.append(refused)
            continue
        if rows is None:
            continue
        answered = True
        matches = rows.count()
        start = max(offset - total, 0)
        wanted = count - len(page)
        if wanted > 0 and start < matches:
            page += [Found(source, row) for row in rows[start : start + wanted]]
        total += matches
    if refusals and not answered:
        raise refusals[0]
    return page, total


def everything(user: User, patient_id: Any) -> list[Found]:
    """Every record about one patient that `user` may see, type by type (the patient first).
    The caller has checked that `user` may see the patient."""
    found: list[Found] = []
    for resource_type in _types_about_patients():
        for source in sources_for(resource_type):
            if not (source.searchable and source.patient_path):
                continue
            rows = source.rows(user).filter(**{source.patient_path: patient_id})
            found += [Found(source, row) for row in rows.order_by(*source.order)]
    return found


def _types_about_patients() -> list[str]:
    types = [t for t in resource_types() if any(s.patient_path for s in sources_for(t))]
    return sorted(types, key=lambda t: (t != "Patient", t))

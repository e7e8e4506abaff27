"""What the FHIR API serves: each app registers its resource types here from its
`AppConfig.ready()`, and the views, the CapabilityStatement and `$everything` read only this.

A `Source` is one kind of row served as one FHIR resource type: the rows a user may see (the
app's own rules, so a row the rules refuse is never found), how one row becomes a resource, and
the searches it answers. A type may have several sources (a Task is a chase task or a tracked
item awaiting action); each then has its own id prefix, so an id names exactly one row.
Definitions (our CodeSystems and StructureDefinitions) are fixed resources, registered whole.
"""

import datetime as dt
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Model, Q, QuerySet
from django.utils import timezone

from navigator.accounts.models import User


class SearchError(ValueError):
    """A search the API cannot answer as asked: a 400 whose message says why."""


@dataclass(frozen=True)
class SearchParam:
    """One search parameter: `apply` turns one value (comma-separated alternatives, already
    split) into a filter; raise `SearchError` for a value it cannot read."""

    name: str
    type: str  # FHIR's search parameter type: token, reference, date, string
    documentation: str
    apply: Callable[[list[str]], Q]


@dataclass(frozen=True)
class Source:
    resource_type: str
    description: str
    # The rows `user` may see, with what `build` reads already joined or prefetched.
    rows: Callable[[User], QuerySet[Any]]
    build: Callable[[Any], dict[str, Any]]
    profile: str = ""
    prefix: str = ""
    # The path from a row to its patient's id: enables the `patient` search, `$everything`
    # and the patient's audit trail. Empty for rows about no one patient (an organisation).
    patient_path: str = ""
    # The row's last change, a field path: enables `_lastUpdated` and `meta.lastUpdated`.
    updated_path: str = ""
    params: Sequence[SearchParam] = ()
    order: Sequence[str] = ("pk",)
    # A row's id in FHIR and back; by default the row's UUID after `prefix`.
    id_of: Callable[[Any], str] | None = None
    lookup: Callable[[str], Q | None] | None = None
    # A Binary (a document's bytes) is read one at a time, never listed: no search, and not in
    # `$everything` (its DocumentReference is, with the Binary's address).
    searchable: bool = True

    def resource_id(self, row: Any) -> str:
        return self.id_of(row) if self.id_of else f"{self.prefix}{row.pk}"

    def id_filter(self, resource_id: str) -> Q | None:
        """The filter for the row with this FHIR id, or None if the id is not one of ours."""
        if not resource_id.startswith(self.prefix):
            return None
        rest = resource_id[len(self.prefix) :]
        if self.lookup is not None:
            return self.lookup(rest)
        try:
            return Q(pk=uuid.UUID(rest))
        except ValueError:
            return None

    def search_params(self) -> dict[str, SearchParam]:
        found = {}
        if self.patient_path and self.resource_type != "Patient":
            found["patient"] = SearchParam(
                "patient",
                "reference",
                "The patient the record is about: `Patient/<id>` or the id.",
                lambda values: _patient_filter(self.patient_path, values),
            )
        if self.updated_path:
            found["_lastUpdated"] = SearchParam(
                "_lastUpdated",
                "date",
                "When the record last changed, with a prefix (ge, gt, le, lt, eq): a date "
                "(YYYY-MM-DD, a day in Europe/London) or a time with its offset.",
                lambda values: _date_filter(self.updated_path, values),
            )
        found.update({param.name: param for param in self.params})
        return found

    def resource(self, row: Any) -> dict[str, Any]:
        """The row as a resource, with its id, profile and last change in `meta`."""
        out = self.build(row)
        meta: dict[str, Any] = {}
        if self.updated_path:
            meta["lastUpdated"] = value_at(row, self.updated_path).isoformat()
        if self.profile:
            meta["profile"] = [self.profile]
        meta.update(out.get("meta", {}))
        return {"resourceType": self.resource_type, "id": self.resource_id(row), "meta": meta,
                **{k: v for k, v in out.items() if k not in ("meta", "resourceType", "id")}}  # fmt: skip

    def patient_id(self, row: Any) -> Any:
        return value_at(row, self.patient_path) if self.patient_path else None


@dataclass
class _Registry:
    sources: dict[str, list[Source]] = field(default_factory=dict)
    definitions: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


_registry = _Registry()


def fhir_source_register(source: Source) -> None:
    """Serve `source`'s rows as `source.resource_type`. Call from an `AppConfig.ready()`."""
    existing = _registry.sources.setdefault(source.resource_type, [])
    if existing and not (source.prefix and all(other.prefix for other in existing)):
        raise ValueError(
            f"{source.resource_type} has several sources: each needs its own id prefix."
        )
    if any(other.prefix == source.prefix for other in existing):
        return  # registered already (ready() can run twice in tests)
    existing.append(source)


def fhir_definition_register(resource: dict[str, Any]) -> None:
    """Serve a fixed resource (a CodeSystem, a StructureDefinition) at its type and id; its
    canonical `url` must be that address (`addresses.canonical`)."""
    _registry.definitions.setdefault(resource["resourceType"], {})[resource["id"]] = resource


def sources_for(resource_type: str) -> list[Source]:
    return list(_registry.sources.get(resource_type, []))


def definitions_for(resource_type: str) -> dict[str, dict[str, Any]]:
    return dict(_registry.definitions.get(resource_type, {}))


def resource_types() -> list[str]:
    return sorted({*_registry.sources, *_registry.definitions})


def value_at(row: Model, path: str) -> Any:
    """A field path (`case__patient_id`) read from a row whose relations are already fetched."""
    value: Any = row
    for part in path.split("__"):
        value = getattr(value, part)
    return value


def _patient_filter(path: str, values: list[str]) -> Q:
    ids = []
    for value in values:
        given = value.removeprefix("Patient/")
        try:
            ids.append(uuid.UUID(given))
        except ValueError as bad:
            raise SearchError(f"patient: {value!r} is not a patient's id.") from bad
    return Q(**{f"{path}__in": ids})


_PREFIXES = ("eq", "ne", "gt", "lt", "ge", "le")


def _date_filter(path: str, values: list[str]) -> Q:
    """A FHIR date search: any of `values` (OR), each a prefix and a date or a time."""
    found = Q()
    for value in values:
        prefix, text = ("eq", value)
        if value[:2] in _PREFIXES:
            prefix, text = value[:2], value[2:]
        if prefix == "ne":
            raise SearchError("_lastUpdated: the ne prefix is not supported; use gt and lt.")
        start, end = _date_range(text)
        if prefix == "eq":
            found |= Q(**{f"{path}__gte": start, f"{path}__lt": end})
        elif prefix == "gt":
            found |= Q(**{f"{path}__gte": end})
        elif prefix == "ge":
            found |= Q(**{f"{path}__gte": start})
        elif prefix == "lt":
            found |= Q(**{f"{path}__lt": start})
        else:  # le
            found |= Q(**{f"{path}__lt": end})
    return found


def _date_range(text: str) -> tuple[dt.datetime, dt.datetime]:
    """The instants a FHIR date or dateTime covers: a whole day (in Europe/London) for a date,
    one second for a time (FHIR's precision for lastUpdated in our resources)."""
    try:
        if len(text) == 10:
            day = dt.date.fromisoformat(text)
            start = timezone.make_aware(dt.datetime.combine(day, dt.time()))
            end = timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time()))
            return start, end
        moment = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as bad:
        raise SearchError(
            f"_lastUpdated: {text!r} is not a date (YYYY-MM-DD) or a time with its offset."
        ) from bad
    if moment.tzinfo is None:
        raise SearchError(f"_lastUpdated: {text!r} needs its offset from UTC (such as Z).")
    return moment, moment + dt.timedelta(seconds=1)


def token_filter(path: str, choices: dict[str, Any], name: str) -> Callable[[list[str]], Q]:
    """A token search on a coded field: each FHIR code maps to the filter for it."""

    def apply(values: list[str]) -> Q:
        found = Q()
        for value in values:
            code = value.rpartition("|")[2]
            if code not in choices:
                known = ", ".join(sorted(choices))
                raise SearchError(f"{name}: {value!r} is not one of {known}.")
            chosen = choices[code]
            found |= chosen if isinstance(chosen, Q) else Q(**{f"{path}__in": chosen})
        return found

    return apply


def inverse(mapping: dict[Any, str]) -> dict[str, list[str]]:
    """Our values by the FHIR code each maps to, for `token_filter`."""
    out: dict[str, list[str]] = {}
    for ours, theirs in mapping.items():
        out.setdefault(theirs, []).append(str(ours))
    return out

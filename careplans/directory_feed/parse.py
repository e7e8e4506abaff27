"""Check and read an Open Referral UK feed (the ORUK API's `GET /services` page: services with
their organisation, locations, service areas, taxonomies, contacts, schedules, eligibility and
languages), all or nothing: every problem is named by entry (index, id, field, what is wrong),
and a feed with any problem is read as no feed at all.

The shape is ORUK's JSON API (openreferraluk.org, `service` with nested `organization`,
`service_at_locations[].location.physical_addresses`, `service_areas`, `service_taxonomys[]
.taxonomy`, `contacts[].phones`, `regular_schedules`, `eligibilitys`, `languages`). A page is
`{"totalElements", "totalPages", "number", "size", "first", "last", "content": [service, ...]}`;
a bare list of services is read too.
"""

import datetime as dt
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from typing import Any

# Area words that mean the whole country; ONS codes for the UK and Great Britain.
NATIONWIDE_NAMES = frozenset({"uk", "united kingdom", "national", "nationwide", "great britain"})
NATIONWIDE_CODES = ("K02000001", "K03000001")
POSTCODE_DISTRICT = re.compile(r"^[A-Z]{1,2}[0-9][0-9A-Z]?$")
STATUSES = frozenset({"active", "inactive", "defunct", "temporarily closed"})
WEEKDAYS = {"MO": 1, "TU": 2, "WE": 3, "TH": 4, "FR": 5, "SA": 6, "SU": 7}
BYDAY = re.compile(r"^(-?\d)?(MO|TU|WE|TH|FR|SA|SU)$")
TIME = re.compile(r"^([01]\d|2[0-3]):([0-5]\d)(:[0-5]\d)?(Z|[+-]\d\d:?\d\d)?$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
URL = re.compile(r"^https?://\S+$")
# ISO 639-1 codes of languages UK services commonly offer, with their English names; a feed may
# give either the code (as ORUK asks) or the name (as many feeds do).
LANGUAGES = {
    "en": "English", "cy": "Welsh", "gd": "Scottish Gaelic", "ga": "Irish", "bn": "Bengali",
    "pa": "Punjabi", "ur": "Urdu", "gu": "Gujarati", "hi": "Hindi", "pl": "Polish",
    "ro": "Romanian", "ar": "Arabic", "so": "Somali", "zh": "Chinese", "pt": "Portuguese",
    "es": "Spanish", "fr": "French", "lt": "Lithuanian", "ta": "Tamil", "tr": "Turkish",
    "fa": "Persian", "ku": "Kurdish", "ps": "Pashto", "ti": "Tigrinya", "uk": "Ukrainian",
}  # fmt: skip
LANGUAGE_BY_NAME = {name.lower(): code for code, name in LANGUAGES.items()} | {"cymraeg": "cy"}
# ORUK's attending_access: "referral" means a professional must refer the person.
REFERRAL_ONLY = "referral"
HOW_TO_REFER = {
    "referral": "Your navigator, GP or nurse specialist refers you.",
    "drop-in": "Drop in, no appointment needed.",
    "appointment": "Call or email to book.",
    "membership": "Call or email to join.",
}
DEFAULT_HOW_TO_REFER = "Call or email the service."

# Bounds that keep one feed from filling the database.
MAX_SERVICES = 5000
MAX_TEXT = 5000


@dataclass(frozen=True)
class FeedProblem:
    """What is wrong, and where: `index` and `id` of the service in the feed (None for the feed
    as a whole), the `field` (a path such as `service_areas[2].service_area`)."""

    index: int | None
    id: str
    field: str
    problem: str

    def __str__(self) -> str:
        where = "feed" if self.index is None else f"service {self.index} (id {self.id or '?'})"
        return f"{where}, {self.field}: {self.problem}"


@dataclass(frozen=True)
class FeedOrganization:
    feed_id: str
    name: str
    description: str = ""
    url: str = ""
    email: str = ""


@dataclass(frozen=True)
class FeedLocation:
    feed_id: str
    name: str
    address_1: str = ""
    city: str = ""
    postcode: str = ""


@dataclass(frozen=True)
class FeedTerm:
    feed_id: str
    name: str
    vocabulary: str = ""


@dataclass(frozen=True)
class FeedArea:
    kind: str  # "postcode_district", "local_authority" or "nationwide" (ServiceArea.Kind)
    value: str


@dataclass(frozen=True)
class FeedOpening:
    weekday: int
    opens_at: str  # "HH:MM"
    closes_at: str
    note: str = ""  # "2nd of the month", "last of the month", "every 2 weeks"


@dataclass(frozen=True)
class FeedService:
    feed_id: str
    name: str
    organization: FeedOrganization
    description: str = ""
    url: str = ""
    email: str = ""
    phone: str = ""
    is_active: bool = True
    self_refer: bool = True
    how_to_refer: str = DEFAULT_HOW_TO_REFER
    eligibility: str = ""
    locations: tuple[FeedLocation, ...] = ()
    areas: tuple[FeedArea, ...] = ()
    languages: tuple[tuple[str, str], ...] = ()
    terms: tuple[FeedTerm, ...] = ()
    openings: tuple[FeedOpening, ...] = ()

    def digest(self) -> str:
        """A fingerprint of everything the feed says about the service: equal digests, nothing
        to change."""
        text = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class FeedReading:
    services: list[FeedService] = field(default_factory=list)
    problems: list[FeedProblem] = field(default_factory=list)


class _Entry:
    """Reads one service's fields, noting each problem against it."""

    def __init__(self, reading: FeedReading, index: int, raw: dict[str, Any]):
        self.reading, self.index, self.raw = reading, index, raw
        raw_id = raw.get("id")
        self.id = raw_id.strip() if isinstance(raw_id, str) else ""

    def problem(self, where: str, what: str) -> None:
        self.reading.problems.append(FeedProblem(self.index, self.id, where, what))

    def text(
        self, obj: dict[str, Any], key: str, where: str, *, required: bool = False, limit: int = 200
    ) -> str:
        value = obj.get(key)
        if value is None or value == "":
            if required:
                self.problem(where, "is missing")
            return ""
        if not isinstance(value, str):
            self.problem(where, f"should be text, not {type(value).__name__}")
            return ""
        value = value.strip()
        if len(value) > limit:
            self.problem(where, f"is longer than {limit} characters")
            return ""
        return value

    def items(self, obj: dict[str, Any], key: str, where: str) -> list[tuple[str, dict[str, Any]]]:
        value = obj.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.problem(where, "should be a list")
            return []
        out = []
        for n, item in enumerate(value):
            if isinstance(item, dict):
                out.append((f"{where}[{n}]", item))
            else:
                self.problem(f"{where}[{n}]", "should be an object")
        return out


def feed_read(document: Any) -> FeedReading:
    """Every service in an ORUK feed document (already decoded JSON), or the problems that make
    it unusable. A page saying it holds more services than it carries is a partial feed."""
    reading = FeedReading()
    if isinstance(document, list):
        content: Any = document
    elif isinstance(document, dict) and "content" in document:
        content = document["content"]
        total = document.get("totalElements")
        if isinstance(content, list) and isinstance(total, int) and total != len(content):
            reading.problems.append(
                FeedProblem(
                    None,
                    "",
                    "totalElements",
                    f"the feed says it has {total} services but {len(content)} arrived "
                    "(a partial feed)",
                )
            )
    else:
        reading.problems.append(
            FeedProblem(None, "", "content", "not an Open Referral UK services feed")
        )
        return reading
    if not isinstance(content, list):
        reading.problems.append(FeedProblem(None, "", "content", "should be a list of services"))
        return reading
    if not content:
        # An empty feed would withdraw every service: far likelier a fault than the truth.
        reading.problems.append(FeedProblem(None, "", "content", "the feed lists no services"))
        return reading
    if len(content) > MAX_SERVICES:
        reading.problems.append(
            FeedProblem(None, "", "content", f"more than {MAX_SERVICES} services")
        )
        return reading
    seen: dict[str, int] = {}
    for index, raw in enumerate(content):
        if not isinstance(raw, dict):
            reading.problems.append(FeedProblem(index, "", "service", "should be an object"))
            continue
        entry = _Entry(reading, index, raw)
        if entry.id and entry.id in seen:
            entry.problem("id", f"is used by service {seen[entry.id]} too")
        elif entry.id:
            seen[entry.id] = index
        service = _service(entry)
        if service is not None:
            reading.services.append(service)
    if reading.problems:
        reading.services = []
    return reading


def _service(e: _Entry) -> FeedService | None:
    raw = e.raw
    before = len(e.reading.problems)
    if not e.id:
        e.problem("id", "is missing")
    name = e.text(raw, "name", "name", required=True)
    organization = _organization(e)
    status = e.text(raw, "status", "status") or "active"
    if status not in STATUSES:
        e.problem("status", f"'{status}' is not one of {', '.join(sorted(STATUSES))}")
    url = e.text(raw, "url", "url", limit=200)
    if url and not URL.match(url):
        e.problem("url", f"'{url}' is not a web address")
    email = e.text(raw, "email", "email", limit=254)
    if email and not EMAIL.match(email):
        e.problem("email", f"'{email}' is not an email address")
    access = e.text(raw, "attending_access", "attending_access").lower()
    service = FeedService(
        feed_id=e.id,
        name=name,
        organization=organization or FeedOrganization(feed_id="", name=""),
        description=e.text(raw, "description", "description", limit=MAX_TEXT),
        url=url,
        email=email,
        phone=_phone(e),
        is_active=status == "active",
        self_refer=access != REFERRAL_ONLY,
        how_to_refer=HOW_TO_REFER.get(access, DEFAULT_HOW_TO_REFER),
        eligibility=_eligibility(e),
        locations=_locations(e),
        areas=_areas(e),
        languages=_languages(e),
        terms=_terms(e),
        openings=_openings(e),
    )
    return service if len(e.reading.problems) == before else None


def _organization(e: _Entry) -> FeedOrganization | None:
    raw = e.raw.get("organization")
    if not isinstance(raw, dict):
        e.problem("organization", "is missing" if raw is None else "should be an object")
        return None
    url = e.text(raw, "url", "organization.url")
    if url and not URL.match(url):
        e.problem("organization.url", f"'{url}' is not a web address")
    email = e.text(raw, "email", "organization.email", limit=254)
    if email and not EMAIL.match(email):
        e.problem("organization.email", f"'{email}' is not an email address")
    return FeedOrganization(
        feed_id=e.text(raw, "id", "organization.id", required=True),
        name=e.text(raw, "name", "organization.name", required=True),
        description=e.text(raw, "description", "organization.description", limit=MAX_TEXT),
        url=url,
        email=email,
    )


def _phone(e: _Entry) -> str:
    for where, contact in e.items(e.raw, "contacts", "contacts"):
        for phone_where, phone in e.items(contact, "phones", f"{where}.phones"):
            number = e.text(phone, "number", f"{phone_where}.number", required=True, limit=30)
            if number:
                return number
    return ""


def _eligibility(e: _Entry) -> str:
    # ORUK spells the list `eligibilitys`; HSDS `eligibilities`.
    key = "eligibilitys" if "eligibilitys" in e.raw else "eligibilities"
    words = [
        e.text(item, "eligibility", f"{where}.eligibility")
        for where, item in e.items(e.raw, key, key)
    ]
    return ", ".join(w for w in words if w)[:200]


def _locations(e: _Entry) -> tuple[FeedLocation, ...]:
    out = []
    for where, link in e.items(e.raw, "service_at_locations", "service_at_locations"):
        raw = link.get("location")
        if not isinstance(raw, dict):
            e.problem(f"{where}.location", "is missing")
            continue
        address: dict[str, Any] = {}
        addresses = e.items(raw, "physical_addresses", f"{where}.location.physical_addresses")
        if addresses:
            address = addresses[0][1]
        a_where = f"{where}.location.physical_addresses[0]"
        postcode = e.text(address, "postal_code", f"{a_where}.postal_code", limit=10).upper()
        out.append(
            FeedLocation(
                feed_id=e.text(raw, "id", f"{where}.location.id", required=True),
                name=e.text(raw, "name", f"{where}.location.name") or postcode,
                address_1=e.text(address, "address_1", f"{a_where}.address_1"),
                city=e.text(address, "city", f"{a_where}.city", limit=100),
                postcode=postcode,
            )
        )
    return tuple(sorted(out, key=lambda loc: loc.feed_id))


def _areas(e: _Entry) -> tuple[FeedArea, ...]:
    out = set()
    for where, raw in e.items(e.raw, "service_areas", "service_areas"):
        name = e.text(raw, "service_area", f"{where}.service_area", limit=100) or e.text(
            raw, "name", f"{where}.name", limit=100
        )
        uri = e.text(raw, "uri", f"{where}.uri", limit=500)
        if not name:
            e.problem(f"{where}.service_area", "is missing")
            continue
        compact = "".join(name.split()).upper()
        if name.lower() in NATIONWIDE_NAMES or uri.endswith(NATIONWIDE_CODES):
            out.add(FeedArea("nationwide", ""))
        elif POSTCODE_DISTRICT.match(compact):
            out.add(FeedArea("postcode_district", compact))
        else:
            out.add(FeedArea("local_authority", name))
    if not out:
        e.problem("service_areas", "no area given: say where people must live to use it")
    return tuple(sorted(out, key=lambda a: (a.kind, a.value)))


def _languages(e: _Entry) -> tuple[tuple[str, str], ...]:
    out = {}
    for where, raw in e.items(e.raw, "languages", "languages"):
        # ORUK 1.0 gives `language`; 3.0 gives `code` and `name`.
        given = e.text(raw, "language", f"{where}.language", limit=50) or e.text(
            raw, "code", f"{where}.code", limit=50
        )
        if not given:
            e.problem(f"{where}.language", "is missing")
            continue
        code = given.lower() if given.lower() in LANGUAGES else LANGUAGE_BY_NAME.get(given.lower())
        if code is None:
            e.problem(f"{where}.language", f"'{given}' is not a language we know (ISO 639-1)")
            continue
        out[code] = LANGUAGES[code]
    return tuple(sorted(out.items()))


def _terms(e: _Entry) -> tuple[FeedTerm, ...]:
    out = {}
    for where, link in e.items(e.raw, "service_taxonomys", "service_taxonomys"):
        raw = link.get("taxonomy")
        if not isinstance(raw, dict):
            e.problem(f"{where}.taxonomy", "is missing")
            continue
        term_id = e.text(raw, "id", f"{where}.taxonomy.id", required=True)
        name = e.text(raw, "name", f"{where}.taxonomy.name", required=True)
        if term_id and name:
            out[term_id] = FeedTerm(term_id, name, e.text(raw, "vocabulary", f"{where}.vocabulary"))
    return tuple(sorted(out.values(), key=lambda t: t.feed_id))


def _time(e: _Entry, raw: dict[str, Any], key: str, where: str) -> str:
    value = e.text(raw, key, f"{where}.{key}", required=True, limit=20)
    if value and not TIME.match(value):
        e.problem(f"{where}.{key}", f"'{value}' is not a time (HH:MM)")
        return ""
    return value[:5]


def _openings(e: _Entry) -> tuple[FeedOpening, ...]:
    out = set()
    for where, raw in e.items(e.raw, "regular_schedules", "regular_schedules"):
        opens, closes = _time(e, raw, "opens_at", where), _time(e, raw, "closes_at", where)
        if opens and closes and dt.time.fromisoformat(closes) <= dt.time.fromisoformat(opens):
            e.problem(f"{where}.closes_at", f"closes ({closes}) before it opens ({opens})")
            continue
        days = e.text(raw, "byday", f"{where}.byday", required=True)
        interval = str(raw.get("interval") or "1").strip()
        weekly = e.text(raw, "freq", f"{where}.freq").upper() != "MONTHLY"
        for part in filter(None, (p.strip().upper() for p in days.split(","))):
            match = BYDAY.match(part)
            if match is None:
                e.problem(f"{where}.byday", f"'{part}' is not a day (MO, TU, ... SU)")
            elif opens and closes:
                note = _occurrence(match.group(1), interval=interval, weekly=weekly)
                out.add(FeedOpening(WEEKDAYS[match.group(2)], opens, closes, note))
    return tuple(sorted(out, key=lambda o: (o.weekday, o.opens_at)))


ORDINALS = {"1": "1st", "2": "2nd", "3": "3rd", "4": "4th", "5": "5th", "-1": "last"}


def _occurrence(ordinal: str | None, *, interval: str, weekly: bool) -> str:
    """How often, in words, when not every week (iCal's byday ordinal, freq and interval)."""
    if ordinal:
        return f"{ORDINALS.get(ordinal, ordinal)} of the month"
    if not weekly:
        return "monthly"
    return f"every {interval} weeks" if interval.isdigit() and int(interval) > 1 else ""

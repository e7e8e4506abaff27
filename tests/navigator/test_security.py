"""Project-wide security properties: no public URL by accident, security headers, the audit trail."""

import datetime as dt
import re
import re._parser as regex_parser
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import pytest
from django.core.cache import cache
from django.db import DatabaseError, connection, transaction
from django.db.models import ProtectedError
from django.urls import URLPattern, URLResolver, converters, get_resolver, reverse
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from navigator.accounts.models import Role
from navigator.audit.models import AuditEvent
from navigator.audit.services import audit_record
from tests import factories as f

pytestmark = pytest.mark.django_db

# URLs anyone may open without signing in, by URL name, each for a reason. Everything else must
# send an anonymous visitor to sign in, or answer 401, 403 or 404.
PUBLIC_URLS = {
    # Signing in, by password or by a code by email or text, and the second factor.
    "account_login": "sign in",
    "account_request_login_code": "ask for a sign-in code",
    "request_login_code_text": "ask for a sign-in code by text message",
    "account_confirm_login_code": "enter a sign-in code",
    "mfa_authenticate": "second factor while signing in",
    # Accounts: sign-up (closed unless a service opens it), email confirmation, password reset.
    "account_signup": "sign-up (says it is closed)",
    "account_email_verification_sent": "check your email",
    "account_confirm_email": "confirm an email address from a link",
    "account_inactive": "account is inactive",
    "account_reset_password": "forgotten password",
    "account_reset_password_done": "password reset sent",
    "account_reset_password_from_key": "set a new password from a link",
    "account_reset_password_from_key_done": "password changed",
    "invitation_accept": "accept an invitation from a link",
    # The English / Cymraeg switch in every page's header, sign-in pages included (a cookie).
    "patients:language_switch": "choose English or Cymraeg before signing in",
    "admin:logout": "signing out, which does nothing to someone already signed out",
    # For the load balancer and monitoring: reports only "ok" or "unavailable".
    "healthz": "health check",
    # A GP practice opens a shared care plan by link, after a date-of-birth or NHS-number check.
    "gp_link": "GP practice's read-only care plan link (404 without a live token)",
    "gp_link_pdf": "GP practice's printable care plan (after the check)",
    "gp_link_acknowledge": "GP practice confirms it received the plan (after the check)",
    # FHIR clients read what the server serves before signing in: no one's record is in it.
    "fhir-metadata": "FHIR CapabilityStatement (the resource types and searches served)",
    # Any other address under /fhir/ answers 404 as an OperationOutcome, to everyone.
    "fhir-not-served": "FHIR 404 for an address nothing is served at",
}

REFUSALS = {401, 403, 404}
REDIRECTS = {301, 302, 303, 307, 308}


@dataclass(frozen=True)
class Route:
    name: str  # "namespace:name", or the pattern itself for an unnamed route
    path: str  # a sample path for this route

    def __str__(self) -> str:
        return f"{self.path} ({self.name})"


def project_routes(cast: Any) -> list[Route]:
    return list(_walk(get_resolver(), "/", [], cast))


def _walk(resolver: URLResolver, prefix: str, namespaces: list[str], cast: Any) -> Iterator[Route]:
    for entry in resolver.url_patterns:
        path = prefix + _sample(entry.pattern, cast)
        if isinstance(entry, URLResolver):
            inner = namespaces + [entry.namespace] if entry.namespace else namespaces
            yield from _walk(entry, path, inner, cast)
        else:
            assert isinstance(entry, URLPattern)
            name = ":".join(namespaces + [entry.name]) if entry.name else str(entry.pattern)
            yield Route(name, path)


def _sample(pattern: Any, cast: Any) -> str:
    """Text that `pattern` matches, with real ids where a view might look one up."""
    if isinstance(pattern, RoutePattern):
        return re.sub(
            r"<(?:\w+:)?(\w+)>",
            lambda m: _converter_sample(m.group(1), pattern.converters[m.group(1)], cast),
            str(pattern),
        )
    assert isinstance(pattern, RegexPattern), pattern
    return _regex_sample(regex_parser.parse(str(pattern)))


def _converter_sample(name: str, converter: Any, cast: Any) -> str:
    if isinstance(converter, converters.UUIDConverter):
        return str({"case_id": cast.paul_case.pk}.get(name, uuid.uuid4()))
    if isinstance(converter, converters.IntConverter):
        return "1"
    if isinstance(converter, converters.StringConverter | converters.SlugConverter):
        return "x"  # PathConverter is a StringConverter
    pytest.fail(f"No sample value for <{name}> with converter {converter!r}: add one to this test")


def _regex_sample(parsed: Any) -> str:
    out = []
    for op, arg in parsed:
        kind = str(op)
        if kind == "LITERAL":
            out.append(chr(arg))
        elif kind in ("ANY", "NOT_LITERAL"):
            out.append("x")
        elif kind == "IN":
            out.append(_set_sample(arg))
        elif kind == "BRANCH":
            out.append(_regex_sample(arg[1][0]))
        elif kind == "SUBPATTERN":
            out.append(_regex_sample(arg[-1]))
        elif kind in ("MAX_REPEAT", "MIN_REPEAT"):
            low, _high, repeated = arg
            out.append(_regex_sample(repeated) * max(low, 1))
        elif kind != "AT":
            pytest.fail(f"No sample for the regex element {kind}: extend _regex_sample")
    return "".join(out)


def _set_sample(items: Any) -> str:
    for op, arg in items:
        kind = str(op)
        if kind == "LITERAL" and chr(arg).isalnum():
            return chr(arg)
        if kind == "RANGE":
            return chr(arg[0])
        if kind == "CATEGORY":
            return "1" if "DIGIT" in str(arg) else "x"
    return "x"


def refuses_anonymous(response: Any) -> bool:
    if response.status_code in REFUSALS:
        return True
    if response.status_code in REDIRECTS:
        target = urlsplit(response["Location"]).path
        return target in (reverse("account_login"), reverse("admin:login"))
    return False


def test_every_url_refuses_anonymous_visitors_unless_public_by_design(client, cast):
    cache.clear()
    wrongly_public = []
    for route in project_routes(cast):
        response = client.get(route.path)
        if response.status_code == 405:
            response = client.post(route.path)
        assert response.status_code < 500, route
        if route.name not in PUBLIC_URLS and not refuses_anonymous(response):
            wrongly_public.append(f"{route}: {response.status_code}")
    assert not wrongly_public, (
        "These URLs answer visitors who have not signed in. Protect them (login_required, "
        "get_case_for_user, the API's RulesPermission) or, if they must be public, add them to "
        "PUBLIC_URLS with the reason:\n" + "\n".join(wrongly_public)
    )


def test_the_public_list_names_only_urls_that_exist(cast):
    names = {route.name for route in project_routes(cast)}
    assert set(PUBLIC_URLS) <= names, set(PUBLIC_URLS) - names


def test_the_url_walk_reaches_every_kind_of_route(cast):
    """So the walk itself cannot silently shrink: pages, API, admin, allauth, regex routes."""
    paths = {route.path for route in project_routes(cast)}
    case = cast.paul_case.pk
    assert {
        "/",
        f"/cases/{case}/record-access/",
        f"/api/cases/{case}/",
        "/api/me/",
        "/api/docs/",
        "/admin/",
        "/admin/auth/",
        "/accounts/login/",
        "/accounts/password/reset/key/0-x/",
    } <= paths


# Security headers -------------------------------------------------------------------------------

HSTS = "max-age=31536000; includeSubDomains; preload"


def assert_security_headers(response: Any, where: str) -> None:
    assert response["Content-Type"].startswith("text/html"), where
    assert "default-src 'self'" in response["Content-Security-Policy"], where
    assert "script-src 'self'" in response["Content-Security-Policy"], where
    assert "frame-ancestors 'none'" in response["Content-Security-Policy"], where
    assert response["Strict-Transport-Security"] == HSTS, where
    assert response["X-Content-Type-Options"] == "nosniff", where
    assert response["Referrer-Policy"] == "same-origin", where
    assert response["X-Frame-Options"] == "DENY", where
    assert response["Cache-Control"] == "no-store", where


def pages_for(cast: Any, who: str) -> list[str]:
    if who == "anonymous":
        return [reverse("account_login"), reverse("account_reset_password")]
    if who == "nora":
        return [reverse("mfa_activate_totp")]
    pages = [reverse("home")]
    user = getattr(cast, who)
    if user.has_perm("patients.view_case", cast.paul_case):
        case = {"case_id": cast.paul_case.pk}
        pages += [
            reverse("caseload:case_detail", kwargs=case),
            reverse("patients:case_record_access", kwargs=case),
        ]
    if user.is_staff_role:
        pages.append(reverse("api-docs"))
    return pages


@pytest.mark.parametrize(
    "who",
    ["anonymous", "paul", "carol", "olive", "nadia", "lena", "colin", "oscar", "adam", "nora"],
)
def test_html_pages_carry_the_security_headers(client, cast, settings, who):
    settings.SECURE_SSL_REDIRECT = True
    cache.clear()
    if who == "nora":
        nora = f.make_user("nora@nav.test", role=Role.NAVIGATOR, name="Nora Hale")
        f.join(cast.team, nora)
        client.force_login(nora)
    elif who != "anonymous":
        client.force_login(getattr(cast, who))
    for page in pages_for(cast, who):
        response = client.get(page, secure=True, follow=True)
        assert response.status_code == 200, (page, response.redirect_chain)
        assert_security_headers(response, f"{page} as {who}")


def test_plain_http_is_redirected_to_https(client, cast, settings):
    settings.SECURE_SSL_REDIRECT = True
    client.force_login(cast.paul)
    response = client.get(reverse("home"))
    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def test_api_answers_are_not_cached_or_sniffed(client, cast, settings):
    settings.SECURE_SSL_REDIRECT = True
    cache.clear()
    client.force_login(cast.paul)
    response = client.get(f"/api/cases/{cast.paul_case.pk}/", secure=True)
    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Strict-Transport-Security"] == HSTS


# The audit trail --------------------------------------------------------------------------------


def test_reads_through_the_api_and_the_record_access_page_are_audited(client, cast):
    cache.clear()
    before = timezone.now()
    client.force_login(cast.lena)
    client.get(f"/api/cases/{cast.paul_case.pk}/")
    client.force_login(cast.paul)
    client.get(reverse("patients:case_record_access", kwargs={"case_id": cast.paul_case.pk}))
    entries = AuditEvent.objects.order_by("id")
    assert [(e.actor, e.actor_role, e.action, e.patient_id) for e in entries] == [
        (cast.lena, Role.TEAM_LEAD, "view", cast.paul_patient.pk),
        (cast.paul, Role.PATIENT, "view", cast.paul_patient.pk),
    ]
    assert [e.path for e in entries] == [
        f"/api/cases/{cast.paul_case.pk}/",
        f"/cases/{cast.paul_case.pk}/record-access/",
    ]
    assert all(e.at >= before and e.object_id == str(cast.paul_case.pk) for e in entries)


@pytest.fixture
def entry(cast) -> AuditEvent:
    return audit_record(
        actor=cast.nadia, action="view", obj=cast.paul_case, patient_id=cast.paul_patient.pk
    )


def test_an_audit_entry_cannot_be_changed_through_the_orm(entry):
    entry.actor_label = "Someone else"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()
    assert AuditEvent.objects.get(pk=entry.pk).actor_label == "Nadia Khan"


@pytest.mark.parametrize(
    "sql",
    [
        "UPDATE audit_auditevent SET actor_label = 'Someone else' WHERE id = %s",
        "UPDATE audit_auditevent SET at = '2000-01-01 00:00:00+00:00' WHERE id = %s",
        pytest.param(
            "DELETE FROM audit_auditevent WHERE id = %s",
            marks=pytest.mark.skipif(
                "connection.vendor != 'postgresql'",
                reason="SQLite's trigger refuses updates only: Django flushes its test tables "
                "with DELETE",
            ),
        ),
    ],
)
def test_the_database_refuses_raw_sql_changes_to_audit_entries(entry, sql):
    """A trigger guards the trail below the ORM (on SQLite, against updates only)."""
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [entry.pk])
    entry.refresh_from_db()
    assert entry.actor_label == "Nadia Khan"


def test_bulk_orm_changes_to_audit_entries_are_refused(entry):
    rows = AuditEvent.objects.filter(pk=entry.pk)
    with pytest.raises(PermissionError):
        rows.update(at=timezone.now() - dt.timedelta(days=1))
    with pytest.raises(PermissionError):
        rows.delete()
    assert rows.get().at == entry.at


def test_a_user_named_in_the_trail_cannot_be_deleted(entry, cast):
    with pytest.raises(ProtectedError), transaction.atomic():
        cast.nadia.delete()
    assert AuditEvent.objects.get(pk=entry.pk).actor_id == cast.nadia.pk

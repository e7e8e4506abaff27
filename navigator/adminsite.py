"""The Django admin, for platform administration only, every page and change audited.

What it may hold: data a service maintains without a code change (bank holidays, pathway
standards, follow-up rules, team triage settings, the service directory, information
resources, groups) and, without their secrets, staff authenticators. What it must not: any
record about a patient (people, cases, timelines, messages, texts and emails sent or received,
opt-outs, tracked items, the chase, assessments, plans, share links, the audit trail). Those
are read and changed only through the pages and API, behind `patients/rules.py`, which keeps an
administrator off every care team; the admin would be a way round every rule.
tests/navigator/test_admin.py holds the list of what may be registered, and fails on anything
else.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import admin
from django.db.models import Model, QuerySet
from django.http import HttpRequest, HttpResponse

from navigator.audit.models import AuditEvent
from navigator.audit.services import AuditEntry, audit_record, audit_record_many

Action = AuditEvent.Action


class AuditedModelAdmin(admin.ModelAdmin):
    """Every add, change and delete made in the admin is written to the audit trail too, in
    the admin's own transaction (next to Django's LogEntry, which an administrator could
    delete)."""

    def log_addition(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _audit_change(request, obj, Action.CREATE, "Added")
        return super().log_addition(request, obj, message)

    def log_change(self, request: HttpRequest, obj: Model, message: Any) -> Any:
        _audit_change(request, obj, Action.UPDATE, "Changed")
        return super().log_change(request, obj, message)

    def log_deletions(self, request: HttpRequest, queryset: QuerySet[Any]) -> Any:
        audit_record_many(
            actor=request.user,  # type: ignore[arg-type]
            entries=[
                AuditEntry(action=Action.DELETE, obj=obj, summary=_said("Deleted", obj))
                for obj in queryset
            ],
            request=request,
        )
        return super().log_deletions(request, queryset)


def _said(verb: str, obj: Model) -> str:
    return f"{verb} in the admin: {obj._meta.verbose_name} “{obj}”"


def _audit_change(request: HttpRequest, obj: Model, action: str, verb: str) -> None:
    audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action=action,
        obj=obj,
        summary=_said(verb, obj),
        request=request,
    )


class NavigatorAdminSite(admin.AdminSite):
    site_header = "Cancer navigator administration"
    site_title = "Cancer navigator administration"

    def register(
        self,
        model_or_iterable: Any,
        admin_class: type[admin.ModelAdmin] | None = None,
        **options: Any,
    ) -> None:
        """Register as Django does, with the audited admin mixed in: an admin class from a
        library (auth's groups) is audited like ours."""
        base = admin_class or admin.ModelAdmin
        if not issubclass(base, AuditedModelAdmin):
            base = type(base.__name__, (AuditedModelAdmin, base), {"__module__": base.__module__})
        super().register(model_or_iterable, base, **options)

    def admin_view(self, view: Callable[..., Any], cacheable: bool = False) -> Any:
        """Each admin page an administrator opens or submits is an audit entry (the changes
        it makes are entries of their own)."""
        inner = super().admin_view(view, cacheable)

        @wraps(inner)
        def audited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return inner(request, *args, **kwargs)
            finally:
                if self.has_permission(request):
                    _audit_page(request, object_id=str(kwargs.get("object_id", "")))

        return audited


def _audit_page(request: HttpRequest, *, object_id: str) -> None:
    match = request.resolver_match
    page = match.url_name if match and match.url_name else "index"
    verb = "Opened" if request.method in ("GET", "HEAD") else f"Submitted ({request.method})"
    audit_record(
        actor=request.user,  # type: ignore[arg-type]
        action=Action.VIEW,
        object_type=f"admin:{page}"[:60],
        object_id=object_id[:64],
        summary=f"{verb} the admin page {request.path}",
        request=request,
    )

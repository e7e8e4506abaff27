"""Providers, for team leads and administrators: list, add and edit (404 to anyone else)."""

from typing import Any
from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from navigator.organisations.forms import OrganisationForm
from navigator.organisations.models import Organisation
from navigator.organisations.services import organisation_create, organisation_update


def _manager_or_404(request: HttpRequest) -> Any:
    user: Any = request.user
    if not user.has_perm("organisations.manage_organisations"):
        raise Http404("No such page")
    return user


@login_required
@require_GET
def organisation_list(request: HttpRequest) -> HttpResponse:
    _manager_or_404(request)
    organisations = Organisation.objects.order_by("name")
    return render(request, "organisations/list.html", {"organisations": organisations})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_add(request: HttpRequest) -> HttpResponse:
    user = _manager_or_404(request)
    form = OrganisationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_create(actor=user, **form.cleaned_data)
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Added {organisation.name}.")
            return redirect("organisations:list")
    return render(request, "organisations/edit.html", {"form": form, "organisation": None})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request: HttpRequest, organisation_id: UUID) -> HttpResponse:
    user = _manager_or_404(request)
    organisation = Organisation.objects.filter(pk=organisation_id).first()
    if organisation is None:
        raise Http404("No such organisation")
    form = OrganisationForm(request.POST or None, instance=organisation)
    if request.method == "POST" and form.is_valid():
        try:
            organisation = organisation_update(
                organisation=organisation, actor=user, **form.cleaned_data
            )
        except ValidationError as error:
            _add_errors(form, error)
        else:
            messages.success(request, f"Saved {organisation.name}.")
            return redirect("organisations:list")
    return render(request, "organisations/edit.html", {"form": form, "organisation": organisation})


def _add_errors(form: OrganisationForm, error: ValidationError) -> None:
    if hasattr(error, "error_dict"):
        for field, field_errors in error.message_dict.items():
            form.add_error(field if field in form.fields else None, field_errors)
    else:
        form.add_error(None, error.messages)

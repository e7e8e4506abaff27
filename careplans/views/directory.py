"""The service directory for staff: search by need, area and name (every member of staff), and
the mapping of the feed's taxonomy terms to our topics (team leads and administrators). 404 to
anyone else."""

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods

from careplans.forms import DirectorySearchForm, FeedTermMappingForm
from careplans.models import DirectoryImport, DirectoryService, FeedTaxonomyTerm
from careplans.selectors import directory_search, feed_terms_for_mapping
from careplans.services.directory import feed_term_map
from navigator.http import AuthenticatedHttpRequest


def _allowed_or_404(request: AuthenticatedHttpRequest, perm: str) -> None:
    if not request.user.has_perm(perm):
        raise Http404("No such page")


@login_required
@require_GET
def directory_search_page(request: AuthenticatedHttpRequest) -> HttpResponse:
    _allowed_or_404(request, "careplans.search_directory")
    form = DirectorySearchForm(request.GET or None)
    services: list[DirectoryService] = []
    total, searched = 0, False
    if form.is_bound and form.is_valid():
        searched = True
        services, total = directory_search(
            concern_code=form.cleaned_data["need"],
            area=form.cleaned_data["area"],
            name=form.cleaned_data["name"],
        )
    return render(
        request,
        "careplans/directory_search.html",
        {
            "form": form,
            "services": services,
            "total": total,
            "searched": searched,
            "can_map": request.user.has_perm("careplans.map_directory_topics"),
        },
    )


@login_required
@require_GET
def directory_topics(request: AuthenticatedHttpRequest) -> HttpResponse:
    _allowed_or_404(request, "careplans.map_directory_topics")
    terms = sorted(
        feed_terms_for_mapping(),
        key=lambda t: (bool(t.topics.all()) or bool(t.tumour_site), t.vocabulary, t.name),
    )
    unmapped = sum(1 for t in terms if not t.topics.all() and not t.tumour_site)
    return render(
        request,
        "careplans/directory_topics.html",
        {
            "terms": terms,
            "unmapped": unmapped,
            "last_import": DirectoryImport.objects.first(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def directory_topic_edit(request: AuthenticatedHttpRequest, term_id: UUID) -> HttpResponse:
    _allowed_or_404(request, "careplans.map_directory_topics")
    term = FeedTaxonomyTerm.objects.filter(pk=term_id).first()
    if term is None:
        raise Http404("No such term")
    # Unticking every topic posts no field at all: still a submitted form.
    form = FeedTermMappingForm(
        request.POST if request.method == "POST" else None,
        initial={
            "topics": [t.code for t in term.topics.all()],
            "tumour_site": term.tumour_site,
        },
    )
    if request.method == "POST" and form.is_valid():
        changed = feed_term_map(
            term=term,
            topics=list(form.cleaned_data["topics"]),
            tumour_site=form.cleaned_data["tumour_site"],
            actor=request.user,
            request=request,
        )
        messages.success(
            request,
            f"Saved what “{term.name}” means. {changed} service{'s' if changed != 1 else ''} "
            "now match differently.",
        )
        return redirect("directory:topics")
    services = term.services.select_related("organization").order_by("name")
    return render(
        request,
        "careplans/directory_topic_edit.html",
        {"form": form, "term": term, "services": services},
    )

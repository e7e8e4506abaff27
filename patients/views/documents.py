"""Letters, photos of letters, reports and recordings: the case's list, adding one, and the one
door a file leaves by (`document_download`)."""

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import FileResponse, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods

from navigator.http import AuthenticatedHttpRequest
from patients.access import get_case_for_user, get_document_for_user
from patients.documents import ACCEPTED, documents_storage
from patients.forms import NhsDateField, NhsFormMixin, add_service_errors
from patients.models import Case, CaseDocument
from patients.selectors import documents_visible
from patients.services.documents import FILE_TYPES_WORDS, TITLE_MAX_LENGTH, document_add

# The file picker offers these (a hint to the phone's picker; the bytes still decide).
ACCEPT_ATTRIBUTE = ",".join(
    [f".{t.extension}" for t in ACCEPTED] + [".jpeg", ".m4a", ".opus"] + ["image/*", "audio/*"]
)


class DocumentForm(NhsFormMixin, forms.Form):
    upload = forms.FileField(
        label=_("Choose the file"),
        help_text=_(
            "A PDF, a photo of a letter (JPEG, PNG or HEIC) or a sound recording "
            "(MP3, M4A, WAV or OGG), up to %(limit)s MB."
        ),
        error_messages={
            "required": _("Choose the file to add"),
            "empty": _("The file you chose is empty"),
            "invalid": FILE_TYPES_WORDS,
        },
    )
    kind = forms.ChoiceField(
        label=_("What is it?"),
        choices=CaseDocument.Kind.choices,
        error_messages={"required": _("Choose what kind of document this is")},
    )
    title = forms.CharField(
        label=_("Describe it in a few words"),
        help_text=_("For example, 'Letter from the breast clinic about my scan'."),
        max_length=TITLE_MAX_LENGTH,
        error_messages={
            "required": _("Enter what the document is"),
            "max_length": _("What the document is must be 200 characters or fewer"),
        },
    )
    dated = NhsDateField(
        label=_("Date on the letter, or of the recording"),
        help_text=_("For example, 27 3 2026"),
    )

    def __init__(self, *args: object, staff: bool, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["upload"].help_text = str(self.fields["upload"].help_text) % {
            "limit": settings.DOCUMENT_MAX_MB
        }
        if staff:
            # Only staff choose: what the patient's side adds is always for everyone on the case.
            self.fields["visibility"] = forms.ChoiceField(
                label=_("Who can see it?"),
                choices=CaseDocument.Visibility.choices,
                error_messages={"required": _("Choose who can see the document")},
            )


def _back(case: Case, staff: bool) -> str:
    if staff:
        return reverse("caseload:case_detail", args=[case.id]) + "#documents"
    return f"{reverse('home')}?case={case.id}"


@login_required
@require_http_methods(["GET", "POST"])
def documents(request: AuthenticatedHttpRequest, case_id: UUID) -> HttpResponse:
    """The documents the reader may see, and (for those who may add) a form to add one."""
    user = request.user
    staff = user.is_staff_role
    if request.method == "POST":
        case = get_case_for_user(
            request, case_id, perm="patients.add_document", summary="Sent a document to add"
        )
        form = DocumentForm(request.POST, request.FILES, staff=staff)
        if form.is_valid():
            data = form.cleaned_data
            try:
                document_add(
                    case=case,
                    by=user,
                    upload=data["upload"],
                    kind=data["kind"],
                    title=data["title"],
                    dated=data["dated"],
                    visibility=data.get("visibility", CaseDocument.Visibility.SHARED),
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, gettext("Document added."))
                return redirect("patients:documents", case_id=case.id)
    else:
        case = get_case_for_user(
            request, case_id, perm="patients.view_documents", summary="Looked at the documents"
        )
        form = DocumentForm(staff=staff)
    return render(
        request,
        "patients/documents.html",
        {
            "case": case,
            "patient": case.patient,
            "documents": list(documents_visible(case=case, user=user)),
            "form": form,
            "accept": ACCEPT_ATTRIBUTE,
            "can_add": case.is_open and user.has_perm("patients.add_document", case),
            "is_staff": staff,
            "is_carer": not staff and case.patient.user_id != user.pk,
            "back": _back(case, staff),
        },
    )


@login_required
@require_GET
def document_download(
    request: AuthenticatedHttpRequest, case_id: UUID, document_id: UUID
) -> FileResponse:
    """The file, to those who may see it (anyone else: 404, and not a byte read). Saved as a
    download unless `?view=1` asks to see a picture, PDF or recording in the browser; either
    way with our type (never the uploader's), no sniffing, and a sandbox in case a browser
    tries to run it."""
    document = get_document_for_user(request, case_id, document_id)
    file_type = next((t for t in ACCEPTED if t.content_type == document.content_type), None)
    inline = request.GET.get("view") == "1" and file_type is not None and file_type.inline
    extension = file_type.extension if file_type else "bin"
    response = FileResponse(
        documents_storage().open(document.stored_name, "rb"),
        as_attachment=not inline,
        filename=f"{document.get_kind_display()} {document.dated:%Y-%m-%d}.{extension}",
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response["Cache-Control"] = "private, no-store"
    return response

from allauth.account.decorators import secure_admin_login
from django.contrib import admin
from django.urls import include, path

from navigator import views

# The admin signs in through allauth, so its rate limits and MFA apply there too.
admin.site.login = secure_admin_login(admin.site.login)  # type: ignore[method-assign]

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("navigator.accounts.urls")),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    # The patient's home page (/), the worklist and the case overview (caseload: the top layer).
    path("", include("caseload.urls")),
    path("organisations/", include("navigator.organisations.urls")),
    path("cases/", include("patients.urls")),
    path("cases/<uuid:case_id>/", include("careplans.urls")),
    path("care-plans/", include("careplans.printing_urls")),
    path("directory/", include("careplans.directory_urls")),
    # The chase queue (/chase/) and a case's tracked items (/cases/<id>/tracked-items/).
    path("", include("appointments.urls")),
    path("api/", include("patients.api_urls")),
    path("api/", include("appointments.api_urls")),
    path("api/", include("careplans.api_urls")),
    path("api/", include("navigator.api.urls")),
    # Hospital systems send events as a FHIR transaction Bundle (POST /fhir/).
    path("fhir/", include("appointments.fhir_urls")),
    # The FHIR R4 read API (its base address, /fhir/ itself, takes hospital events in).
    path("fhir/", include("navigator.fhir.urls")),
    path("webhooks/", include("navigator.messaging.urls")),
    # GP practices open a shared care plan here without an account.
    path("gp/", include("careplans.gp_urls")),
]

handler400 = "navigator.views.bad_request"
handler403 = "navigator.views.permission_denied"
handler404 = "navigator.views.page_not_found"
handler500 = "navigator.views.server_error"

from django.urls import path, re_path

from navigator.fhir import views

# The FHIR read API, under /fhir/. The base address itself (`/fhir/`) is not ours: a
# transaction Bundle is posted there (hospital events in). Ids are FHIR's [A-Za-z0-9.-]{1,64}.
urlpatterns = [
    path("metadata", views.MetadataApi.as_view(), name="fhir-metadata"),
    re_path(
        r"^Patient/(?P<patient_id>[A-Za-z0-9.\-]{1,64})/\$everything$",
        views.EverythingApi.as_view(),
        name="fhir-everything",
    ),
    re_path(r"^(?P<resource_type>[A-Z][A-Za-z]+)$", views.SearchApi.as_view(), name="fhir-search"),
    re_path(
        r"^(?P<resource_type>[A-Z][A-Za-z]+)/(?P<resource_id>[A-Za-z0-9.\-]{1,64})$",
        views.ReadApi.as_view(),
        name="fhir-read",
    ),
    # Anything else under /fhir/ (but not /fhir/ itself): a 404 as an OperationOutcome.
    re_path(r"^.+$", views.NotServedApi.as_view(), name="fhir-not-served"),
]

from django.urls import path

from appointments import fhir_api

# Mounted at /fhir/ beside the FHIR read API: only the transaction endpoint (POST to the base).
urlpatterns = [
    path("", fhir_api.FhirTransactionApi.as_view(), name="fhir-transaction"),
]

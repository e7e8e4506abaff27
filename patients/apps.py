from django.apps import AppConfig


class PatientsConfig(AppConfig):
    name = "patients"
    verbose_name = "Patients and cases"

    def ready(self) -> None:
        # Our FHIR resources (Patient, Organization, Practitioner, PractitionerRole, Consent,
        # Communication) are served by the FHIR API in navigator, which imports no app.
        from patients.fhir import register

        register()

from django.apps import AppConfig

from patients.hooks import case_removal_register


class CaseloadConfig(AppConfig):
    """The top layer: pages and commands that bring a case's whole picture together from every
    app below (patients, appointments, careplans). Nothing imports it."""

    name = "caseload"
    verbose_name = "Caseload"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # A case removed under the retention policy takes its copies of the record with it.
        # Our services load models, so they are imported once the app registry is ready.
        from caseload.services import case_record_copies_remove

        case_removal_register(handler=case_record_copies_remove)

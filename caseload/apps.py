from django.apps import AppConfig


class CaseloadConfig(AppConfig):
    """The top layer: pages and commands that bring a case's whole picture together from every
    app below (patients, appointments, careplans). Nothing imports it."""

    name = "caseload"
    verbose_name = "Caseload"
    default_auto_field = "django.db.models.BigAutoField"

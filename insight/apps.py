from django.apps import AppConfig


class InsightConfig(AppConfig):
    """Anonymised figures for managers and commissioners: a top layer over patients,
    appointments and careplans, which nothing imports."""

    name = "insight"
    verbose_name = "Insight"

from django.apps import AppConfig


class CareplansConfig(AppConfig):
    name = "careplans"
    verbose_name = "Assessments and care plans"
    default_auto_field = "django.db.models.BigAutoField"

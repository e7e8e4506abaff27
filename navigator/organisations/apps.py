from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "navigator.organisations"
    label = "organisations"
    verbose_name = "Organisations and teams"

    def ready(self) -> None:
        from navigator.organisations import rules  # noqa: F401 - registers the permission

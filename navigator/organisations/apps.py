from django.apps import AppConfig


class OrganisationsConfig(AppConfig):
    name = "navigator.organisations"
    label = "organisations"
    verbose_name = "Organisations and teams"

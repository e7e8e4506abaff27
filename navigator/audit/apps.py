from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "navigator.audit"
    label = "audit"
    verbose_name = "Audit trail"

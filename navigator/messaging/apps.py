from django.apps import AppConfig


class MessagingConfig(AppConfig):
    name = "navigator.messaging"
    label = "messaging"
    verbose_name = "Messaging"

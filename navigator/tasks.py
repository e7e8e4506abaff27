from celery import shared_task
from django.core.management import call_command


@shared_task
def ping() -> str:
    """A round trip through the broker and a worker, used by the health check test."""
    return "pong"


@shared_task
def clear_expired_sessions() -> None:
    call_command("clearsessions")

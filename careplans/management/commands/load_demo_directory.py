from typing import Any

from django.core.management.base import BaseCommand

from careplans.demo_directory import load_demo_directory


class Command(BaseCommand):
    help = "Load the fictional Cardiff and Vale service directory for demos."

    def handle(self, *args: Any, **options: Any) -> None:
        added = load_demo_directory()
        self.stdout.write(f"Added {added} demo services.")

"""The insight page's figures brought up to date ahead of time: the default view's tables
(every team, all time), built by a periodic job so the page reads them instead of the whole
year's records on every request. Filtered views are still counted live."""

from django.db import models


class FiguresSnapshot(models.Model):
    """One view's tables, before suppression, as the figures build them (pickled `Table`s: our
    own objects, written only by `insight.snapshots.refresh`). `key` names the view."""

    key = models.CharField(max_length=100, unique=True)
    built_at = models.DateTimeField()
    seconds = models.FloatField(help_text="How long the build took.")
    tables = models.BinaryField()

    def __str__(self) -> str:
        return f"Insight figures ({self.key}) at {self.built_at:%d %b %Y %H:%M}"

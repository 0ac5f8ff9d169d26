from django.db import models


class SystemHeartbeat(models.Model):
    """The last time a background component proved it was alive (see ``core.heartbeat``)."""

    name = models.CharField(max_length=50, primary_key=True)
    last_seen = models.DateTimeField()
    hostname = models.CharField(max_length=255, blank=True)

    def __str__(self) -> str:
        return f"{self.name} @ {self.last_seen:%Y-%m-%d %H:%M:%S}"

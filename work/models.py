"""The abstract base of every job row (ImportJob, TrainingRun): queued, claimed by one worker, kept current, ended.

Its life is work/lifecycle.py's; the heartbeat and the sweep of dead workers' rows are work/recovery.py's.
"""
from django.db import models
from django.utils import timezone


class Job(models.Model):
    """The fields and steps of a unit of work done by a Celery worker. Subclasses are found by the sweep."""

    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.QUEUED)
    stage = models.CharField(max_length=200, blank=True, help_text="What it is doing now.")
    progress = models.FloatField(default=0.0, help_text="0 to 1.")
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # The help text names the module's old home: changing it would need a migration of both apps.
    heartbeat_at = models.DateTimeField(null=True, blank=True, editable=False,
                                        help_text="Stamped by the worker while it works (recsite/recovery.py).")

    class Meta:
        abstract = True
        ordering = ["-created_at"]

    @property
    def is_finished(self) -> bool:
        return self.status in (self.Status.SUCCEEDED, self.Status.FAILED)

    @classmethod
    def claim(cls, pk: int, *, using: str = "default", **fields) -> bool:
        """Mark row ``pk`` running (with ``fields``) if it is queued; False if it was not (delivered again)."""
        now = timezone.now()
        return bool(cls.objects.using(using).filter(pk=pk, status=cls.Status.QUEUED).update(
            status=cls.Status.RUNNING, started_at=now, heartbeat_at=now, **fields))

    @classmethod
    def cancel_queued(cls, rows, *, by) -> int:
        """End failed the queued ones among ``rows``, which no worker has taken (running ones go on); returns
        how many. Their task, should it still come, finds them no longer queued. The way out when a queued task
        was lost (a broker that lost its data), which would otherwise block the next run of its kind."""
        return rows.filter(status=cls.Status.QUEUED).update(
            status=cls.Status.FAILED, error=f"cancelled by {by} before a worker took it", finished_at=timezone.now())

    def record(self, *, using: str = "default", **fields) -> None:
        """Set ``fields`` on this row and write just them, at once: the admin reads them while the work goes on."""
        for name, value in fields.items():
            setattr(self, name, value)
        type(self).objects.using(using).filter(pk=self.pk).update(**fields)

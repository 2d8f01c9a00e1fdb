"""What the admin pages of every job model share: a compact state and start column, and cancelling queued ones."""
from django.contrib import admin, messages
from django.utils import timezone


@admin.action(description="Cancel the selected queued ones (not yet taken by a worker)", permissions=["change"])
def cancel_queued(model_admin, request, queryset) -> None:
    cancelled = model_admin.model.cancel_queued(queryset, by=request.user.get_username())
    model_admin.message_user(request, f"Cancelled {cancelled} queued; running and finished ones are left as they are.",
                             messages.SUCCESS if cancelled else messages.WARNING)


class JobAdminMixin:
    """For a ModelAdmin of a work.models.Job subclass: list_display may name "state" and "created"."""

    actions = [cancel_queued]

    @admin.display(description="state", ordering="status")
    def state(self, job) -> str:
        """Status, and while unfinished its stage and progress, in one short column (lists fit a laptop's width)."""
        if job.status in (job.Status.QUEUED, job.Status.RUNNING):
            stage = f": {job.stage[:30]}" if job.stage else ""
            return f"{job.get_status_display()} {job.progress:.0%}{stage}"
        return job.get_status_display()

    @admin.display(description="started", ordering="created_at")
    def created(self, job) -> str:
        """When it was asked for, compactly (2026-12-03 14:32), and how long it took once finished."""
        text = timezone.localtime(job.created_at).strftime("%Y-%m-%d %H:%M")
        if job.finished_at and job.started_at:
            seconds = (job.finished_at - job.started_at).total_seconds()
            text += f" ({seconds:.0f} s)" if seconds < 120 else f" ({seconds / 60:.0f} min)"
        return text

"""What the admin pages of import jobs and training runs share (recsite/work.py): progress, cancelling."""
from django.contrib import admin, messages
from django.utils import timezone


@admin.action(description="Cancel the selected queued ones (not yet taken by a worker)", permissions=["change"])
def cancel_queued(model_admin, request, queryset) -> None:
    cancelled = model_admin.model.cancel_queued(queryset, by=request.user.get_username())
    model_admin.message_user(request, f"Cancelled {cancelled} queued; running and finished ones are left as they are.",
                             messages.SUCCESS if cancelled else messages.WARNING)


@admin.display(description="state", ordering="status")
def state(work) -> str:
    """Status, and while unfinished its stage and progress, in one short column (lists fit a laptop's width)."""
    if work.status in (work.Status.QUEUED, work.Status.RUNNING):
        stage = f": {work.stage[:30]}" if work.stage else ""
        return f"{work.get_status_display()} {work.progress:.0%}{stage}"
    return work.get_status_display()


@admin.display(description="started", ordering="created_at")
def created(work) -> str:
    """When it was asked for, compactly (2026-12-03 14:32), and how long it took once finished."""
    text = timezone.localtime(work.created_at).strftime("%Y-%m-%d %H:%M")
    if work.finished_at and work.started_at:
        seconds = (work.finished_at - work.started_at).total_seconds()
        text += f" ({seconds:.0f} s)" if seconds < 120 else f" ({seconds / 60:.0f} min)"
    return text

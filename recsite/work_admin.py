"""What the admin pages of import jobs and training runs share (recsite/work.py): progress, cancelling."""
from django.contrib import admin, messages


@admin.display(description="progress")
def percent_done(work) -> str:
    return f"{work.progress:.0%}"


@admin.action(description="Cancel the selected queued ones (not yet taken by a worker)", permissions=["change"])
def cancel_queued(model_admin, request, queryset) -> None:
    cancelled = model_admin.model.cancel_queued(queryset, by=request.user.get_username())
    model_admin.message_user(request, f"Cancelled {cancelled} queued; running and finished ones are left as they are.",
                             messages.SUCCESS if cancelled else messages.WARNING)

"""Django admin for training runs and model versions (retrain and activate buttons come with the website issue)."""
from django.contrib import admin

from ml.models import ModelVersion, TrainingRun


@admin.register(TrainingRun)
class TrainingRunAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "status", "stage", "created_at", "finished_at"]
    list_filter = ["kind", "status"]
    readonly_fields = [field.name for field in TrainingRun._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ModelVersion)
class ModelVersionAdmin(admin.ModelAdmin):
    list_display = ["id", "kind", "dimensions", "is_active", "created_at", "activated_at"]
    list_filter = ["kind", "is_active"]
    readonly_fields = [field.name for field in ModelVersion._meta.fields]

    def has_add_permission(self, request):
        return False

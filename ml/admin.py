"""Django admin for training runs and model versions: retrain, follow a run live, activate and roll back.

Staff with the right permissions get a **Retrain** button per model kind on the runs list (disabled, with the
reason, while the kind has nothing to train on; a second start while a run of that kind is queued or running says
so and opens that run; a queued run whose task was lost can be cancelled), a run page (read only: no Save) with
its progress, one chart panel per phase and tower with axes (ml/charts.py), its metrics and parameters as tables
and its epochs in a collapsed table (it reloads itself while the run is unfinished), and on the versions list an
**Activate** action and a **Roll back** button per kind (disabled without an earlier version).
"""
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.views.decorators.http import require_POST

from ml import charts, runs, versions
from ml.models import ModelKind, ModelVersion, TrainingRun
from ml.readiness import why_not_trainable
from work.admin import JobAdminMixin
from work.queue import QueueUnavailable


class ReadOnlyAdmin(admin.ModelAdmin):
    """Rows written by the system: shown, never added or edited by hand (a row's page has no Save buttons; the
    change permission still allows the list's actions)."""

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields] + list(self.readonly_fields)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request)


@admin.register(TrainingRun)
class TrainingRunAdmin(JobAdminMixin, ReadOnlyAdmin):
    list_display = ["id", "kind", "state", "created_by", "created"]
    list_filter = ["kind", "status"]
    list_select_related = ["created_by"]
    readonly_fields = ["metrics_table", "parameters_table", "epoch_table"]
    fieldsets = [
        (None, {"fields": [("kind", "status"), "stage", "error", ("created_by", "created_at"),
                           ("started_at", "finished_at")]}),
        ("Results", {"fields": ["metrics_table", "parameters_table", "epoch_table"]}),
    ]
    change_list_template = "admin/ml/trainingrun/change_list.html"
    change_form_template = "admin/ml/trainingrun/change_form.html"

    def change_view(self, request, object_id, form_url="", extra_context=None):
        """The charts go above the fields, across the page's width (ml/charts.py)."""
        run = self.get_object(request, object_id)
        panels = charts.run_panels(run.epochs) if run else ""
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "charts": panels})

    @admin.display(description="metrics")
    def metrics_table(self, run):
        return _table(run.evaluation)

    @admin.display(description="parameters")
    def parameters_table(self, run):
        version = getattr(run, "model_version", None)
        return _table({**(version.parameters if version else {}), **run.parameters})

    @admin.display(description="epochs")
    def epoch_table(self, run):
        if not run.epochs:
            return "–"
        names = list(dict.fromkeys(name for entry in run.epochs for name in entry))
        columns = [*(n for n in ("phase", "tower", "epoch") if n in names),
                   *(n for n in names if n not in ("phase", "tower", "epoch", "seconds")),
                   *(n for n in ("seconds",) if n in names)]
        header = format_html_join("", "<th>{}</th>", ((name,) for name in columns))
        rows = format_html_join("", "<tr>{}</tr>", (
            (format_html_join("", "<td>{}</td>", ((_cell(entry.get(name)),) for name in columns)),)
            for entry in run.epochs))
        return format_html('<details class="epochs"><summary>{} epochs</summary><div class="epoch-scroll"><table>'
                           "<thead><tr>{}</tr></thead><tbody>{}</tbody></table></div></details>",
                           len(run.epochs), header, rows)

    def get_urls(self):
        retrain = self.admin_site.admin_view(require_POST(self.retrain_view))
        return [path("retrain/", retrain, name="ml_trainingrun_retrain"), *super().get_urls()]

    def changelist_view(self, request, extra_context=None):
        kinds = [(kind, label, why_not_trainable(kind)) for kind, label in ModelKind.choices]
        return super().changelist_view(request, {**(extra_context or {}), "kinds": kinds})

    def retrain_view(self, request):
        """Start a run of the posted kind, or show the one already queued or running."""
        if not request.user.has_perm("ml.add_trainingrun"):
            raise PermissionDenied
        kind = request.POST.get("kind")
        if kind not in ModelKind.values:
            messages.error(request, f"Unknown model kind {kind!r}.")
            return redirect("admin:ml_trainingrun_changelist")
        if reason := why_not_trainable(kind):
            messages.error(request, f"Cannot train {ModelKind(kind).label}: {reason}.")
            return redirect("admin:ml_trainingrun_changelist")
        try:
            run, created = runs.start_run(kind, user=request.user)
        except QueueUnavailable as error:
            messages.error(request, str(error))
            return redirect("admin:ml_trainingrun_changelist")
        if created:
            messages.success(request, f"Queued {run}: a worker will start it.")
        else:
            messages.warning(request, f"{run} is already {run.status}: it was not queued twice.")
        return redirect("admin:ml_trainingrun_change", run.pk)


def _cell(value):
    """A number to 4 significant digits (0.8123, 12.35, 1.235e+05); other values as they are."""
    if isinstance(value, float):
        return f"{value:.4g}"
    return "" if value is None else value


def _table(values: dict):
    """A dict as a two-column table, numbers rounded (nested values as text)."""
    if not values:
        return "–"
    rows = format_html_join("", "<tr><th>{}</th><td>{}</td></tr>", ((name, _cell(value)) for name, value in
                                                                     sorted(values.items())))
    return format_html('<table class="key-values"><tbody>{}</tbody></table>', rows)


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdmin):
    list_display = ["id", "kind", "is_active", "summary", "run", "activated_at"]
    list_filter = ["kind", "is_active"]
    list_select_related = ["training_run"]
    actions = ["activate_selected"]
    change_list_template = "admin/ml/modelversion/change_list.html"

    readonly_fields = ["metrics_table", "parameters_table"]
    exclude = ["evaluation", "parameters"]

    @admin.display(description="evaluation")
    def summary(self, version):
        shown = [(name, value) for name, value in version.evaluation.items() if isinstance(value, float)]
        return ", ".join(f"{name} {value:.3g}" for name, value in shown[:3]) or "–"

    @admin.display(description="run", ordering="training_run")
    def run(self, version):
        return f"#{version.training_run_id}" if version.training_run_id else "–"

    @admin.display(description="metrics")
    def metrics_table(self, version):
        return _table(version.evaluation)

    @admin.display(description="parameters")
    def parameters_table(self, version):
        return _table(version.parameters)

    def get_readonly_fields(self, request, obj=None):
        hidden = set(self.exclude)
        return [f.name for f in self.model._meta.fields if f.name not in hidden] + list(self.readonly_fields)

    @admin.action(description="Activate the selected version (serving switches to it)",
                  permissions=["change"])
    def activate_selected(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Select exactly one version to activate.", messages.ERROR)
            return None
        version = versions.activate(queryset.get())
        self.message_user(request, f"{version} is now active; the previous version stays for a roll back.")
        return None

    def get_urls(self):
        roll_back = self.admin_site.admin_view(require_POST(self.roll_back_view))
        activate = self.admin_site.admin_view(require_POST(self.activate_view))
        return [path("roll-back/", roll_back, name="ml_modelversion_roll_back"),
                path("<int:pk>/activate/", activate, name="ml_modelversion_activate"), *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        version = self.get_object(request, object_id)
        found = {name: value for name, value in (version.evaluation if version else {}).items()
                 if name.startswith("guard_")}
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), "guard": found})

    def activate_view(self, request, pk: int):
        """Activate one version from its page: "Activate anyway" for one the regression guard held back."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        version = versions.activate(get_object_or_404(ModelVersion, pk=pk))
        messages.success(request, f"{version} is now active; the previous version stays for a roll back.")
        return HttpResponseRedirect(reverse("admin:ml_modelversion_change", args=[pk]))

    def changelist_view(self, request, extra_context=None):
        active = {version.kind: version for version in ModelVersion.objects.filter(is_active=True)}
        earlier = set(ModelVersion.objects.filter(is_active=False, activated_at__isnull=False)
                      .values_list("kind", flat=True).distinct())
        kinds = [(kind, label, active.get(kind), None if kind in earlier else "no earlier version to roll back to")
                 for kind, label in ModelKind.choices]
        return super().changelist_view(request, {**(extra_context or {}), "kinds": kinds})

    def roll_back_view(self, request):
        """Activate the version that was active before the current one of the posted kind."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        kind = request.POST.get("kind")
        version = versions.roll_back(kind) if kind in ModelKind.values else None
        if version is None:
            messages.error(request, f"There is no earlier {kind} version to roll back to.")
        else:
            messages.success(request, f"Rolled back: {version} is active again.")
        return HttpResponseRedirect(reverse("admin:ml_modelversion_changelist"))

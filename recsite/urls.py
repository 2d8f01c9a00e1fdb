"""URL routes of the site."""
from django.contrib import admin
from django.urls import include, path

from recsite.health import healthz

urlpatterns = [
    path("", include("web.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
]
handler500 = "api.errors.server_error"  # JSON under /api/, the usual page elsewhere

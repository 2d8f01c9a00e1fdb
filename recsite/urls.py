"""URL routes of the site."""
from django.contrib import admin
from django.templatetags.static import static
from django.urls import include, path
from django.views.generic import RedirectView

from recsite.health import healthz

urlpatterns = [
    path("", include("web.urls")),
    path("accounts/", include("accounts.urls")),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
    # Browsers ask for /favicon.ico where a page names no icon (JSON answers, images).
    path("favicon.ico", RedirectView.as_view(url=static("web/star.svg"), permanent=True)),
]
handler500 = "api.errors.server_error"  # JSON under /api/, the usual page elsewhere

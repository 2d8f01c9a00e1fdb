"""URL routes of the site."""
from django.contrib import admin
from django.urls import include, path

from movies import views
from recsite.health import healthz

urlpatterns = [
    path("", views.home, name="home"),
    path("admin/", admin.site.urls),
    path("api/", include("api.urls")),
    path("healthz", healthz, name="healthz"),
]
handler500 = "api.errors.server_error"  # JSON under /api/, the usual page elsewhere

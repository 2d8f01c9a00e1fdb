"""The site's URLs plus /bench/trivial/, a view that only says "ok" (the throughput bar's yardstick)."""
from django.http import HttpResponse
from django.urls import include, path


def trivial(request):
    return HttpResponse("ok", content_type="text/plain")


urlpatterns = [path("bench/trivial/", trivial), path("", include("recsite.urls"))]

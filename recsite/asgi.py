"""ASGI entry point."""
import os

# One BLAS thread per web process: a request's small matrix products finish in about a millisecond,
# while a second thread waiting for a busy core costs ten (see bench/results/serving.md).
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")
application = get_asgi_application()

"""WSGI entry point (gunicorn recsite.wsgi)."""
import os

from recsite import web_process

web_process.prepare()

from django.core.wsgi import get_wsgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")
application = get_wsgi_application()

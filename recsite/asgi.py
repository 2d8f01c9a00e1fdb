"""ASGI entry point."""
import os

from recsite import web_process

web_process.prepare()

from django.core.asgi import get_asgi_application  # noqa: E402

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "recsite.settings")
application = get_asgi_application()

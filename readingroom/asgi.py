"""ASGI entry point for Reading Room."""

import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "readingroom.settings")
application = get_asgi_application()

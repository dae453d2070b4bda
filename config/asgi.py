import os

from django.core.asgi import get_asgi_application

from core.checks import refuse_insecure_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_asgi_application()

# A server process (uvicorn, daphne) runs no system checks: refuse to start on a security error here.
refuse_insecure_start()

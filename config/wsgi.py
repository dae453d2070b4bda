import os

from django.core.wsgi import get_wsgi_application

from core.checks import refuse_insecure_start

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")
application = get_wsgi_application()

# A server process (gunicorn, uWSGI) runs no system checks: refuse to start on a security error here.
refuse_insecure_start()

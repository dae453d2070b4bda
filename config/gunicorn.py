"""gunicorn settings for production: ``gunicorn -c config/gunicorn.py config.wsgi`` (make prod).

Sync workers (Django is synchronous here): uploads of up to DOCUMENT_MAX_UPLOAD_MB are streamed to disk by
Django, so a slow client holds one worker; the timeout is long enough for a large upload over a slow line,
and exports never run in a request (they are background work). Every figure can be set in the environment."""

import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", min(2 * multiprocessing.cpu_count() + 1, 9)))
threads = int(os.environ.get("GUNICORN_THREADS", 1))
# a request that takes longer is killed (and logged); uploads of large PDFs over slow lines fit in it
timeout = int(os.environ.get("GUNICORN_TIMEOUT", 300))
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT", 60))
keepalive = 5
# restart workers now and then, so that a slow leak never grows without bound
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", 2000))
max_requests_jitter = 200
limit_request_line = 8190
limit_request_fields = 100
# the reverse proxy that ends TLS sets X-Forwarded-*; only its address is trusted
forwarded_allow_ips = os.environ.get("GUNICORN_FORWARDED_ALLOW_IPS", "127.0.0.1")
accesslog = "-"
errorlog = "-"
# no query strings in the access log (they may name people or search terms)
access_log_format = '%(h)s "%(m)s %(U)s" %(s)s %(B)s %(M)sms rid=%({x-request-id}o)s'

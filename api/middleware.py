"""Headers of every response under /api/, whichever view (or error handler) made it:

- ``API-Version``: the full version of the API (the URL carries only the major version; NL API Design
  Rules /core/version-header), also on the schema, the docs page and the 404 of an unknown address;
- ``Access-Control-Allow-Origin: *`` on the OpenAPI schema, a public document that tools in the
  browser (Swagger UI, developer.overheid.nl) fetch from another origin.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

SCHEMA_PATH = "/api/v1/openapi.json"


def api_version() -> str:
    return settings.SPECTACULAR_SETTINGS["VERSION"]


class ApiHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if request.path.startswith("/api/"):
            response["API-Version"] = api_version()
            if request.path == SCHEMA_PATH:
                response["Access-Control-Allow-Origin"] = "*"
        return response

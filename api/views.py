"""The API's own pages: a self-contained documentation page (no JavaScript from a CDN), and the
problem+json answers for URLs that match no view."""

from django.http import JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views import defaults
from django.views.decorators.http import require_GET
from drf_spectacular.generators import SchemaGenerator

from api.exceptions import PROBLEM_JSON, problem
from api.schema import API_BASE

METHODS = ("get", "post", "put", "patch", "delete")


@require_GET
def docs(request):
    """Lists every operation of the OpenAPI schema, with its parameters and responses; the schema
    itself is at /api/v1/openapi.json (import it in Swagger UI, Redoc, Postman, ...)."""
    schema = SchemaGenerator().get_schema(request=None, public=True)
    groups: dict[str, list[dict]] = {}
    for path, item in schema.get("paths", {}).items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            tag = (operation.get("tags") or ["api"])[0]
            groups.setdefault(tag, []).append(
                {
                    "method": method.upper(),
                    "path": API_BASE + path,  # the schema's paths are relative to its server
                    "summary": operation.get("summary", ""),
                    "description": operation.get("description", ""),
                    "parameters": operation.get("parameters", []),
                    "responses": sorted(operation.get("responses", {}).items()),
                }
            )
    return render(
        request,
        "api/docs.html",
        {
            "info": schema.get("info", {}),
            "groups": sorted(groups.items()),
            "schema_url": reverse("api:schema"),
        },
    )


def page_not_found(request, exception=None):
    """handler404: unknown URLs under /api/ answer problem+json like every other API error."""
    if request.path.startswith("/api/"):
        body = problem(request, 404, "not_found", _("Not found."), _("There is no resource at this address."))
        return JsonResponse(body, status=404, content_type=PROBLEM_JSON)
    return defaults.page_not_found(request, exception)


def server_error(request):
    """handler500: an unexpected error under /api/ still answers problem+json (without details)."""
    if request.path.startswith("/api/"):
        body = problem(request, 500, "server_error", _("Server error."), _("An unexpected error occurred."))
        return JsonResponse(body, status=500, content_type=PROBLEM_JSON)
    return defaults.server_error(request)

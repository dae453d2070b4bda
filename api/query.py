"""Query parameters are part of the contract: a request with a query key the OpenAPI schema does not
list for its operation is refused with 400 ``invalid`` (``invalidParams`` code ``unknown``), instead of
being silently ignored (a misspelt filter would otherwise answer the whole, unfiltered list).

The schema is the single source: what it documents is what the API accepts. It is generated once per
process (a fraction of a second) and only its query parameters are kept.
"""

import functools
import re

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

API_PREFIX = "/api/v1"


@functools.cache
def operations() -> list[tuple[re.Pattern[str], str, frozenset[str]]]:
    """(path regex, method, query parameter names) of every operation, literal paths first."""
    # Looked up when first needed: importing the generator imports rest_framework.schemas, which loads
    # DEFAULT_PERMISSION_CLASSES, which names this module.
    generator = import_string("drf_spectacular.generators.SchemaGenerator")()
    schema = generator.get_schema(request=None, public=True)
    found = []
    for path, item in schema["paths"].items():
        pattern = re.compile("^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(path)) + "$")
        literal = path.count("/") - path.count("{")
        for method, operation in item.items():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            names = frozenset(p["name"] for p in operation.get("parameters", []) if p.get("in") == "query")
            found.append((literal, pattern, method.upper(), names))
    found.sort(key=lambda row: -row[0])
    return [(pattern, method, names) for _literal, pattern, method, names in found]


def documented_query_parameters(path: str, method: str) -> frozenset[str] | None:
    """The query keys the schema lists for this request, or None when no operation matches."""
    method = "GET" if method == "HEAD" else method
    candidates = (path, path.removeprefix(API_PREFIX) or "/")
    for pattern, operation_method, names in operations():
        if operation_method == method and any(pattern.match(candidate) for candidate in candidates):
            return names
    return None


class KnownQueryParameters(BasePermission):
    """Refuses query keys the operation does not document (after authentication: a caller without
    credentials gets 401 first). Runs as a permission so that every API view has it."""

    def has_permission(self, request, view) -> bool:
        if not request.query_params:
            return True
        documented = documented_query_parameters(request.path, request.method)
        if documented is None:  # no such operation: the view answers 404 or 405 itself
            return True
        unknown = sorted(set(request.query_params) - documented)
        if unknown:
            raise exceptions.ValidationError(
                {
                    name: [
                        exceptions.ErrorDetail(
                            _("Unknown query parameter. This operation accepts: %(names)s.")
                            % {"names": ", ".join(sorted(documented)) or "-"},
                            code="unknown",
                        )
                    ]
                    for name in unknown
                }
            )
        return True

"""Query parameters are part of the contract: a request with a query key the OpenAPI schema does not
list for its operation is refused with 400 ``invalid`` (``invalidParams`` code ``unknown``), instead of
being silently ignored (a misspelt filter would otherwise answer the whole, unfiltered list). A value
that does not match the parameter's schema (``?provider=`` or ``?provider=abc`` for a uuid, ``?overdue=x``
for a boolean, a value outside an enum) is refused the same way (code ``invalid``): a filter would
otherwise treat it as absent and again answer the whole list.

The schema is the single source: what it documents is what the API accepts. It is generated once per
process (a fraction of a second) and only its query parameters are kept.
"""

import datetime
import functools
import re

from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from rest_framework import exceptions
from rest_framework.permissions import BasePermission

API_PREFIX = "/api/v1"
UUID = re.compile(r"[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")


@functools.cache
def operations() -> list[tuple[re.Pattern[str], str, dict[str, dict]]]:
    """(path regex, method, {query parameter name: its schema}) of every operation, literal paths first."""
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
            names = {
                p["name"]: p.get("schema", {})
                for p in operation.get("parameters", [])
                if p.get("in") == "query"
            }
            found.append((literal, pattern, method.upper(), names))
    found.sort(key=lambda row: -row[0])
    return [(pattern, method, names) for _literal, pattern, method, names in found]


def documented_query_parameters(path: str, method: str) -> dict[str, dict] | None:
    """The query keys the schema lists for this request with their schemas, or None when no operation
    matches."""
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
        unknown = sorted(set(request.query_params) - set(documented))
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
        invalid = {
            name: reason
            for name, schema in documented.items()
            for value in request.query_params.getlist(name)
            if (reason := value_error(schema, value))
        }
        if invalid:
            raise exceptions.ValidationError(
                {name: [exceptions.ErrorDetail(reason, code="invalid")] for name, reason in invalid.items()}
            )
        return True


def value_error(schema: dict, value: str) -> str | None:
    """Why one value of a query parameter does not match its schema (an array's items: its ``items``,
    the form style repeats the key per value), or None when it does."""
    if schema.get("type") == "array":
        schema = schema.get("items", {})
    kind, fmt = schema.get("type"), schema.get("format")
    if "enum" in schema and value not in schema["enum"]:
        return _("Choose one of: %(values)s.") % {"values": ", ".join(map(str, schema["enum"]))}
    if kind == "boolean" and value not in ("true", "false"):
        return _("Give true or false.")
    if fmt == "uuid" and not UUID.fullmatch(value):
        return _("Give a UUID.")
    if fmt == "date":
        try:
            if not DATE.fullmatch(value):
                raise ValueError
            datetime.date.fromisoformat(value)
        except ValueError:
            return _("Give a date as YYYY-MM-DD.")
    # Integers (page, pageSize) get their messages, with their ranges, from the paginator.
    return None

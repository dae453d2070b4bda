"""OpenAPI building blocks shared by every resource: the problem+json body and its responses."""

import copy

from django.conf import settings
from drf_spectacular.extensions import OpenApiSerializerExtension
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from api.exceptions import PROBLEM_JSON
from core.transitions import step_label, step_reason_required

API_BASE = "/api/v1"


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The (camelCase) name of the offending field.")
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`.")
    reason = serializers.CharField()


class UnmetSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code of the unmet requirement, e.g. `not_signed`.")
    message = serializers.CharField()
    condition = serializers.CharField(
        required=False, help_text="The code of the library condition, when a condition is unmet."
    )


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, plus our stable `code` and the extras of some problems."""

    type = serializers.URLField()
    code = serializers.CharField(
        help_text="Stable machine-readable code (`invalid_transition`, `guard_failed`, ...)."
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    invalid_params = InvalidParamSerializer(many=True, required=False, help_text="Only on 400 `invalid`.")
    unmet = UnmetSerializer(many=True, required=False, help_text="Only on 409 `guard_failed`.")
    current_status = serializers.CharField(
        required=False, help_text="On 409: the state the object is in now."
    )


READ_PROBLEMS = {
    401: "No credentials or wrong ones (`not_authenticated`, `invalid_token`).",
    403: "The caller may not read this (`permission_denied`).",
    404: "Not found, or not visible to the caller (`not_found`).",
}
TRANSITION_PROBLEMS = {
    400: "Invalid input (`invalid`, with `invalidParams`) or a missing reason (`reason_required`).",
    403: "The caller may not take this step (`transition_forbidden`), or the API token lacks the scope "
    "`write` (`insufficient_scope`).",
    404: "Not found or not visible to the caller (`not_found`), or no such transition "
    "(`unknown_transition`).",
    409: "The current state refuses the change (`invalid_transition`), or a guard is unmet "
    "(`guard_failed`, with `unmet`).",
    412: "`If-Match` does not match the current `ETag` (`precondition_failed`): the object changed since "
    "the caller read it; nothing was changed.",
    428: "No `If-Match` (`precondition_required`): send the `ETag` of the version you saw; nothing was "
    "changed.",
}


def problems(*codes: int, descriptions: dict[int, str] = READ_PROBLEMS) -> dict:
    """`responses=` entries for the given HTTP status codes, all application/problem+json."""
    return {
        (code, PROBLEM_JSON): OpenApiResponse(response=ProblemSerializer, description=descriptions[code])
        for code in codes
    }


class ResourceAutoSchema(AutoSchema):
    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "events":  # a list of events, not one object
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id


class ClosedSerializerSchema(OpenApiSerializerExtension):
    """An api.serializers.ClosedSerializer refuses unknown keys: its schema says
    ``additionalProperties: false``."""

    target_class = "api.serializers.ClosedSerializer"
    match_subclasses = True

    def map_serializer(self, auto_schema, direction):
        schema = auto_schema._map_serializer(self.target, direction, bypass_extensions=True)
        return {**schema, "additionalProperties": False}


# --------------------------------------------------------------------------- the NL API Design Rules
# drf-spectacular builds each operation from its view; this hook adds what every operation shares, so
# that the schema passes the ADR Spectral rulesets (api/lint/, `make api-lint`): the servers, the
# responses every operation can give (400 for unknown query keys, 401, 403, 406, 429) and the headers
# every response carries (API-Version, and Retry-After, WWW-Authenticate, ETag where they apply).

HEADERS = {
    "API-Version": {
        "description": "The full version of the API (the URL carries only the major version).",
        "schema": {"type": "string", "example": "1.0.0"},
    },
    "ETag": {
        "description": "The version of the object; send it back as `If-Match` with a change.",
        "schema": {"type": "string"},
    },
    "Retry-After": {
        "description": "Seconds to wait before the next request.",
        "schema": {"type": "integer"},
    },
    "WWW-Authenticate": {
        "description": 'The challenge: `Bearer realm="zorginkoop"` (with `error="invalid_token"` for a '
        "wrong, expired or revoked token).",
        "schema": {"type": "string"},
    },
    "Access-Control-Allow-Origin": {
        "description": "`*`: the schema may be read from any origin.",
        "schema": {"type": "string"},
    },
}
VERSION_HEADER = {"API-Version": {"$ref": "#/components/headers/API-Version"}}

SHARED_PROBLEMS = {
    "400": (
        "BadRequest",
        "Invalid input (`invalid`): each error in `invalidParams`, among them query keys the operation "
        "does not know (`unknown`), a `pageSize` or `page` that is not a whole number in range.",
        {},
    ),
    "401": (
        "Unauthorized",
        "No credentials (`not_authenticated`), or an unknown, expired or revoked token (`invalid_token`).",
        {"WWW-Authenticate": {"$ref": "#/components/headers/WWW-Authenticate"}},
    ),
    "403": (
        "Forbidden",
        "The caller may not do this (`permission_denied`, `transition_forbidden`), or the API token lacks "
        "the scope (`insufficient_scope`).",
        {},
    ),
    "406": ("NotAcceptable", "No representation matches the `Accept` header (`not_acceptable`).", {}),
    "429": (
        "TooManyRequests",
        "Too many requests (`throttled`); wait `Retry-After` seconds.",
        {"Retry-After": {"$ref": "#/components/headers/Retry-After"}},
    ),
}
PUBLIC_CODES = ("400", "406", "429")  # the schema itself needs no credentials
METHODS = ("get", "put", "post", "patch", "delete")

TAGS = {
    "agreements": "Agreements between an authority and a provider or coalition, and their steps.",
    "applications": "Providers' applications to procedures, their assessments and steps.",
    "audit-events": "The hash-chained audit trail (officers, auditors; not provider users).",
    "authorities": "Municipalities and regions that contract care.",
    "coalitions": "Care coalitions and their steps.",
    "declarations": "Imports of production data (declarations, allocations).",
    "documents": "Accountability documents: upload, download, review.",
    "exports": "Exports for auditors: workbooks and PDF reports.",
    "memberships": "Providers' memberships of coalitions and their steps.",
    "openapi.json": "This description of the API.",
    "procedures": "Procurement procedures and their steps.",
    "products": "Products (iWmo/iJw product codes).",
    "providers": "Care providers, their dossier and what is still missing.",
    "signals": "Fraud signals (officers and auditors).",
}


def _problem_response(name: str) -> dict:
    return {"$ref": f"#/components/responses/{name}"}


def adr_postprocess(result: dict, generator, request, public: bool) -> dict:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]: the servers, shared responses and headers."""
    from_request = request.build_absolute_uri(API_BASE) if request is not None else None
    result["servers"] = [
        {"url": from_request or settings.API_SERVER_URL, "description": "This installation of Zorginkoop."}
    ]
    components = result.setdefault("components", {})
    components["headers"] = HEADERS
    components["responses"] = {
        name: {
            "description": description,
            "headers": {**VERSION_HEADER, **headers},
            "content": {PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}}},
        }
        for name, description, headers in SHARED_PROBLEMS.values()
    }
    used_tags: set[str] = set()
    used_responses: set[str] = set()
    for path, item in result["paths"].items():
        for method in METHODS:
            operation = item.get(method)
            if operation is None:
                continue
            used_tags.update(operation.get("tags", []))
            body = operation.get("requestBody")
            if body and any(
                _is_one_of(result, media.get("schema", {})) for media in body["content"].values()
            ):
                body["required"] = True  # drf-spectacular leaves it out; every variant requires its fields
            is_public = {} in operation.get("security", [{}])
            responses = operation["responses"]
            for code, (name, _description, _headers) in SHARED_PROBLEMS.items():
                if code not in responses and (not is_public or code in PUBLIC_CODES):
                    responses[code] = _problem_response(name)
                    used_responses.add(name)
            for code, response in responses.items():
                if "$ref" in response:
                    continue
                headers = response.setdefault("headers", {})
                headers.update(VERSION_HEADER)
                if code == "429":
                    headers["Retry-After"] = {"$ref": "#/components/headers/Retry-After"}
                if code == "401":
                    headers["WWW-Authenticate"] = {"$ref": "#/components/headers/WWW-Authenticate"}
                if code in ("200", "201") and _carries_etag(path, method, operation):
                    headers["ETag"] = {"$ref": "#/components/headers/ETag"}
                if code == "200" and path == "/openapi.json":
                    headers["access-control-allow-origin"] = {
                        "$ref": "#/components/headers/Access-Control-Allow-Origin"
                    }
            operation["responses"] = dict(sorted(responses.items()))
    components["responses"] = {k: v for k, v in components["responses"].items() if k in used_responses}
    result["tags"] = [{"name": tag, "description": TAGS.get(tag, "")} for tag in sorted(used_tags)]
    return result


def _is_one_of(result: dict, schema: dict) -> bool:
    if "$ref" in schema:
        schema = result["components"]["schemas"].get(schema["$ref"].rsplit("/", 1)[1], {})
    return "oneOf" in schema


def _carries_etag(path: str, method: str, operation: dict) -> bool:
    """The detail of an object, and every change of one (its answer names the new version)."""
    is_detail = method == "get" and operation["operationId"].endswith("_retrieve") and path.endswith("}")
    return is_detail or _requires_if_match(method, operation)


def _requires_if_match(method: str, operation: dict) -> bool:
    return method != "get" and any(
        p.get("in") == "header" and p.get("name") == "If-Match" for p in operation.get("parameters", [])
    )


# --------------------------------------------------------------------------- steps that need a reason
# POST /<resource>/{uuid}/transitions/{name} takes one input for every step of a resource, in which
# `reason` is optional. A step that cannot be taken without a reason (`dismiss`, `reject`, `suspend` ...)
# gets its own operation on its concrete (kebab-case) path, whose input says `reason` is required; the generic
# operation lists only the other steps. The view is the same one (api.transitions.TransitionsMixin).

TRANSITION_PATH = "/{uuid}/transitions/{name}"


def split_reasoned_transitions(result: dict, generator, request, public: bool) -> dict:
    """SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"], before adr_postprocess."""
    schemas = result.setdefault("components", {}).setdefault("schemas", {})
    paths = result["paths"]
    for path, _regex, method, callback in generator.endpoints:
        view = getattr(callback, "cls", None)
        registry = getattr(view, "transition_registry", None)
        trimmed = path.removeprefix(API_BASE)
        if method != "POST" or not registry or not trimmed.endswith(TRANSITION_PATH) or trimmed not in paths:
            continue
        model = view.serializer_class.Meta.model
        generic = paths[trimmed]["post"]
        reasoned = [n for n, service in registry.items() if step_reason_required(model, n, service)]
        # steps whose input needs more than the reason (``transition_required`` on the view), e.g. the
        # signatory of an accepted offer
        extra: dict[str, tuple[str, ...]] = dict(getattr(view, "transition_required", {}))
        own = [n for n in registry if n in reasoned or n in extra]
        if not own:
            continue
        body_ref = generic["requestBody"]["content"]["application/json"]["schema"]["$ref"]
        body_name = body_ref.rsplit("/", 1)[1]
        for name in own:
            fields = (("reason",) if name in reasoned else ()) + extra.get(name, ())
            if fields == ("reason",):
                schema_name = body_name.removesuffix("Request") + "WithReasonRequest"
                what = "needs a `reason`; without one the answer is 400 `reason_required`"
                summary = f"{step_label(model, name, registry[name])} (`{name}`; with a reason)"
            else:
                schema_name = body_name.removesuffix("Request") + name.title().replace("_", "") + "Request"
                what = "needs " + ", ".join(f"`{f}`" for f in fields) + "; without them the answer is 400"
                summary = f"{step_label(model, name, registry[name])} (`{name}`)"
            schemas[schema_name] = _with_required(schemas[body_name], fields)
            operation = copy.deepcopy(generic)
            operation["operationId"] = generic["operationId"].removesuffix("_create") + f"_{name}_create"
            operation["summary"] = summary
            operation["description"] = f"Takes the step `{name}`, which {what}. Answers the updated object."
            operation["parameters"] = [p for p in operation["parameters"] if p["name"] != "name"]
            operation["requestBody"] = {
                "content": {
                    media: {"schema": {"$ref": f"#/components/schemas/{schema_name}"}}
                    for media in generic["requestBody"]["content"]
                },
                "required": True,
            }
            paths[trimmed.removesuffix("{name}") + name.replace("_", "-")] = {"post": operation}
        name_parameter = next(p for p in generic["parameters"] if p["name"] == "name")
        name_parameter["schema"]["enum"] = [n for n in name_parameter["schema"]["enum"] if n not in own]
        generic["description"] += (
            " Steps that need more input have their own operation: " + ", ".join(f"`{n}`" for n in own) + "."
        )
    result["paths"] = dict(sorted(paths.items()))
    return result


def _with_required(body: dict, fields: tuple[str, ...]) -> dict:
    schema = copy.deepcopy(body)
    for field in fields:
        prop = schema["properties"][field]
        prop.pop("default", None)
        prop["pattern"] = r"\S"
        if field == "reason":
            prop["description"] = "Why the step is taken (required: not empty)."
    schema["required"] = sorted({*schema.get("required", []), *fields})
    return schema

"""Every API error as application/problem+json (RFC 9457) with our stable ``code``."""

from django.core.exceptions import ObjectDoesNotExist
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, serializers
from rest_framework.response import Response
from rest_framework.views import exception_handler

from core.exceptions import (
    DomainError,
    FourEyesRequired,
    GuardFailed,
    InvalidInput,
    InvalidTransition,
    PreconditionRequired,
    ReasonRequired,
    StaleObject,
    TransitionForbidden,
    UnknownTransition,
)
from core.uploads import UploadTooLarge

PROBLEM_JSON = "application/problem+json"

DOMAIN_STATUS: dict[type[DomainError], int] = {
    InvalidTransition: 409,
    GuardFailed: 409,
    FourEyesRequired: 409,
    TransitionForbidden: 403,
    UnknownTransition: 404,
    ReasonRequired: 400,
    StaleObject: 412,
    PreconditionRequired: 428,
    InvalidInput: 400,
    UploadTooLarge: 413,
}

DRF_CODES = {
    400: "invalid",
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    415: "unsupported_media_type",
    429: "throttled",
}


def problem(request, status: int, code: str, title: str, detail: str, **extra) -> dict:
    body = {
        "type": f"https://zorginkoop.nl/problems/{code}",
        "code": code,
        "title": str(title),
        "status": status,
        "detail": str(detail),
        "instance": request.get_full_path() if request is not None else "",
    }
    body.update(extra)
    return body


def _invalid_params(data, prefix: str = "") -> list[dict]:
    params = []
    if isinstance(data, dict):
        for key, value in data.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            params.extend(_invalid_params(value, name))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            if isinstance(item, exceptions.ErrorDetail):
                params.append({"name": prefix or "nonFieldErrors", "code": item.code, "reason": str(item)})
            else:
                params.extend(_invalid_params(item, f"{prefix}.{i}" if prefix else str(i)))
    elif isinstance(data, exceptions.ErrorDetail):
        params.append({"name": prefix or "nonFieldErrors", "code": data.code, "reason": str(data)})
    return params


def translate_django_exception(exc):
    if isinstance(exc, Http404 | ObjectDoesNotExist):
        return exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        return exceptions.PermissionDenied()
    if isinstance(exc, DjangoValidationError):
        return serializers.ValidationError(serializers.as_serializer_error(exc))
    return exc


def problem_exception_handler(exc, context):
    request = context.get("request")
    if isinstance(exc, DomainError):
        status_code = next((s for cls, s in DOMAIN_STATUS.items() if isinstance(exc, cls)), 409)
        extra = {k if "_" not in k else _camel(k): v for k, v in exc.extra.items()}
        body = problem(request, status_code, exc.code, exc.title, exc.detail, **extra)
        return Response(body, status=status_code, content_type=PROBLEM_JSON)
    exc = translate_django_exception(exc)
    response = exception_handler(exc, context)
    if response is None:
        return None
    status_code = response.status_code
    if isinstance(exc, exceptions.ValidationError):
        body = problem(
            request,
            400,
            "invalid",
            "Invalid input.",
            "The request contains invalid parameters.",
            invalidParams=_invalid_params(exc.detail),
        )
    else:
        detail = getattr(exc, "detail", "")
        code = getattr(detail, "code", None) or DRF_CODES.get(status_code, "error")
        body = problem(request, status_code, code, str(detail), str(detail))
    response.data = body
    response.content_type = PROBLEM_JSON
    return response


def _camel(name: str) -> str:
    first, *rest = name.split("_")
    return first + "".join(part.title() for part in rest)

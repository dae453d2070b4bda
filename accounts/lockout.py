"""Brute-force protection on every login path (django-axes): the admin's and the portal's login forms
and the API's basic authentication share one count per username and one per client address.

After ``AXES_FAILURE_LIMIT`` failed attempts that username, and that address, cannot log in for
``AXES_COOLOFF_TIME``, not even with the right password. The forms answer with a page that says so
(HTTP 429); the API answers 429 problem+json ``too_many_login_attempts`` (``api.authentication``).
"""

import math
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _

LOCKED_OUT_STATUS = 429


def cool_off_minutes() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds() / 60)


def cool_off_seconds() -> int:
    return math.ceil(settings.AXES_COOLOFF_TIME.total_seconds())


def lockout_message() -> str:
    return _(
        "Too many failed login attempts. To protect the account, logging in is blocked for "
        "%(minutes)s minutes. Try again later."
    ) % {"minutes": cool_off_minutes()}


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: ``REMOTE_ADDR``, or behind a reverse proxy the header it sets
    (``LOGIN_CLIENT_IP_HEADER``, e.g. ``HTTP_X_REAL_IP``). Never a header a client may send itself."""
    header = settings.LOGIN_CLIENT_IP_HEADER
    if header:
        return request.META.get(header) or None
    return request.META.get("REMOTE_ADDR") or None


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials: Any = None
) -> HttpResponse:
    """AXES_LOCKOUT_CALLABLE: the page the admin's or the portal's login form answers when locked."""
    context = {"title": _("Logging in is blocked"), "message": lockout_message()}
    if request.path_info.startswith(reverse("admin:index")):
        context.update(admin.site.each_context(request))
        template = "admin/locked_out.html"
    else:
        template = "portal/locked_out.html"
    response = render(request, template, context, status=LOCKED_OUT_STATUS)
    response["Retry-After"] = str(cool_off_seconds())
    return response


def client_str(username: Any, ip_address: Any, user_agent: Any, path_info: Any, request: Any) -> str:
    """AXES_CLIENT_STR_CALLABLE: what axes writes in its log lines about a client. No username or
    address: the log is no place for personal data (the lockout itself is in axes' table)."""
    return f"path_info={path_info}"

"""The officer's workspace pages in the admin: the start page, a provider's relationship, a coalition,
the contract calendar and its iCalendar feed. Officers, auditors and administrators only (the admin's
own login and second factor); what each section shows comes from the selectors."""

import datetime
from typing import Any

from django.conf import settings
from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coalitions.models import Coalition
from contracting.models import Agreement, Provider
from contracting.roles import can_read_everything
from contracting.services import AGREEMENT_TRANSITIONS
from core import clock, formatting
from core.dates import add_months
from core.state_diagram import Diagram, state_diagram
from core.transitions import available_transitions, step_label
from workspace.calendar import by_month, calendar_entries, calendar_overview, icalendar
from workspace.models import CalendarFeed, EntryKind, token_digest
from workspace.scope import authorities_of, scope_of
from workspace.selectors import (
    TIMELINE_KINDS,
    TIMELINE_LIMIT,
    TimelineFilter,
    coalition_overview,
    provider_relationship,
    provider_timeline_events,
    timeline_entries,
)
from workspace.services import calendar_feed_create, calendar_feed_revoke
from workspace.worklists import worklists_for

CALENDAR_MONTHS = 12


def _context(request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
    if not can_read_everything(request.user):
        raise PermissionDenied
    scope = scope_of(request.user)
    return {
        **admin.site.each_context(request),
        "title": title,
        "scope": scope,
        "authorities": list(authorities_of(scope)),
        **extra,
    }


def start_page(request: HttpRequest) -> HttpResponse:
    context = _context(request, _("What needs you today"))
    context["worklists"] = worklists_for(request.user, context["scope"], clock.today())
    return TemplateResponse(request, "workspace/start.html", context)


def _date(value: str | None) -> datetime.date | None:
    try:
        return datetime.date.fromisoformat(value) if value else None
    except ValueError:
        return None


def provider_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    provider = get_object_or_404(Provider, uuid=uuid)
    filters = TimelineFilter(
        kind=request.GET.get("kind", ""),
        date_from=_date(request.GET.get("from")),
        date_to=_date(request.GET.get("to")),
        actor=request.GET.get("actor", "").strip(),
    )
    context = _context(request, str(provider))
    events = provider_timeline_events(provider, request.user, filters)
    relationship = provider_relationship(provider, request.user)
    for row in relationship.agreements:
        row.diagram = agreement_diagram(row.agreement, request.user)
    context.update(
        relationship=relationship,
        timeline=timeline_entries(events[:TIMELINE_LIMIT]),
        timeline_limit=TIMELINE_LIMIT,
        filters=filters,
        kinds=[(k, _kind_label(k)) for k in TIMELINE_KINDS],
        change_url=reverse("admin:contracting_provider_change", args=[provider.pk]),
    )
    return TemplateResponse(request, "workspace/provider.html", context)


def agreement_diagram(agreement: Agreement, user: Any) -> Diagram:
    """The agreement's state machine with the steps ``user`` may take now, each linked to the admin's
    confirmation page of that step (the same page as the buttons on the agreement's own page)."""
    names = available_transitions(agreement, user, AGREEMENT_TRANSITIONS)
    return state_diagram(
        agreement,
        available=names,
        step_labels={n: step_label(Agreement, n, AGREEMENT_TRANSITIONS[n]) for n in names},
        step_urls={
            n: reverse("admin:contracting_agreement_transition", args=[agreement.pk, n]) for n in names
        },
    )


def _kind_label(kind: str) -> str:
    return {
        "provider": _("Provider"),
        "application": _("Applications"),
        "agreement": _("Agreements"),
        "membership": _("Memberships"),
        "document": _("Documents"),
        "signal": _("Signals"),
        "waiver": _("Waivers"),
        "condition": _("Declarations and judgements"),
    }[kind]


def coalition_page(request: HttpRequest, uuid: Any) -> HttpResponse:
    coalition = get_object_or_404(Coalition.objects.select_related("authority"), uuid=uuid)
    context = _context(request, str(coalition))
    context.update(
        overview=coalition_overview(coalition, request.user),
        change_url=reverse("admin:coalitions_coalition_change", args=[coalition.pk]),
    )
    return TemplateResponse(request, "workspace/coalition.html", context)


DOCUMENTS_PER_MONTH = 100  # the rest of a month's expiries is a link to the documents list


def calendar_page(request: HttpRequest) -> HttpResponse:
    """Twelve months of deadlines: a table with the number per kind and month, and the entries of one month
    (``?month=YYYY-MM``, workspace.calendar.calendar_overview)."""
    context = _context(request, _("Contract calendar"))
    overview = calendar_overview(
        context["scope"],
        clock.today(),
        request.GET.get("month"),
        months=CALENDAR_MONTHS,
        documents_per_month=DOCUMENTS_PER_MONTH,
    )
    chosen = overview.chosen
    context.update(
        months=by_month(overview.entries),
        month_rows=overview.rows,
        kind_labels=[label for _value, label in EntryKind.choices],
        chosen=chosen,
        chosen_label=formatting.month_year(chosen),
        hidden_documents=overview.hidden_documents,
        documents_url=reverse("admin:compliance_accountabilitydocument_changelist")
        + f"?status__exact=accepted&valid_until__gte={chosen:%Y-%m-%d}&valid_until__lt={add_months(chosen, 1):%Y-%m-%d}",
        start=overview.start,
        end=overview.end,
        kind_counts=overview.kind_counts,
        live_feed=CalendarFeed.objects.filter(user=request.user, revoked_at__isnull=True).first(),
    )
    return TemplateResponse(request, "workspace/calendar.html", context)


@require_http_methods(["POST"])
def calendar_feed_manage(request: HttpRequest) -> HttpResponse:
    """Make a new secret feed address (shown once) or revoke the current one."""
    context = _context(request, _("Calendar feed"))
    if request.POST.get("action") == "revoke":
        calendar_feed_revoke(actor=request.user)
        context["revoked"] = True
    else:
        _feed, token = calendar_feed_create(actor=request.user)
        context["feed_url"] = request.build_absolute_uri(reverse("workspace:calendar-ics", args=[token]))
    return TemplateResponse(request, "workspace/calendar_feed.html", context)


@require_GET
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The officer's calendar as iCalendar, for a calendar application: the secret token is the key."""
    feed = (
        CalendarFeed.objects.filter(token_sha256=token_digest(token), revoked_at__isnull=True)
        .select_related("user")
        .first()
    )
    if feed is None or not feed.user.is_active or not can_read_everything(feed.user):
        raise Http404
    today = clock.today()
    start = add_months(today.replace(day=1), -1)
    entries = calendar_entries(scope_of(feed.user), start, add_months(start, 24))
    body = icalendar(
        entries,
        base_url=settings.SITE_URL,
        stamp=clock.now(),
        name=_("Zorginkoop contract calendar"),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Cache-Control"] = "private, no-store"
    return response

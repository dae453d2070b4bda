"""The worklists of the start page: one selector per list, each answering what needs the officer, why,
and what the next step is. Register a new list with ``@worklist`` (e.g. another app's depletion list):
the start page shows every registered list in order, each with a bounded number of queries (a count and
the first ``LIMIT`` items, related rows joined)."""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from coalitions.models import Membership, MembershipStatus
from compliance.fraud.rules.registry import rule_title
from compliance.models import (
    AccountabilityDocument,
    DocumentStatus,
    FraudSignal,
    SignalStatus,
    Waiver,
    WaiverStatus,
    holds_applications,
)
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    PastStart,
    Question,
    QuestionStatus,
)
from core import formatting
from core.dates import add_months
from workspace.lead_times import lead_times_on
from workspace.models import EntryKind, LeadTime
from workspace.scope import Scope

LIMIT = 10


@dataclass(frozen=True)
class Item:
    title: str
    url: str
    why: str
    next_step: str
    provider_url: str = ""
    provider_name: str = ""


@dataclass
class Worklist:
    code: str
    title: str
    count: int
    items: list[Item]
    all_url: str = ""
    note: str = ""  # e.g. a missing lead time: the list cannot be made, and says so


@dataclass
class Context:
    user: Any
    scope: Scope
    today: datetime.date
    lead_times: dict[str, LeadTime] = field(default_factory=dict)


WorklistSelector = Callable[[Context], Worklist]
WORKLISTS: list[tuple[str, Any, WorklistSelector]] = []


def worklist(code: str, title: Any) -> Callable[[WorklistSelector], WorklistSelector]:
    """Registers a worklist selector under ``code`` with its (lazy) title."""

    def register(selector: WorklistSelector) -> WorklistSelector:
        WORKLISTS.append((code, title, selector))
        return selector

    return register


def worklists_for(user: Any, scope: Scope, today: datetime.date) -> list[Worklist]:
    context = Context(user=user, scope=scope, today=today, lead_times=lead_times_on(today))
    return [selector(context) for _code, _title, selector in WORKLISTS]


def admin_url(obj: Any) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[obj.pk])


def relationship_url(provider: Any) -> str:
    return reverse("workspace:provider", args=[provider.uuid])


def _list(
    code: str, title: Any, queryset: QuerySet, item: Callable[[Any], Item], all_url: str = ""
) -> Worklist:
    return Worklist(
        code=code,
        title=str(title),
        count=queryset.count(),
        items=[item(obj) for obj in queryset[:LIMIT]],
        all_url=all_url,
    )


def _with_provider(provider: Any, **kwargs: str) -> Item:
    return Item(provider_url=relationship_url(provider), provider_name=provider.name, **kwargs)


# --------------------------------------------------------------------------- the lists


@worklist("applications_to_assess", gettext_lazy("Applications to assess"))
def applications_to_assess(context: Context) -> Worklist:
    queryset = (
        Application.objects.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW])
        .filter(context.scope.authorities("procedure__authority_id"))
        .select_related("procedure", "provider")
        .order_by("submitted_at", "pk")
    )

    def item(application: Application) -> Item:
        submitted = formatting.date_long(application.submitted_at)
        if application.status == ApplicationStatus.SUBMITTED:
            why = _("Submitted on %(date)s; nobody has started the review.") % {"date": submitted}
            step = _("Start the review.")
        else:
            why = _("Under review since its submission on %(date)s.") % {"date": submitted}
            step = _("Record the three assessment steps, then admit or reject.")
        return _with_provider(
            application.provider,
            title=f"{application.provider.name} → {application.procedure.reference}",
            url=admin_url(application),
            why=why,
            next_step=step,
        )

    return _list(
        "applications_to_assess",
        _("Applications to assess"),
        queryset,
        item,
        reverse("admin:contracting_application_changelist"),
    )


@worklist("applications_on_hold", gettext_lazy("Applications on hold for a signal"))
def applications_on_hold(context: Context) -> Worklist:
    """Applications that an open or investigated high-severity signal holds until the provider has been
    heard on it (compliance.conditions.guards.no_blocking_fraud_signal)."""
    unheard = FraudSignal.objects.filter(holds_applications(), provider_id=OuterRef("provider_id")).exclude(
        hearings__application_id=OuterRef(OuterRef("pk"))
    )
    queryset = (
        Application.objects.filter(status__in=[ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW])
        .filter(context.scope.authorities("procedure__authority_id"))
        .filter(Exists(unheard))
        .select_related("procedure", "provider")
        .order_by("submitted_at", "pk")
    )

    def item(application: Application) -> Item:
        return _with_provider(
            application.provider,
            title=f"{application.provider.name} → {application.procedure.reference}",
            url=admin_url(application),
            why=_(
                "A high-severity signal about the provider is open; the provider has not been heard on it."
            ),
            next_step=_(
                "Hear the provider, record the response and your conclusion on the signal; then decide the "
                "application."
            ),
        )

    return _list(
        "applications_on_hold",
        _("Applications on hold for a signal"),
        queryset,
        item,
        reverse("admin:compliance_fraudsignal_changelist") + "?severity__exact=high",
    )


@worklist("questions_to_answer", gettext_lazy("Questions to answer (nota van inlichtingen)"))
def questions_to_answer(context: Context) -> Worklist:
    """Providers' questions about procedures that are not yet answered, or answered but not yet published;
    those of the procedure whose question deadline comes first on top."""
    queryset = (
        Question.objects.filter(status__in=[QuestionStatus.ASKED, QuestionStatus.ANSWERED])
        .filter(context.scope.authorities("procedure__authority_id"))
        .select_related("procedure", "provider")
        .order_by(F("procedure__question_deadline").asc(nulls_last=True), "created_at", "pk")
    )

    def item(question: Question) -> Item:
        asked = formatting.date_long(question.created_at)
        if question.status == QuestionStatus.ASKED:
            why = _("Asked on %(date)s; not answered yet.") % {"date": asked}
            step = _("Answer it; take out of the question whatever names the asker.")
        else:
            why = _("Asked on %(date)s; answered, not yet published.") % {"date": asked}
            step = _("Publish the answer for every provider.")
        deadline = question.procedure.question_deadline
        if deadline is not None:
            why += " " + _("Questions close on %(date)s.") % {"date": formatting.date_long(deadline)}
        return _with_provider(
            question.provider,
            title=f"{question.procedure.reference} – {question.text[:60]}",
            url=admin_url(question),
            why=why,
            next_step=step,
        )

    return _list(
        "questions_to_answer",
        _("Questions to answer (nota van inlichtingen)"),
        queryset,
        item,
        reverse("admin:contracting_question_changelist") + "?status__exact=asked",
    )


@worklist("start_dates_to_decide", gettext_lazy("Start dates in the past to decide"))
def start_dates_to_decide(context: Context) -> Worklist:
    """Agreements from an admission whose start date lies before the day they were made: the offer
    waits until an officer keeps the past start or moves it to today, with a reason."""
    title = _("Start dates in the past to decide")
    queryset = (
        Agreement.objects.filter(past_start=PastStart.PENDING)
        .filter(context.scope.authorities())
        .select_related("provider", "coalition")
        .order_by("start_date", "pk")
    )

    def item(agreement: Agreement) -> Item:
        party = agreement.provider or agreement.coalition
        return Item(
            title=f"{agreement.reference} – {party}",
            url=admin_url(agreement),
            why=_("Starts on %(start)s, before the day it was made (%(created)s).")
            % {
                "start": formatting.date_long(agreement.start_date),
                "created": formatting.date_long(agreement.created_at),
            },
            next_step=_("Keep the past start date or start from today, with a reason; then make the offer."),
            provider_url=relationship_url(agreement.provider) if agreement.provider else "",
            provider_name=agreement.provider.name if agreement.provider else "",
        )

    return _list(
        "start_dates_to_decide",
        title,
        queryset,
        item,
        reverse("admin:contracting_agreement_changelist") + "?past_start__exact=pending",
    )


@worklist("documents_to_review", gettext_lazy("Documents to review"))
def documents_to_review(context: Context) -> Worklist:
    queryset = (
        AccountabilityDocument.objects.filter(status__in=[DocumentStatus.SUBMITTED, DocumentStatus.IN_REVIEW])
        .filter(context.scope.providers())
        .select_related("provider", "document_type")
        .order_by("submitted_at", "pk")
    )

    def item(document: AccountabilityDocument) -> Item:
        submitted = formatting.date_long(document.submitted_at)
        if document.status == DocumentStatus.SUBMITTED:
            why = _("Submitted by the provider on %(date)s.") % {"date": submitted}
            step = _("Start the review, look at the file and accept or reject it.")
        else:
            why = _("In review since its submission on %(date)s.") % {"date": submitted}
            step = _("Accept or reject it, with a reason.")
        return _with_provider(
            document.provider,
            title=f"{document.document_type.name} – {document.provider.name}",
            url=admin_url(document),
            why=why,
            next_step=step,
        )

    return _list(
        "documents_to_review",
        _("Documents to review"),
        queryset,
        item,
        reverse("admin:compliance_accountabilitydocument_changelist") + "?status__exact=submitted",
    )


@worklist("signals_to_triage", gettext_lazy("Signals to triage"))
def signals_to_triage(context: Context) -> Worklist:
    queryset = (
        FraudSignal.objects.filter(status=SignalStatus.OPEN)
        .filter(context.scope.authorities() | (Q(authority__isnull=True) & context.scope.providers()))
        .select_related("provider")
        .order_by("-severity", "-score", "pk")
    )

    def item(signal: FraudSignal) -> Item:
        return _with_provider(
            signal.provider,
            title=f"{rule_title(signal.rule)} – {signal.provider.name}",
            url=admin_url(signal),
            why=_("New signal (%(severity)s) over %(period)s: %(explanation)s")
            % {
                "severity": signal.get_severity_display().lower(),
                "period": formatting.period(signal.period_start, signal.period_end),
                "explanation": signal.explanation or formatting.MISSING,
            },
            next_step=_("Start an investigation, or dismiss it with a reason."),
        )

    return _list(
        "signals_to_triage",
        _("Signals to triage"),
        queryset,
        item,
        reverse("admin:compliance_fraudsignal_changelist") + "?status__exact=open",
    )


def _four_eyes(context: Context, *, mine: bool) -> tuple[int, list[Item]]:
    """Proposals waiting for a second officer: confirmations of signals, terminations of agreements,
    waivers. ``mine``: those the user proposed (waiting for another officer); else those another
    officer proposed (waiting for this user)."""
    user_id = context.user.pk

    def by(field: str) -> Q:
        return Q(**{field: user_id}) if mine else ~Q(**{field: user_id})

    signals = (
        FraudSignal.objects.filter(status=SignalStatus.INVESTIGATING, confirmation_requested_by__isnull=False)
        .filter(by("confirmation_requested_by"))
        .filter(context.scope.authorities() | (Q(authority__isnull=True) & context.scope.providers()))
        .select_related("provider", "confirmation_requested_by")
        .order_by("confirmation_requested_at", "pk")
    )
    agreements = (
        Agreement.objects.filter(
            status__in=[AgreementStatus.ACTIVE, AgreementStatus.SUSPENDED],
            termination_requested_by__isnull=False,
        )
        .filter(by("termination_requested_by"))
        .filter(context.scope.authorities())
        .select_related("provider", "coalition", "termination_requested_by")
        .order_by("termination_requested_at", "pk")
    )
    waivers = (
        Waiver.objects.filter(status=WaiverStatus.PENDING)
        .filter(by("requested_by"))
        .filter(context.scope.providers())
        .select_related("provider", "condition", "requested_by")
        .order_by("created_at", "pk")
    )
    step = _("Wait for a second officer; you cannot decide this yourself.") if mine else None
    items: list[Item] = []
    for signal in signals[:LIMIT]:
        items.append(
            _with_provider(
                signal.provider,
                title=f"{rule_title(signal.rule)} – {signal.provider.name}",
                url=admin_url(signal),
                why=_("%(officer)s proposed to confirm this signal on %(date)s: %(grounds)s")
                % {
                    "officer": _name(signal.confirmation_requested_by),
                    "date": formatting.date_long(signal.confirmation_requested_at),
                    "grounds": signal.confirmation_reason or formatting.MISSING,
                },
                next_step=step or _("Confirm it as the second officer, or dismiss it with a reason."),
            )
        )
    for agreement in agreements[:LIMIT]:
        party = agreement.provider or agreement.coalition
        items.append(
            Item(
                title=f"{agreement.reference} – {party}",
                url=admin_url(agreement),
                why=_("%(officer)s requested its termination on %(date)s: %(reason)s")
                % {
                    "officer": _name(agreement.termination_requested_by),
                    "date": formatting.date_long(agreement.termination_requested_at),
                    "reason": agreement.termination_reason or formatting.MISSING,
                },
                next_step=step or _("Approve the termination as the second officer."),
                provider_url=relationship_url(agreement.provider) if agreement.provider else "",
                provider_name=agreement.provider.name if agreement.provider else "",
            )
        )
    for waiver in waivers[:LIMIT]:
        items.append(
            _with_provider(
                waiver.provider,
                title=f"{waiver.condition} – {waiver.provider.name}",
                url=admin_url(waiver),
                why=_("%(officer)s asked to waive this condition until %(date)s: %(reason)s")
                % {
                    "officer": _name(waiver.requested_by),
                    "date": formatting.date_long(waiver.valid_until),
                    "reason": waiver.reason,
                },
                next_step=step or _("Approve or reject the waiver as the second officer."),
            )
        )
    return signals.count() + agreements.count() + waivers.count(), items


def _name(user: Any) -> str:
    return (user.get_full_name() or user.get_username()) if user else formatting.MISSING


@worklist("waiting_for_you", gettext_lazy("Waiting for you (four eyes)"))
def waiting_for_you(context: Context) -> Worklist:
    count, items = _four_eyes(context, mine=False)
    return Worklist(code="waiting_for_you", title=_("Waiting for you (four eyes)"), count=count, items=items)


@worklist("waiting_for_other_officer", gettext_lazy("Waiting for the other officer"))
def waiting_for_other_officer(context: Context) -> Worklist:
    count, items = _four_eyes(context, mine=True)
    return Worklist(
        code="waiting_for_other_officer", title=_("Waiting for the other officer"), count=count, items=items
    )


@worklist("agreement_deadlines", gettext_lazy("Extension options and notice deadlines"))
def agreement_deadlines(context: Context) -> Worklist:
    """Active agreements whose last day to extend or give notice falls within the lead time."""
    title = _("Extension options and notice deadlines")
    lead = context.lead_times.get(EntryKind.NOTICE_DEADLINE)
    if lead is None:
        return _missing("agreement_deadlines", title, EntryKind.NOTICE_DEADLINE)
    horizon = context.today + datetime.timedelta(days=lead.worklist_days)
    active = Agreement.objects.filter(status=AgreementStatus.ACTIVE).filter(context.scope.authorities())
    longest_notice = active.aggregate(months=Max("notice_months"))["months"] or 0
    candidates = (
        active.filter(end_date__lte=add_months(horizon, longest_notice), end_date__gte=context.today)
        .select_related("provider", "coalition")
        .order_by("end_date", "pk")
    )
    due = [a for a in candidates if context.today <= a.extension_deadline <= horizon]
    due.sort(key=lambda a: (a.extension_deadline, a.pk))

    def item(agreement: Agreement) -> Item:
        options_left = agreement.max_extensions - agreement.extensions_used
        deadline = formatting.date_long(agreement.extension_deadline)
        if options_left:
            why = _(
                "Ends on %(end)s; %(left)s extension option(s) left; the last day to decide is %(deadline)s."
            ) % {"end": formatting.date_long(agreement.end_date), "left": options_left, "deadline": deadline}
            step = _("Extend it, or request its termination before %(deadline)s.") % {"deadline": deadline}
        else:
            why = _("Ends on %(end)s without extension options; notice must be given by %(deadline)s.") % {
                "end": formatting.date_long(agreement.end_date),
                "deadline": deadline,
            }
            step = _("Prepare a follow-up procedure, or request its termination.")
        party = agreement.provider or agreement.coalition
        return Item(
            title=f"{agreement.reference} – {party}",
            url=admin_url(agreement),
            why=why,
            next_step=step,
            provider_url=relationship_url(agreement.provider) if agreement.provider else "",
            provider_name=agreement.provider.name if agreement.provider else "",
        )

    return Worklist(
        code="agreement_deadlines",
        title=title,
        count=len(due),
        items=[item(a) for a in due[:LIMIT]],
        all_url=reverse("workspace:calendar"),
    )


@worklist("documents_expiring", gettext_lazy("Documents about to expire"))
def documents_expiring(context: Context) -> Worklist:
    title = _("Documents about to expire")
    lead = context.lead_times.get(EntryKind.DOCUMENT_EXPIRY)
    if lead is None:
        return _missing("documents_expiring", title, EntryKind.DOCUMENT_EXPIRY)
    horizon = context.today + datetime.timedelta(days=lead.worklist_days)
    queryset = (
        AccountabilityDocument.objects.filter(
            status=DocumentStatus.ACCEPTED, valid_until__gte=context.today, valid_until__lte=horizon
        )
        .filter(context.scope.providers())
        .select_related("provider", "document_type")
        .order_by("valid_until", "pk")
    )

    def item(document: AccountabilityDocument) -> Item:
        return _with_provider(
            document.provider,
            title=f"{document.document_type.name} – {document.provider.name}",
            url=admin_url(document),
            why=_("Valid until %(date)s.") % {"date": formatting.date_long(document.valid_until)},
            next_step=_("Make sure the provider delivers a renewed document in time."),
        )

    return _list("documents_expiring", title, queryset, item, reverse("workspace:calendar"))


@worklist("memberships_pending", gettext_lazy("Memberships pending activation"))
def memberships_pending(context: Context) -> Worklist:
    queryset = (
        Membership.objects.filter(status__in=[MembershipStatus.APPLIED, MembershipStatus.ADMITTED])
        .filter(context.scope.authorities("coalition__authority_id"))
        .select_related("provider", "coalition")
        .order_by("created_at", "pk")
    )

    def item(membership: Membership) -> Item:
        if membership.status == MembershipStatus.APPLIED:
            why = _("Applied to join %(coalition)s as %(role)s.") % {
                "coalition": membership.coalition.name,
                "role": membership.get_role_display().lower(),
            }
            step = _("Admit the member, or let the application lapse.")
        else:
            why = _("Admitted to %(coalition)s; not yet active.") % {"coalition": membership.coalition.name}
            step = _("Activate the membership once its conditions are met.")
        return _with_provider(
            membership.provider,
            title=f"{membership.provider.name} – {membership.coalition.name}",
            url=reverse("workspace:coalition", args=[membership.coalition.uuid]),
            why=why,
            next_step=step,
        )

    return _list(
        "memberships_pending",
        _("Memberships pending activation"),
        queryset,
        item,
        reverse("admin:coalitions_membership_changelist"),
    )


def _missing(code: str, title: str, kind: str) -> Worklist:
    return Worklist(
        code=code,
        title=title,
        count=0,
        items=[],
        note=_("No lead time is configured for '%(kind)s': ask an administrator to add one.")
        % {"kind": EntryKind(kind).label},
    )

"""The one place that turns codes into words for a reader.

Codes (``agreement.offered``, ``procurement_officer``, ``anti_discrimination_policy``, a state
``under_review``) are identifiers: they stay in the database, the API and the audit trail, but a page,
PDF, workbook or e-mail shows a label instead. Choices and model names come from the models themselves
(looked up through the app registry, so the shared kernel imports no app); audit events and groups are
named here. An unknown code is never shown raw: it becomes words (``some_new_thing`` → "Some new thing").
"""

import functools
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext_lazy as _

#: every audit event the code records, as it reads in a timeline ("what happened")
EVENT_LABELS = {
    # procedures
    "procedure.consultation_started": _("Consultation started"),
    "procedure.opened": _("Opened for applications"),
    "procedure.applications_closed": _("Applications closed"),
    "procedure.concluded": _("Procedure concluded"),
    "procedure.cancelled": _("Procedure cancelled"),
    "procedure.condition_set_changed": _("Conditions of the procedure changed"),
    # applications
    "application.created": _("Application started (draft)"),
    "application.changed": _("Draft application changed"),
    "application.submitted": _("Application submitted"),
    "application.review_started": _("Review started"),
    "application.assessed": _("Assessment step recorded"),
    "application.admitted": _("Application admitted"),
    "application.rejected": _("Application rejected"),
    "application.withdrawn": _("Application withdrawn"),
    # questions about a procedure (nota van inlichtingen)
    "question.asked": _("Question asked by a provider"),
    "question.answered": _("Question answered"),
    "question.published": _("Question and answer published"),
    # agreements
    "agreement.created": _("Agreement drawn up"),
    "agreement.offered": _("Agreement offered to the provider"),
    "agreement.accepted": _("Offer accepted and signed by the provider"),
    "agreement.declined": _("Offer declined by the provider"),
    "agreement.activated": _("Agreement activated"),
    "agreement.suspended": _("Agreement suspended"),
    "agreement.reinstated": _("Agreement reinstated"),
    "agreement.termination_requested": _("Termination requested"),
    "agreement.terminated": _("Agreement terminated"),
    "agreement.ended": _("Agreement ended"),
    "agreement.expired": _("Agreement expired"),
    "agreement.extended": _("Agreement extended"),
    "agreement.past_start_decided": _("Start date in the past decided"),
    # coalitions and memberships
    "coalition.activated": _("Coalition activated"),
    "coalition.dissolution_started": _("Dissolution of the coalition started"),
    "coalition.dissolved": _("Coalition dissolved"),
    "coalition.condition_set_changed": _("Conditions of the coalition changed"),
    "membership.admitted": _("Member admitted"),
    "membership.activated": _("Membership activated"),
    "membership.suspended": _("Membership suspended"),
    "membership.reinstated": _("Membership reinstated"),
    "membership.exit_started": _("Exit started"),
    "membership.ended": _("Membership ended"),
    "membership.lead_appointed": _("Appointed as lead (penvoerder)"),
    # conditions, declarations, judgements, waivers
    "condition.added": _("Condition added"),
    "condition.removed": _("Condition removed"),
    "declaration.recorded": _("Declaration recorded"),
    "judgement.recorded": _("Officer's judgement recorded"),
    "annual_figures.changed": _("Annual figures changed"),
    "waiver.requested": _("Waiver requested"),
    "waiver.approved": _("Waiver approved"),
    "waiver.rejected": _("Waiver rejected"),
    # documents
    "accountabilitydocument.requested": _("Document requested"),
    "accountabilitydocument.uploaded": _("Document uploaded"),
    "accountabilitydocument.submitted": _("Document submitted"),
    "accountabilitydocument.review_started": _("Document review started"),
    "accountabilitydocument.accepted": _("Document accepted"),
    "accountabilitydocument.rejected": _("Document rejected"),
    "accountabilitydocument.expired": _("Document expired"),
    # fraud signals
    "fraudrules.run": _("Fraud rules run"),
    "fraudsignal.raised": _("Signal raised"),
    "fraudsignal.updated": _("Signal updated"),
    "fraudsignal.withdrawn": _("Signal withdrawn"),
    "fraudsignal.investigation_started": _("Investigation started"),
    "fraudsignal.confirmation_requested": _("Confirmation proposed (waiting for a second officer)"),
    "fraudsignal.confirmed": _("Signal confirmed"),
    "fraudsignal.dismissed": _("Signal dismissed"),
    "fraudsignal.suspensions_applied": _("Suspensions applied"),
    "fraudsignal.hearing_recorded": _("Provider heard (hoor en wederhoor)"),
    "fraudsignal.reported_to_ikz": _("Reported to the IKZ"),
    "fraudsignal.ikz_request_received": _("Request from the IKZ received"),
    "fraudsignal.ikz_request_answered": _("Request from the IKZ answered"),
    "importbatch.imported": _("Production data imported"),
    "importbatch.rejected": _("Production data refused"),
    # tariffs, exports, logins
    "tariffs.indexed": _("Tariffs indexed"),
    "index_rate.recorded": _("Published index rate recorded"),
    "calendarfeed.created": _("Calendar feed created"),
    "calendarfeed.revoked": _("Calendar feed revoked"),
    "apitoken.created": _("API key made"),
    "apitoken.revoked": _("API key revoked"),
    "tariffs.trued_up": _("Tariffs trued up"),
    "export.completed": _("Export made"),
    "export.failed": _("Export failed"),
    "export.abandoned": _("Export abandoned (not finished in time)"),
    "export.restarted": _("Export started again"),
    "export.downloaded": _("Export downloaded"),
    "user.logged_in": _("Signed in"),
    "user.logged_out": _("Signed out"),
    "user.login_failed": _("Failed sign-in"),
}

#: the second half of an event recorded for an edit in the admin (``<model>.<action>``)
ACTION_LABELS = {
    "added": _("added in the admin"),
    "changed": _("changed in the admin"),
    "deleted": _("deleted in the admin"),
    "condition_set_changed": _("conditions changed"),
}

#: the roles (Django groups) by their code; contracting.roles names the same codes
GROUP_LABELS = {
    "procurement_officer": _("Procurement officer"),
    "auditor": _("Auditor"),
    "provider_user": _("Provider user"),
    "administrator": _("Administrator"),
}


def humanize(code: str | None) -> str:
    """The last resort for a code nobody named: words, not an identifier (``some_new.thing_x`` →
    "Some new thing x")."""
    if not code:
        return ""
    text = str(code).replace(".", " ").replace("_", " ").replace("-", " ").strip().lower()
    return " ".join(text.split()).capitalize()


def _model(name: str) -> Any:
    """A model by ``app_label.model_name`` or by ``model_name`` alone; None when unknown."""
    try:
        if "." in name:
            return apps.get_model(name)
        for model in apps.get_models():
            if model._meta.model_name == name:
                return model
    except (LookupError, ValueError):
        return None
    return None


def model_label(name: str | None) -> str:
    """``contracting.agreement`` or ``agreement`` → the model's name ("overeenkomst")."""
    if not name:
        return ""
    model = _model(name)
    if model is None:
        return humanize(name.rsplit(".", 1)[-1])
    return str(model._meta.verbose_name)


def event_label(event: str | None) -> str:
    """An audit event's name as a reader says it: ``agreement.offered`` → "Overeenkomst aangeboden"."""
    if not event:
        return ""
    label = EVENT_LABELS.get(event)
    if label is not None:
        return str(label)
    subject, _sep, action = event.partition(".")
    action_label = ACTION_LABELS.get(action)
    if action_label is not None:
        return f"{model_label(subject).capitalize()}: {action_label}"
    return humanize(event)


@functools.cache
def _choices(model_or_label: Any, field: str) -> dict[Any, Any]:
    """The (lazy) labels of a field's choices; choices are code, so this is computed once per field."""
    model = _model(model_or_label) if isinstance(model_or_label, str) else model_or_label
    if model is None:
        return {}
    try:
        return dict(model._meta.get_field(field).flatchoices)
    except FieldDoesNotExist:  # an unknown field: words instead
        return {}


def choice_label(model_or_label: Any, field: str, value: str | None) -> str:
    """The display of a choice field's value (``status`` ``under_review`` → "In beoordeling")."""
    if value in (None, ""):
        return ""
    label = _choices(model_or_label, field).get(value)
    return str(label) if label is not None else humanize(value)


def state_label(subject_type: str | None, state: str | None) -> str:
    """A state of a subject stored by type (the audit trail's ``contracting.agreement``)."""
    return choice_label(subject_type or "", "status", state)


def group_label(name: str | None) -> str:
    label = GROUP_LABELS.get(name or "")
    return str(label) if label is not None else humanize(name)


def condition_label(code: str | None) -> str:
    """A condition's title from the library (``anti_discrimination_policy`` → its Dutch title)."""
    if not code:
        return ""
    model = _model("compliance.condition")
    title = None
    if model is not None:
        title = model._default_manager.filter(code=code).values_list("title", flat=True).first()
    return title or humanize(code)


#: labels of codes whose words live in a layer above the models (fraud rules: compliance.fraud.rules
#: registers its titles here when it is imported), so that a model's ``__str__`` can name them
_REGISTERED: dict[str, dict[str, Any]] = {}


def codes_named(kind: str, mapping: dict[str, Any]) -> None:
    _REGISTERED[kind] = {**_REGISTERED.get(kind, {}), **mapping}


def code_label(kind: str, code: str | None) -> str:
    """The registered label of ``code`` (e.g. ``code_label("fraud_rule", "declared_above_allocated")``)."""
    if not code:
        return ""
    label = _REGISTERED.get(kind, {}).get(code)
    return str(label) if label is not None else humanize(code)

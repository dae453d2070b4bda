"""Words for the audit trail's event codes on the workspace pages: a state-machine step says what its
transition is called (``@transition(custom={"label": ...})``); the other recorded events are named here.
An unknown code is never shown as such: it reads as "<what> changed"."""

from functools import cache

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_fsm import FSMField

OTHER_EVENTS = {
    "accountabilitydocument.requested": _("Document requested"),
    "accountabilitydocument.uploaded": _("Document uploaded"),
    "agreement.created": _("Agreement drawn up"),
    "agreement.extended": _("Agreement extended"),
    "agreement.termination_requested": _("Termination requested (first officer)"),
    "application.assessed": _("Assessment step recorded"),
    "declaration.recorded": _("Declaration recorded"),
    "fraudsignal.confirmation_requested": _("Confirmation proposed (first officer)"),
    "fraudsignal.raised": _("Signal raised"),
    "fraudsignal.updated": _("Signal updated by a new rule run"),
    "fraudsignal.withdrawn": _("Signal withdrawn by a new rule run"),
    "fraudsignal.hearing_recorded": _("Provider heard (hoor en wederhoor)"),
    "fraudsignal.reported_to_ikz": _("Reported to the IKZ"),
    "fraudsignal.ikz_request_received": _("Information request of the IKZ received"),
    "fraudsignal.ikz_request_answered": _("Information request of the IKZ answered"),
    "fraudsignal.suspensions_applied": _("Agreements and memberships suspended"),
    "judgement.recorded": _("Officer's judgement recorded"),
    "question.asked": _("Question asked by a provider"),
    "question.answered": _("Question answered"),
    "question.published": _("Question and answer published"),
    "membership.lead_appointed": _("Appointed as lead contractor"),
    "waiver.requested": _("Waiver requested (first officer)"),
    "waiver.approved": _("Waiver approved (second officer)"),
    "waiver.rejected": _("Waiver rejected (second officer)"),
}


@cache
def _transition_labels() -> dict[str, str]:
    """``event code → label`` of every transition of every state machine (read once)."""
    labels = {}
    for model in apps.get_models():
        for field in model._meta.fields:
            if not isinstance(field, FSMField):
                continue
            for transition in field.get_all_transitions(model):
                custom = transition.custom or {}
                if custom.get("event") and custom.get("label"):
                    labels[custom["event"]] = custom["label"]
    return labels


def event_label(event: str, subject_type: str = "") -> str:
    label = _transition_labels().get(event) or OTHER_EVENTS.get(event)
    if label:
        return str(label)
    try:
        model = apps.get_model(subject_type) if subject_type else None
    except (LookupError, ValueError):
        model = None
    what = str(model._meta.verbose_name) if model else gettext("record")
    return gettext("%(what)s changed") % {"what": what[:1].upper() + what[1:]}


def state_label(subject_type: str, state: str) -> str:
    """The word for a state code of the subject's state machine ("" when there is no state)."""
    if not state:
        return ""
    try:
        model = apps.get_model(subject_type)
        field = model._meta.get_field("status")
    except (LookupError, ValueError, FieldDoesNotExist):
        return gettext("unknown state")
    return str(dict(field.flatchoices).get(state, gettext("unknown state")))

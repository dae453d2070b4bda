"""Who reads, and what of the officers' investigations and deliberations that reader may see: the one
rule for fraud signals, waivers and audit events.

- ``STAFF``: officers, auditors and administrators (``can_read_everything``), and the system itself
  (``SYSTEM``: a report made on the server by a management command without a user). They see everything.
- ``PROVIDER``: any other logged-in user, who acts for one or more providers. They never see
  - fraud signals and everything that hangs from them: their events (with the officers' names and
    notes), reports to IKZ and its information requests, rule settings and production imports. A signal
    is the start of an investigation; showing it could warn a provider that commits fraud before the
    municipality has heard both sides (the officers record the hearing, SignalHearing, as part of the
    investigation: its event is on the signal);
  - waivers that are not approved: a request awaiting its second officer, or one that was rejected, is
    the officers' deliberation; an approved waiver is a decision about the provider and is theirs to see
    (of their own organisation only).
- ``NOBODY``: not logged in: nothing.

Every place that shows signals, waivers or audit events to a user asks these functions: the signals API
and admin (compliance.fraud.selectors), the audit-trail API, the ``/events`` and ``/as-of`` endpoints and
the provider dossier (made for the user who requested the export). The ``/as-of`` of a procedure or a
coalition shows a provider user only their own applications and memberships (``parts_visible_to``). Callers narrow the rows to what the
reader may see of the records themselves (their own provider, a visible object); these functions take
out what only the officers may see. What is hidden is absent, never announced: an API answers 404 as for
a record that does not exist, a report leaves the section out.
"""

import enum
from typing import Any

from django.db.models import Q, QuerySet

from audit.models import AuditEvent
from compliance.models import FraudSignal, Waiver, WaiverStatus
from contracting.roles import can_read_everything, provider_ids_for
from core.actors import SystemActor


class Audience(enum.Enum):
    STAFF = "staff"
    PROVIDER = "provider"
    NOBODY = "nobody"


# Records of the officers' investigations (subject types of the audit trail, ``app_label.model``).
INVESTIGATION_SUBJECT_TYPES = frozenset(
    {
        "compliance.fraudsignal",
        "compliance.ikzreport",
        "compliance.ikzinformationrequest",
        "compliance.fraudrulesetting",
        "compliance.importbatch",
    }
)
# Their events start with the model name (also admin edits of a deleted row, which has no subject);
# a run of the fraud rules is recorded on the authority as ``fraudrules.run``.
INVESTIGATION_EVENT_PREFIXES = (
    *sorted(f"{label.split('.')[1]}." for label in INVESTIGATION_SUBJECT_TYPES),
    "fraudrules.",
)
WAIVER_SUBJECT_TYPE = "compliance.waiver"


def audience_of(reader: Any) -> Audience:
    """The audience of a user, or of ``core.actors.SYSTEM`` (scheduled work, commands)."""
    if isinstance(reader, SystemActor) or can_read_everything(reader):
        return Audience.STAFF
    if reader is not None and reader.is_authenticated:
        return Audience.PROVIDER
    return Audience.NOBODY


def sees_investigations(reader: Any) -> bool:
    """Whether fraud signals exist for this reader at all (a report shows their section or leaves it out)."""
    return audience_of(reader) is Audience.STAFF


def signals_visible_to(reader: Any, signals: QuerySet[FraudSignal] | None = None) -> QuerySet[FraudSignal]:
    signals = FraudSignal.objects.all() if signals is None else signals
    return signals if sees_investigations(reader) else signals.none()


def waivers_visible_to(reader: Any, waivers: QuerySet[Waiver] | None = None) -> QuerySet[Waiver]:
    waivers = Waiver.objects.all() if waivers is None else waivers
    audience = audience_of(reader)
    if audience is Audience.STAFF:
        return waivers
    if audience is Audience.PROVIDER:
        return waivers.filter(status=WaiverStatus.APPROVED, provider_id__in=provider_ids_for(reader))
    return waivers.none()


def audit_events_visible_to(reader: Any, events: QuerySet[AuditEvent] | None = None) -> QuerySet[AuditEvent]:
    """``events`` without those about investigations and about waivers the reader may not see."""
    events = AuditEvent.objects.all() if events is None else events
    audience = audience_of(reader)
    if audience is Audience.STAFF:
        return events
    if audience is Audience.NOBODY:
        return events.none()
    hidden = Q(subject_type__in=INVESTIGATION_SUBJECT_TYPES)
    for prefix in INVESTIGATION_EVENT_PREFIXES:
        hidden |= Q(event__startswith=prefix)
    visible_waiver = Q(
        subject_type=WAIVER_SUBJECT_TYPE, subject_uuid__in=waivers_visible_to(reader).values("uuid")
    )
    hidden |= (Q(subject_type=WAIVER_SUBJECT_TYPE) | Q(event__startswith="waiver.")) & ~visible_waiver
    return events.exclude(hidden)


def parts_visible_to(reader: Any, parts: list[Any]) -> list[Any]:
    """The parts of a procedure or coalition in a view of its past (its applications, its memberships;
    anything with a ``provider_id``) that the reader may see: staff all of them, a provider user those of
    their own organisations only. Who else applied to a procedure, or is a member next to them, is not
    theirs to know (the lists ``application_list`` and ``membership_list`` keep to the same rule)."""
    audience = audience_of(reader)
    if audience is Audience.STAFF:
        return parts
    if audience is Audience.NOBODY:
        return []
    own = provider_ids_for(reader)
    return [part for part in parts if part.provider_id in own]


def audit_trail_visible_to(reader: Any) -> QuerySet[AuditEvent]:
    """The whole audit trail (``GET /audit-events``): for staff only. A provider user reads the history of
    their own organisation in its dossier, through ``audit_events_visible_to``."""
    if audience_of(reader) is Audience.STAFF:
        return AuditEvent.objects.all()
    return AuditEvent.objects.none()

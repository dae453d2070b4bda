"""What was true on a past date, derived from the recorded history only.

``subject_as_of(subject, day)`` answers, for an agreement, application, membership, procedure or
coalition, how it stood at the end of ``day`` (Europe/Amsterdam):

- its state: the ``to_state`` of the last audit event up to that moment; before the first recorded
  transition the ``from_state`` of that first transition; not yet existing when created later;
- its conditions: the evaluations recorded as true at that moment (``evaluations_as_of``); for a
  procedure or coalition its condition set, with the changes recorded after the moment undone;
- its tariffs: the tariffs of that year for the products of its lots, as the indexation runs had set
  them by then (a true-up after the moment is undone with the provisional amounts it recorded);
- for an agreement its term (extensions after the moment undone), for a procedure or coalition the
  states of its applications or memberships on that date.

Manual edits of rows in the admin are not part of this history (only transitions and decisions are).
"""

import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q

from audit.models import AuditEvent
from audit.selectors import events_for
from compliance.conditions.services import evaluations_as_of
from compliance.conditions.subjects import subject_authority
from compliance.models import Condition, ConditionEvaluation, ConditionRequirement
from contracting.models import CostModel, IndexationRun, Product, Tariff
from core import clock, labels

SUBJECT_TYPES = (
    "contracting.agreement",
    "contracting.application",
    "contracting.procedure",
    "coalitions.membership",
    "coalitions.coalition",
)


@dataclass
class TariffAsOf:
    product: Any
    year: int
    amount: Decimal | None
    basis: str  # "provisional" / "definitive" / "" (not indexed) / "unknown" (not yet set)
    indexation_pct: Decimal | None
    real_price: Decimal | None

    @property
    def basis_label(self) -> str:
        return labels.choice_label(IndexationRun, "basis", self.basis) if self.basis != "unknown" else ""

    @property
    def meets_real_price(self) -> bool | None:
        if self.amount is None or self.real_price is None:
            return None
        return self.amount >= self.real_price


@dataclass
class PartAsOf:
    """An application of a procedure or a membership of a coalition, on that date."""

    obj: Any
    state: str | None


@dataclass
class AsOf:
    subject: Any
    day: datetime.date
    moment: datetime.datetime
    existed: bool
    state: str | None
    state_label: str
    current_state: str
    last_event: AuditEvent | None
    events: list[AuditEvent]
    evaluations: list[ConditionEvaluation] = field(default_factory=list)
    condition_set: list[Condition] = field(default_factory=list)
    tariffs: list[TariffAsOf] = field(default_factory=list)
    term: dict[str, Any] | None = None
    parts: list[PartAsOf] = field(default_factory=list)

    @property
    def subject_type(self) -> str:
        return self.subject._meta.label_lower


def subject_as_of(subject: Any, day: datetime.date) -> AsOf:
    """Any object with an FSM ``status`` gets its state on that day from its audit events; the subjects in
    SUBJECT_TYPES (relationships with conditions, terms and tariffs) get those as well."""
    label = subject._meta.label_lower
    moment = clock.end_of_day(day)
    existed = subject.created_at <= moment
    events = list(events_for(subject).filter(occurred_at__lte=moment))
    state = state_at(subject, moment, events) if existed else None
    labels = dict(type(subject)._meta.get_field("status").flatchoices)
    result = AsOf(
        subject=subject,
        day=day,
        moment=moment,
        existed=existed,
        state=state,
        state_label=str(labels.get(state, state or "")),
        current_state=subject.status,
        last_event=events[-1] if events else None,
        events=events,
    )
    if not existed or label not in SUBJECT_TYPES:
        return result
    if label in ("contracting.agreement", "contracting.application", "coalitions.membership"):
        result.evaluations = evaluations_as_of(subject, moment)
    if label in ("contracting.procedure", "coalitions.coalition"):
        result.condition_set = condition_set_as_of(subject, moment)
        result.parts = parts_as_of(subject, moment)
    if label == "contracting.agreement":
        result.term = agreement_term_as_of(subject, moment)
    authority = _authority(subject)
    products = _products(subject)
    if authority is not None and products:
        result.tariffs = tariffs_as_of(authority, products, day, moment)
    return result


# --------------------------------------------------------------------------- state


def state_at(subject: Any, moment: datetime.datetime, events: list[AuditEvent] | None = None) -> str:
    """The state of ``subject`` at ``moment`` according to its audit events."""
    if events is None:
        events = list(events_for(subject).filter(occurred_at__lte=moment))
    for event in reversed(events):
        if event.to_state:
            return event.to_state
    later = events_for(subject).filter(occurred_at__gt=moment).exclude(from_state="").first()
    return later.from_state if later is not None else subject.status


def states_at(objects: list[Any], moment: datetime.datetime) -> dict[int, str | None]:
    """``state_at`` for many objects of one model with two queries (None: did not exist yet)."""
    if not objects:
        return {}
    label = objects[0]._meta.label_lower
    by_uuid = {o.uuid: o for o in objects}
    before: dict[Any, str] = {}
    after: dict[Any, str] = {}
    rows = AuditEvent.objects.filter(subject_type=label, subject_uuid__in=list(by_uuid)).order_by("id")
    for uuid, occurred_at, from_state, to_state in rows.values_list(
        "subject_uuid", "occurred_at", "from_state", "to_state"
    ):
        if occurred_at <= moment:
            if to_state:
                before[uuid] = to_state
        elif from_state and uuid not in after:
            after[uuid] = from_state
    return {
        o.pk: None if o.created_at > moment else before.get(o.uuid) or after.get(o.uuid) or o.status
        for o in objects
    }


def parts_as_of(subject: Any, moment: datetime.datetime) -> list[PartAsOf]:
    label = subject._meta.label_lower
    if label == "contracting.procedure":
        objects = list(subject.applications.select_related("provider").order_by("provider__name"))
    else:
        objects = list(subject.memberships.select_related("provider").order_by("provider__name"))
    states = states_at(objects, moment)
    return [PartAsOf(o, states[o.pk]) for o in objects if states[o.pk] is not None]


# --------------------------------------------------------------------------- conditions and terms


def condition_set_as_of(owner: Any, moment: datetime.datetime) -> list[Condition]:
    """The condition set of a procedure or coalition at ``moment``: the current set with the recorded
    changes after the moment undone (``<model>.condition_set_changed`` events)."""
    field_name = owner._meta.model_name
    current = set(
        ConditionRequirement.objects.filter(**{field_name: owner}).values_list("condition__code", flat=True)
    )
    later = events_for(owner).filter(occurred_at__gt=moment, event__endswith=".condition_set_changed")
    for event in later.order_by("-id"):
        current -= set(event.data.get("added", []))
        current |= set(event.data.get("removed", []))
    # requirements created after the moment (also without a recorded change) did not exist yet
    recent = ConditionRequirement.objects.filter(**{field_name: owner}, created_at__gt=moment)
    current -= set(recent.values_list("condition__code", flat=True))
    return list(Condition.objects.filter(code__in=current).order_by("category", "code"))


def agreement_term_as_of(agreement: Any, moment: datetime.datetime) -> dict[str, Any]:
    end_date, extensions_used = agreement.end_date, agreement.extensions_used
    first_later_extension = (
        events_for(agreement)
        .filter(occurred_at__gt=moment, event="agreement.extended")
        .order_by("id")
        .first()
    )
    if first_later_extension is not None:
        end_date = datetime.date.fromisoformat(first_later_extension.data["oldEndDate"])
        extensions_used = int(first_later_extension.data["extensionsUsed"]) - 1
    requested = (
        events_for(agreement)
        .filter(occurred_at__lte=moment, event="agreement.termination_requested")
        .order_by("-id")
        .first()
    )
    return {
        "start_date": agreement.start_date,
        "end_date": end_date,
        "extensions_used": extensions_used,
        "max_extensions": agreement.max_extensions,
        "extension_months": agreement.extension_months,
        "termination_effective_date": (
            datetime.date.fromisoformat(requested.data["effectiveDate"]) if requested else None
        ),
    }


# --------------------------------------------------------------------------- tariffs


def tariffs_as_of(authority: Any, products: list[Any], day: datetime.date, moment: datetime.datetime):
    """The tariffs of ``day.year`` for ``products`` as they stood at ``moment``."""
    year = day.year
    runs = {
        r.basis: r
        for r in IndexationRun.objects.filter(authority=authority, year=year).order_by("created_at")
    }
    definitive = runs.get(IndexationRun.Basis.DEFINITIVE)
    provisional = runs.get(IndexationRun.Basis.PROVISIONAL)
    undo = {}
    if definitive is not None and definitive.created_at > moment:
        undo = {d["productId"]: d for d in definitive.differences}
    tariffs = {
        t.product_id: t
        for t in Tariff.objects.filter(authority=authority, year=year, product__in=products).select_related(
            "indexation_run"
        )
    }
    costs = {
        c.product_id: c
        for c in CostModel.objects.filter(
            authority=authority, year=year, product__in=products, created_at__lte=moment
        ).select_related("product__unit")
    }
    rows = []
    for product in sorted(products, key=lambda p: p.code):
        tariff = tariffs.get(product.pk)
        cost = costs.get(product.pk)
        real_price = cost.real_price if cost is not None else None
        if tariff is None or tariff.created_at > moment:
            rows.append(TariffAsOf(product, year, None, "unknown", None, real_price))
            continue
        amount, pct = tariff.amount, tariff.indexation_pct
        basis = tariff.indexation_run.basis if tariff.indexation_run else ""
        if product.pk in undo and tariff.indexation_run_id == definitive.pk:
            amount = Decimal(undo[product.pk]["provisional"])
            basis = IndexationRun.Basis.PROVISIONAL
            pct = provisional.rate_pct if provisional is not None else None
        rows.append(TariffAsOf(product, year, amount, basis, pct, real_price))
    return rows


def _authority(subject: Any):
    label = subject._meta.label_lower
    if label == "contracting.procedure":
        return subject.authority
    if label == "coalitions.coalition":
        return subject.authority
    return subject_authority(subject)


def _products(subject: Any) -> list[Any]:
    label = subject._meta.label_lower
    if label == "contracting.procedure":
        q = Q(lots__procedure=subject)
    elif label == "contracting.application":
        q = Q(lots__applications=subject)
    elif label == "contracting.agreement":
        q = Q(lots__sub_agreements__agreement=subject)
    elif label == "coalitions.membership":
        q = Q(lots__sub_agreements__agreement__coalition=subject.coalition_id)
    else:
        q = Q(lots__sub_agreements__agreement__coalition=subject.pk)
    return list(Product.objects.filter(q).distinct().select_related("unit"))

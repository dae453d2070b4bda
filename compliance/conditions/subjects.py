"""What the engine evaluates: applications, agreements and memberships ("subjects"), which conditions
apply to each (their condition set with per-subject adjustments) and for which providers."""

from typing import Any

from django.db.models import Q

from coalitions.models import MembershipStatus
from compliance.models import Condition, ConditionAdjustment
from contracting.models import Product


def subject_kind(subject: Any) -> str:
    return subject._meta.label_lower


def subject_providers(subject: Any) -> list:
    """The providers a subject binds: its provider, or every live member of a coalition agreement."""

    if getattr(subject, "provider_id", None):
        return [subject.provider]
    coalition = getattr(subject, "coalition", None)
    if coalition is not None:
        return [
            m.provider
            for m in coalition.memberships.filter(
                status__in=[MembershipStatus.ADMITTED, MembershipStatus.ACTIVE, MembershipStatus.SUSPENDED]
            ).select_related("provider")
        ]
    return []


def subject_authority(subject: Any):
    label = subject_kind(subject)
    if label == "contracting.application":
        return subject.procedure.authority
    if label == "contracting.agreement":
        return subject.authority
    if label == "coalitions.membership":
        return subject.coalition.authority
    raise TypeError(label)


def effective_conditions(subject: Any) -> list[Condition]:
    """The condition set of the procedure/coalition the subject comes from, plus the conditions an
    officer added for this subject, minus those removed for it."""
    label = subject_kind(subject)
    inherited = Q(pk__in=[])
    adjustments = ConditionAdjustment.objects.none()
    if label == "contracting.application":
        inherited = Q(requirements__procedure=subject.procedure_id)
    elif label == "contracting.agreement":
        if subject.procedure_id:
            inherited |= Q(requirements__procedure=subject.procedure_id)
        if subject.coalition_id:
            inherited |= Q(requirements__coalition=subject.coalition_id)
        adjustments = ConditionAdjustment.objects.filter(agreement=subject)
    elif label == "coalitions.membership":
        inherited = Q(requirements__coalition=subject.coalition_id)
        adjustments = ConditionAdjustment.objects.filter(membership=subject)
    else:
        raise TypeError(label)
    changes = dict(adjustments.values_list("condition_id", "action"))
    added = [pk for pk, action in changes.items() if action == ConditionAdjustment.Action.ADD]
    removed = [pk for pk, action in changes.items() if action == ConditionAdjustment.Action.REMOVE]
    return list(
        Condition.objects.filter(is_active=True)
        .filter(inherited | Q(pk__in=added))
        .exclude(pk__in=removed)
        .distinct()
        .prefetch_related("document_types")
        .order_by("category", "code")
    )


def subject_products(subject: Any) -> list:
    """The products whose tariffs the subject relies on (its lots)."""

    label = subject_kind(subject)
    if label == "contracting.application":
        q = Q(lots__applications=subject)
    elif label == "contracting.agreement":
        q = Q(lots__sub_agreements__agreement=subject)
    else:
        q = Q(lots__sub_agreements__agreement__coalition=subject.coalition_id)
    return list(Product.objects.filter(q).distinct().select_related("unit"))

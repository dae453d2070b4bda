"""Keeps the role groups and their permissions in line with contracting.roles after every migrate."""

from django.contrib.auth.models import Group, Permission
from django.db.models import Q

from contracting.roles import ADMINISTRATOR, AUDITOR, OFFICER, PROVIDER_USER, TRANSITION_PERMISSIONS

DOMAIN_APPS = ["audit", "contracting", "coalitions", "compliance"]
# Models whose rows officers may edit in the admin (states only change through transitions).
OFFICER_EDITABLE = {
    "contracting": [
        "contractingauthority",
        "provider",
        "boardmember",
        "product",
        "tariff",
        "costmodel",
        "procedure",
        "lot",
        "consultationround",
        "application",
        "agreement",
        "subagreement",
        "budgetceiling",
        "reviewmoment",
        "kpi",
    ],
    "coalitions": ["coalition", "membership"],
    "compliance": [
        "conditionrequirement",
        "conditionadjustment",
        "providerdeclaration",
        "officerjudgement",
        "providerannualfigures",
        "waiver",
        "documentrequirement",
        "importbatch",
        "fraudrulesetting",
    ],
}
# Decisions beyond editing rows; removing a condition from a condition set goes through
# compliance.conditions.services.condition_set_change, which checks delete_conditionrequirement.
OFFICER_EXTRA = {
    # a newly published index figure is entered by an officer, with its source (index_rate_record); the
    # officer answers and publishes the providers' questions (question_answer, question_publish)
    "contracting": ["add_indexrate", "change_indexrate", "answer_question"],
    "compliance": [
        "decide_waiver",
        "review_accountabilitydocument",
        "delete_conditionrequirement",
        "delete_fraudrulesetting",
    ],
    # the officer's own secret calendar address (auditors read the calendar page, they make no feed)
    "workspace": ["add_calendarfeed"],
}
# The condition library and document types are the administrator's.
LIBRARY_MODELS = ["condition", "documenttype"]
REFERENCE_MODELS = ["productcategory", "unit", "wntnorm", "indexrate"]


def _perms(q: Q) -> list[Permission]:
    return list(Permission.objects.filter(q))


def sync_roles(**kwargs) -> None:
    view_all = Q(content_type__app_label__in=DOMAIN_APPS, codename__startswith="view_")
    transition = Q()
    for label in TRANSITION_PERMISSIONS:
        app, codename = label.split(".")
        transition |= Q(content_type__app_label=app, codename=codename)
    edit = Q(pk__in=[])
    for app, models in OFFICER_EDITABLE.items():
        for action in ("add", "change"):
            edit |= Q(content_type__app_label=app, codename__in=[f"{action}_{m}" for m in models])
    for app, codenames in OFFICER_EXTRA.items():
        edit |= Q(content_type__app_label=app, codename__in=codenames)

    Group.objects.get_or_create(name=AUDITOR)[0].permissions.set(_perms(view_all))
    Group.objects.get_or_create(name=OFFICER)[0].permissions.set(_perms(view_all | transition | edit))
    Group.objects.get_or_create(name=PROVIDER_USER)[0].permissions.set([])
    admin_q = (
        view_all
        | Q(content_type__app_label="auth")
        | Q(
            content_type__app_label="contracting",
            codename__regex=r"^(add|change|delete)_(" + "|".join(REFERENCE_MODELS) + ")$",
        )
        | Q(
            content_type__app_label="compliance",
            codename__regex=r"^(add|change)_(" + "|".join(LIBRARY_MODELS) + ")$",
        )
        # API tokens for any user (municipal systems); revoking is "change" (accounts.services)
        | Q(
            content_type__app_label="accounts",
            codename__in=["add_apitoken", "change_apitoken", "view_apitoken"],
        )
    )
    Group.objects.get_or_create(name=ADMINISTRATOR)[0].permissions.set(_perms(admin_q))

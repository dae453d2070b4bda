"""Reads of the contracting app, with the visibility rules of contracting.roles:

- officers, auditors and administrators (``can_read_everything``) see every row;
- a provider user sees only the rows of the providers they act for (``provider_ids_for``);
- authorities and products are public reference data for every authenticated user;
- procedures are visible to provider users once they are published (open, assessing, concluded),
  and always when one of their providers applied to them;
- questions (nota van inlichtingen): a provider user sees the published questions of the procedures
  they see, and every question their own providers asked; never another provider's unpublished one.
"""

from typing import Any

from django.db.models import Q, QuerySet

from contracting.models import (
    Agreement,
    Application,
    ContractingAuthority,
    Procedure,
    ProcedureStatus,
    Product,
    Provider,
    Question,
    QuestionStatus,
)
from contracting.roles import can_read_everything, provider_ids_for

PUBLISHED_PROCEDURE_STATES = (ProcedureStatus.OPEN, ProcedureStatus.ASSESSING, ProcedureStatus.CONCLUDED)


def authority_list(user: Any) -> QuerySet[ContractingAuthority]:
    if not (user and user.is_authenticated):
        return ContractingAuthority.objects.none()
    return ContractingAuthority.objects.select_related("lead_municipality")


def product_list(user: Any) -> QuerySet[Product]:
    if not (user and user.is_authenticated):
        return Product.objects.none()
    return Product.objects.select_related("category", "unit")


def provider_list(user: Any) -> QuerySet[Provider]:
    providers = Provider.objects.select_related("parent")
    if can_read_everything(user):
        return providers
    return providers.filter(pk__in=provider_ids_for(user))


def procedure_list(user: Any) -> QuerySet[Procedure]:
    procedures = Procedure.objects.select_related("authority")
    if can_read_everything(user):
        return procedures
    if not (user and user.is_authenticated):
        return procedures.none()
    applied_to = Application.objects.filter(provider_id__in=provider_ids_for(user)).values("procedure_id")
    return procedures.filter(Q(status__in=PUBLISHED_PROCEDURE_STATES) | Q(pk__in=applied_to))


def application_list(user: Any) -> QuerySet[Application]:
    applications = Application.objects.select_related("procedure", "provider")
    if can_read_everything(user):
        return applications
    return applications.filter(provider_id__in=provider_ids_for(user))


def agreement_list(user: Any) -> QuerySet[Agreement]:
    """A provider user sees the agreements of their providers and those of the coalitions their
    providers are members of (the coalition is the party; its members deliver the care)."""
    agreements = Agreement.objects.select_related(
        "authority", "provider", "coalition", "procedure", "application"
    )
    if can_read_everything(user):
        return agreements
    provider_ids = provider_ids_for(user)
    # the coalitions they are a member of, through the reverse relation (contracting sits below coalitions)
    member_of = Agreement.objects.filter(coalition__memberships__provider_id__in=provider_ids).values(
        "coalition_id"
    )
    return agreements.filter(Q(provider_id__in=provider_ids) | Q(coalition_id__in=member_of))


def question_list(user: Any) -> QuerySet[Question]:
    """Questions the user may read. Who asked a published question is not for other providers to know:
    the API and the portal show it only through ``question_asker_visible``."""
    questions = Question.objects.select_related("procedure")
    if can_read_everything(user):
        return questions
    if not (user and user.is_authenticated):
        return questions.none()
    published = Q(status=QuestionStatus.PUBLISHED, procedure__in=procedure_list(user).values("pk"))
    return questions.filter(published | Q(provider_id__in=provider_ids_for(user)))


def question_asker_visible(question: Question, user: Any) -> bool:
    """Whether the user may know which provider asked the question: staff, and the asker's own users."""
    return can_read_everything(user) or question.provider_id in provider_ids_for(user)

"""Admin test helpers: URLs by model, and one object of every registered model."""

import pytest

from django.contrib.admin.utils import quote
from django.contrib.messages import get_messages
from django.urls import reverse

from contracting.models import IndexRate, ProductCategory, Unit, WntNorm
from tests import factories


def changelist_url(model) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")


def change_url(obj) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_change", args=[quote(obj.pk)])


def transition_url(obj, name: str) -> str:
    return reverse(
        f"admin:{obj._meta.app_label}_{obj._meta.model_name}_transition", args=[quote(obj.pk), name]
    )


def messages_of(response) -> list:
    return list(get_messages(response.wsgi_request))


# One valid object per registered model; reference data comes with the migrations.
OBJECT_MAKERS = {
    "productcategory": lambda: ProductCategory.objects.first(),
    "unit": lambda: Unit.objects.first(),
    "wntnorm": lambda: WntNorm.objects.first(),
    "indexrate": lambda: IndexRate.objects.first(),
    "contractingauthority": factories.MunicipalityFactory,
    "provider": lambda: factories.BoardMemberFactory().provider,
    "product": factories.ProductFactory,
    "costmodel": factories.CostModelFactory,
    "tariff": factories.TariffFactory,
    "indexationrun": factories.indexation_run,
    "procedure": lambda: (
        factories.ConsultationRoundFactory(procedure=factories.ready_to_open_procedure()).procedure
    ),
    "application": lambda: factories.ApplicationFactory(under_review=True),
    "agreement": factories.agreement_with_details,
    "coalition": lambda: factories.MembershipFactory(lead=True, active=True).coalition,
    "membership": factories.MembershipFactory,
    "auditevent": factories.audit_event,
}


@pytest.fixture
def make_object(db):
    def make(model_name: str):
        return OBJECT_MAKERS[model_name]()

    return make

"""Records with a state machine, or that the audit trail refers to, are never hard-deleted in the admin,
not even by a superuser; reference data may be deleted one row at a time while nothing refers to it.
Parametrized over the admin registry, so a new admin has to say which kind its model is."""

import pytest

from django.contrib import admin
from django.contrib.auth import get_user_model

from audit.models import AuditEvent
from compliance.models import Condition, DocumentType
from contracting.models import IndexRate, ProductCategory, Unit, WntNorm
from tests import factories
from tests.compliance.factories import DocumentFactory, JudgementFactory
from tests.security.objects import MAKERS, admin_url, document_requirement, fraud_rule_setting

pytestmark = pytest.mark.django_db

OUR_APPS = {"audit", "contracting", "coalitions", "compliance"}

# They end through their state machine, or they are what the audit trail and the reports refer to.
NO_DELETE = {
    "audit.auditevent",
    "coalitions.coalition",
    "coalitions.membership",
    "compliance.accountabilitydocument",
    "compliance.conditionevaluation",
    "compliance.documentreminderdigest",
    "compliance.export",
    "compliance.fraudsignal",
    "compliance.ikzreport",
    "compliance.importbatch",
    "compliance.importrejection",
    "compliance.officerjudgement",
    "compliance.providerannualfigures",
    "compliance.providerdeclaration",
    "compliance.waiver",
    "contracting.agreement",
    "contracting.application",
    "contracting.contractingauthority",
    "contracting.costmodel",
    "contracting.indexationrun",
    "contracting.procedure",
    "contracting.question",
    "contracting.provider",
    "contracting.tariff",
}


def copy_of(obj, **changes):
    """A new row like ``obj`` (a library row from the migrations), that nothing refers to yet."""
    skip = {"id", "uuid", "created_at", "updated_at"}
    fields = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name not in skip}
    return type(obj).objects.create(**{**fields, **changes})


def referenced_category():
    return factories.ProductFactory().category


def referenced_requirement():
    requirement = document_requirement()
    DocumentFactory().requirements.add(requirement)
    return requirement


# Reference data an administrator maintains: (a row something refers to, or None when nothing can refer
# to this model; a row nothing refers to).
DELETE_IF_UNREFERENCED = {
    "contracting.productcategory": (
        referenced_category,
        lambda: ProductCategory.objects.create(law="wmo", code="99", name="Proef"),
    ),
    "contracting.unit": (
        lambda: factories.ProductFactory().unit,
        lambda: Unit.objects.create(code="99", name="per proef"),
    ),
    "contracting.wntnorm": (None, lambda: WntNorm.objects.first()),
    "contracting.indexrate": (None, lambda: IndexRate.objects.first()),
    "contracting.product": (lambda: factories.TariffFactory().product, factories.ProductFactory),
    "compliance.condition": (
        lambda: JudgementFactory().condition,
        lambda: copy_of(Condition.objects.get(code="local_presence"), code="proef_voorwaarde"),
    ),
    "compliance.documenttype": (
        lambda: DocumentFactory().document_type,
        lambda: DocumentType.objects.create(code="proef", name="Proefdocument"),
    ),
    "compliance.documentrequirement": (referenced_requirement, document_requirement),
    "compliance.fraudrulesetting": (None, fraud_rule_setting),
}

REGISTERED = sorted(
    model._meta.label_lower for model in admin.site._registry if model._meta.app_label in OUR_APPS
)


@pytest.fixture
def superuser_client(client):
    client.force_login(get_user_model().objects.create_superuser("root", "root@example.nl", "x"))
    return client


def make(label: str):
    return MAKERS[label.split(".")[1]]()


def test_every_admin_of_ours_says_whether_its_rows_may_be_deleted():
    assert set(REGISTERED) == NO_DELETE | set(DELETE_IF_UNREFERENCED)
    assert not NO_DELETE & set(DELETE_IF_UNREFERENCED)


@pytest.mark.parametrize("label", sorted(NO_DELETE))
def test_a_superuser_cannot_delete(superuser_client, label):
    # given
    obj = make(label)
    rows = type(obj).objects.count()
    # when
    shown = superuser_client.get(admin_url(obj, "delete"))
    posted = superuser_client.post(admin_url(obj, "delete"), {"post": "yes"})
    change = superuser_client.get(admin_url(obj, "change"))
    # then
    assert (shown.status_code, posted.status_code) == (403, 403)
    assert type(obj).objects.count() == rows
    assert change.status_code == 200 and not change.context["has_delete_permission"]


@pytest.mark.parametrize("label", REGISTERED)
def test_no_changelist_offers_the_bulk_delete_action(superuser_client, label):
    # given
    make(label)
    app_label, model_name = label.split(".")
    # when
    response = superuser_client.get(f"/admin/{app_label}/{model_name}/")
    # then
    assert response.status_code == 200
    model_admin = response.context["cl"].model_admin
    assert "delete_selected" not in model_admin.get_actions(response.wsgi_request)
    assert b'value="delete_selected"' not in response.content


@pytest.mark.parametrize("label", REGISTERED)
def test_no_inline_lets_a_superuser_delete_a_row(superuser_client, label):
    # given
    obj = make(label)
    # when
    response = superuser_client.get(admin_url(obj, "change"))
    # then
    assert response.status_code == 200
    for formset in response.context["inline_admin_formsets"]:
        assert not formset.has_delete_permission, (label, formset.opts.model._meta.model_name)
        assert not formset.formset.can_delete, (label, formset.opts.model._meta.model_name)


REFERENCED = [label for label, (referenced, _) in DELETE_IF_UNREFERENCED.items() if referenced]


@pytest.mark.parametrize("label", REFERENCED)
def test_reference_data_something_refers_to_cannot_be_deleted(superuser_client, label):
    # given
    obj = DELETE_IF_UNREFERENCED[label][0]()
    # when
    shown = superuser_client.get(admin_url(obj, "delete"))
    posted = superuser_client.post(admin_url(obj, "delete"), {"post": "yes"})
    # then
    assert (shown.status_code, posted.status_code) == (403, 403)
    assert type(obj).objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("label", sorted(DELETE_IF_UNREFERENCED))
def test_reference_data_nothing_refers_to_is_deleted_one_at_a_time_and_audited(superuser_client, label):
    # given
    obj = DELETE_IF_UNREFERENCED[label][1]()
    # when
    response = superuser_client.post(admin_url(obj, "delete"), {"post": "yes"})
    # then
    assert response.status_code == 302
    assert not type(obj).objects.filter(pk=obj.pk).exists()
    event = AuditEvent.objects.get(event=f"{obj._meta.model_name}.deleted")
    assert str(event.data["objectId"]) == str(obj.pk)

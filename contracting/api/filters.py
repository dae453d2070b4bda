"""Query filters of the contracting resources. Query keys are camelCase, like the JSON."""

from django_filters import rest_framework as filters

from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationStatus,
    ContractingAuthority,
    Law,
    Procedure,
    ProcedureStatus,
    Product,
    Provider,
    Question,
    QuestionStatus,
    Route,
)


class AuthorityFilter(filters.FilterSet):
    kind = filters.ChoiceFilter(choices=ContractingAuthority.Kind.choices)
    cbsCode = filters.CharFilter(field_name="cbs_code", lookup_expr="iexact")

    class Meta:
        model = ContractingAuthority
        fields = ["kind"]


class ProductFilter(filters.FilterSet):
    law = filters.ChoiceFilter(field_name="category__law", choices=Law.choices)
    category = filters.CharFilter(field_name="category__code", help_text="Product category code, e.g. 02.")
    unit = filters.CharFilter(field_name="unit__code", help_text="Unit code, e.g. 04.")
    code = filters.CharFilter(field_name="code", lookup_expr="iexact")

    class Meta:
        model = Product
        fields = ["code"]


class ProviderFilter(filters.FilterSet):
    kvkNumber = filters.CharFilter(field_name="kvk_number")
    agbCode = filters.CharFilter(field_name="agb_code")
    legalForm = filters.ChoiceFilter(field_name="legal_form", choices=Provider.LegalForm.choices)
    city = filters.CharFilter(field_name="city", lookup_expr="iexact")
    servesWmo = filters.BooleanFilter(field_name="serves_wmo")
    servesYouth = filters.BooleanFilter(field_name="serves_youth")

    class Meta:
        model = Provider
        fields = ["city"]


class ProcedureFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ProcedureStatus.choices)
    law = filters.ChoiceFilter(choices=Law.choices)
    route = filters.ChoiceFilter(choices=Route.choices)
    authority = filters.UUIDFilter(field_name="authority__uuid")

    class Meta:
        model = Procedure
        fields = ["status", "law", "route"]


class ApplicationFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=ApplicationStatus.choices)
    procedure = filters.UUIDFilter(field_name="procedure__uuid")
    provider = filters.UUIDFilter(field_name="provider__uuid")

    class Meta:
        model = Application
        fields = ["status"]


class AgreementFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=AgreementStatus.choices)
    law = filters.ChoiceFilter(choices=Law.choices)
    authority = filters.UUIDFilter(field_name="authority__uuid")
    provider = filters.UUIDFilter(field_name="provider__uuid")
    coalition = filters.UUIDFilter(field_name="coalition__uuid")
    procedure = filters.UUIDFilter(field_name="procedure__uuid")
    endsBefore = filters.DateFilter(field_name="end_date", lookup_expr="lt")
    endsAfter = filters.DateFilter(field_name="end_date", lookup_expr="gte")

    class Meta:
        model = Agreement
        fields = ["status", "law"]


class QuestionFilter(filters.FilterSet):
    status = filters.MultipleChoiceFilter(choices=QuestionStatus.choices)
    procedure = filters.UUIDFilter(field_name="procedure__uuid")

    class Meta:
        model = Question
        fields = ["status"]

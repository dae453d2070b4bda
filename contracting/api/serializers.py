"""Output shapes of the contracting resources. Read-only: writes go through transitions (services)."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from api.serializers import TransitionSerializer
from api.transitions import available_transitions_field
from contracting.models import (
    Agreement,
    Application,
    ApplicationAssessment,
    AssessmentStep,
    ContractingAuthority,
    Lot,
    PastStart,
    Procedure,
    Product,
    ProductCategory,
    Provider,
    Question,
    QuestionStatus,
    Unit,
)
from contracting.roles import can_read_everything
from contracting.selectors import question_asker_visible
from contracting.services import AGREEMENT_TRANSITIONS, APPLICATION_TRANSITIONS, PROCEDURE_TRANSITIONS

# --------------------------------------------------------------------------- references to other resources


class AuthorityRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = ContractingAuthority
        fields = ["uuid", "name"]
        read_only_fields = fields


class ProviderRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Provider
        fields = ["uuid", "name"]
        read_only_fields = fields


class ProcedureRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Procedure
        fields = ["uuid", "reference", "title"]
        read_only_fields = fields


class ProductRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Product
        fields = ["uuid", "code", "name"]
        read_only_fields = fields


class LotRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Lot
        fields = ["uuid", "number", "name"]
        read_only_fields = fields


# --------------------------------------------------------------------------- reference data


class AuthoritySerializer(serializers.ModelSerializer):
    lead_municipality = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    members = serializers.SlugRelatedField(slug_field="uuid", many=True, read_only=True)

    class Meta:
        model = ContractingAuthority
        fields = ["uuid", "name", "kind", "cbs_code", "lead_municipality", "members"]
        read_only_fields = fields


class ProductCategorySerializer(serializers.ModelSerializer):
    class Meta:
        model = ProductCategory
        fields = ["law", "code", "name"]
        read_only_fields = fields


class UnitSerializer(serializers.ModelSerializer):
    class Meta:
        model = Unit
        fields = ["code", "name", "minutes"]
        read_only_fields = fields


class ProductSerializer(serializers.ModelSerializer):
    category = ProductCategorySerializer(read_only=True)
    unit = UnitSerializer(read_only=True)

    class Meta:
        model = Product
        fields = ["uuid", "code", "name", "category", "unit"]
        read_only_fields = fields


class ProviderSerializer(serializers.ModelSerializer):
    parent = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)

    class Meta:
        model = Provider
        fields = [
            "uuid",
            "name",
            "kvk_number",
            "agb_code",
            "iban",
            "legal_form",
            "founded_on",
            "street",
            "postal_code",
            "city",
            "serves_wmo",
            "serves_youth",
            "fte",
            "parent",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


# --------------------------------------------------------------------------- state machines


class LotSerializer(serializers.ModelSerializer):
    products = ProductRefSerializer(many=True, read_only=True)

    class Meta:
        model = Lot
        fields = ["uuid", "number", "name", "products"]
        read_only_fields = fields


class ProcedureSerializer(serializers.ModelSerializer):
    authority = AuthorityRefSerializer(read_only=True)
    lots = LotSerializer(many=True, read_only=True)
    available_transitions = available_transitions_field(PROCEDURE_TRANSITIONS)

    class Meta:
        model = Procedure
        fields = [
            "uuid",
            "reference",
            "title",
            "authority",
            "route",
            "law",
            "description",
            "contract_start",
            "term_months",
            "extension_months",
            "max_extensions",
            "application_deadline",
            "question_deadline",
            "lots",
            "status",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class AssessmentSerializer(serializers.ModelSerializer):
    assessed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ApplicationAssessment
        fields = ["uuid", "step", "passed", "reasoning", "assessed_by", "assessed_at"]
        read_only_fields = fields


class AssessmentRequestSerializer(serializers.Serializer):
    step = serializers.ChoiceField(choices=AssessmentStep.choices)
    passed = serializers.BooleanField()
    reasoning = serializers.CharField(help_text="Why the step was (not) passed; required.")


class ApplicationSerializer(serializers.ModelSerializer):
    procedure = ProcedureRefSerializer(read_only=True)
    provider = ProviderRefSerializer(read_only=True)
    lots = LotRefSerializer(many=True, read_only=True)
    assessments = AssessmentSerializer(many=True, read_only=True)
    available_transitions = available_transitions_field(APPLICATION_TRANSITIONS)

    class Meta:
        model = Application
        fields = [
            "uuid",
            "procedure",
            "provider",
            "lots",
            "motivation",
            "submitted_at",
            "decided_at",
            "assessments",
            "status",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class ApplicationCreateSerializer(serializers.Serializer):
    """A new application (a draft): the procedure, the provider it is made for and its lots."""

    procedure = serializers.UUIDField(help_text="The procedure applied to; it must accept applications.")
    provider = serializers.UUIDField(help_text="The provider applying: one the caller acts for.")
    lots = serializers.ListField(
        child=serializers.UUIDField(), default=list, help_text="Lots of the procedure applied for."
    )
    motivation = serializers.CharField(default="", allow_blank=True)


class AgreementTransitionSerializer(TransitionSerializer):
    signed_by_name = serializers.CharField(
        default="",
        allow_blank=True,
        max_length=200,
        help_text="`accept` only: the name of the provider's authorised signatory (required there).",
    )
    signed_by_role = serializers.CharField(
        default="",
        allow_blank=True,
        max_length=100,
        help_text="`accept` only: the function of the signatory (required there).",
    )


class CoalitionRefSerializer(serializers.Serializer):
    uuid = serializers.UUIDField(read_only=True)
    name = serializers.CharField(read_only=True)


class AgreementSerializer(serializers.ModelSerializer):
    @extend_schema_field(serializers.ChoiceField(choices=PastStart.choices, allow_null=True))
    def get_past_start(self, obj: Agreement) -> str | None:
        return obj.past_start or None  # "" (no decision needed) is null, not an out-of-enum value

    authority = AuthorityRefSerializer(read_only=True)
    provider = ProviderRefSerializer(read_only=True, allow_null=True)
    coalition = CoalitionRefSerializer(read_only=True, allow_null=True)
    procedure = ProcedureRefSerializer(read_only=True, allow_null=True)
    application = serializers.SlugRelatedField(slug_field="uuid", read_only=True, allow_null=True)
    lots = serializers.SerializerMethodField()
    extension_deadline = serializers.DateField(read_only=True)
    max_end_date = serializers.DateField(read_only=True)
    available_transitions = available_transitions_field(AGREEMENT_TRANSITIONS)
    past_start = serializers.SerializerMethodField(
        help_text="The officer's decision about a start date in the past: null when none was needed."
    )

    class Meta:
        model = Agreement
        fields = [
            "uuid",
            "reference",
            "authority",
            "provider",
            "coalition",
            "procedure",
            "application",
            "law",
            "lots",
            "start_date",
            "end_date",
            "past_start",
            "past_start_reason",
            "past_start_decided_at",
            "extension_months",
            "max_extensions",
            "extensions_used",
            "notice_months",
            "extension_deadline",
            "max_end_date",
            "signed_on",
            "accepted_at",
            "accepted_by_name",
            "accepted_by_role",
            "decline_reason",
            "status",
            "suspension_reason",
            "termination_reason",
            "termination_requested_at",
            "termination_effective_date",
            "available_transitions",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields

    @extend_schema_field(LotRefSerializer(many=True))
    def get_lots(self, agreement: Agreement) -> list[dict]:
        """The lots of its sub-agreements (deelovereenkomsten)."""
        return LotRefSerializer([s.lot for s in agreement.sub_agreements.all()], many=True).data


class MissingConditionSerializer(serializers.Serializer):
    code = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    mandatory = serializers.BooleanField()


class MissingItemSerializer(serializers.Serializer):
    """A condition the provider still has to meet in at least one of its live relationships."""

    condition = MissingConditionSerializer()
    outcome = serializers.ChoiceField(choices=["pending", "violated"])
    reasons = serializers.ListField(child=serializers.CharField())
    subjects = serializers.ListField(child=serializers.CharField(), help_text="The relationships concerned.")


# --------------------------------------------------------------------------- questions (nota van inlichtingen)


class QuestionSerializer(serializers.ModelSerializer):
    """A question about a procedure. Once published, every provider reads it without the asker: ``provider``
    is only filled in for the asker's own users and for officers and auditors, and the user who asked is
    never part of the answer. The answer is shown once published (to officers and auditors before)."""

    procedure = ProcedureRefSerializer(read_only=True)
    question = serializers.SerializerMethodField(
        help_text="The question; once published, as the nota van inlichtingen shows it (the officer may have "
        "taken out what named the asker)."
    )
    answer = serializers.SerializerMethodField(help_text="The answer, once published; else empty.")
    provider = serializers.SerializerMethodField(
        help_text="The provider that asked: only for that provider's own users and for officers and auditors."
    )
    asked_at = serializers.DateTimeField(source="created_at", read_only=True)

    class Meta:
        model = Question
        fields = ["uuid", "procedure", "question", "answer", "provider", "status", "asked_at", "published_at"]
        read_only_fields = fields

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_question(self, obj: Question) -> str:
        return obj.shown_text if obj.status == QuestionStatus.PUBLISHED else obj.text

    def get_answer(self, obj: Question) -> str:
        # an answer reaches every provider at the same moment: when it is published (equal treatment)
        if obj.status == QuestionStatus.PUBLISHED or can_read_everything(self._user()):
            return obj.answer
        return ""

    @extend_schema_field(ProviderRefSerializer(allow_null=True))
    def get_provider(self, obj: Question):
        if question_asker_visible(obj, self._user()):
            return ProviderRefSerializer(obj.provider).data
        return None


class QuestionCreateSerializer(serializers.Serializer):
    """A new question about a procedure, asked for one of the caller's providers."""

    procedure = serializers.UUIDField(
        help_text="The procedure the question is about; it must accept questions."
    )
    provider = serializers.UUIDField(help_text="The provider asking: one the caller acts for.")
    text = serializers.CharField(max_length=5000, help_text="The question.")

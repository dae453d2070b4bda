"""Contracting resources: read-only lists and details, transitions through the services' registries."""

from django.db import models
from django.db.models import Prefetch
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from api.schema import TRANSITION_PROBLEMS, problems
from api.transitions import IF_MATCH, EventsMixin, ResourceViewSet, TransitionsMixin, etag_for, if_match
from compliance.conditions.selectors import provider_missing
from contracting import selectors
from contracting.api import filters, serializers
from contracting.models import ApplicationAssessment, ContractingAuthority, Lot, SubAgreement
from contracting.roles import provider_ids_for
from contracting.services import (
    AGREEMENT_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    PROCEDURE_TRANSITIONS,
    application_assess,
    application_create,
    question_ask,
)
from core.exceptions import TransitionForbidden


class AuthorityViewSet(ResourceViewSet):
    """Contracting authorities (municipalities and regions): reference data for every user."""

    serializer_class = serializers.AuthoritySerializer
    filterset_class = filters.AuthorityFilter
    search_fields = ["name", "cbs_code"]

    def get_queryset(self) -> models.QuerySet:
        return selectors.authority_list(self.request.user).prefetch_related(
            Prefetch("members", queryset=ContractingAuthority.objects.only("uuid"))
        )


class ProductViewSet(ResourceViewSet):
    """Products (iWmo / iJw product codes): reference data for every user."""

    serializer_class = serializers.ProductSerializer
    filterset_class = filters.ProductFilter
    search_fields = ["code", "name"]

    def get_queryset(self) -> models.QuerySet:
        return selectors.product_list(self.request.user)


class ProviderViewSet(EventsMixin, ResourceViewSet):
    """Care providers. A provider user sees only the providers they act for."""

    serializer_class = serializers.ProviderSerializer
    filterset_class = filters.ProviderFilter
    search_fields = ["name", "kvk_number", "agb_code", "city"]

    def get_queryset(self) -> models.QuerySet:
        return selectors.provider_list(self.request.user)

    @extend_schema(
        summary="What the provider still has to deliver or fix",
        description="Every condition that is pending or violated in one of the provider's live applications, "
        "agreements or memberships (mandatory ones first), with the reasons and the relationships concerned.",
        responses={200: serializers.MissingItemSerializer(many=True), **problems(403, 404)},
    )
    @action(detail=True, methods=["get"], url_path="missing", pagination_class=None, filter_backends=[])
    def missing(self, request, uuid=None):
        provider = self.get_object()  # 404 for a provider the caller does not act for
        return Response(serializers.MissingItemSerializer(provider_missing(provider), many=True).data)


class ProcedureViewSet(TransitionsMixin, ResourceViewSet):
    """Procurement procedures. A provider user sees published procedures and those they applied to."""

    serializer_class = serializers.ProcedureSerializer
    filterset_class = filters.ProcedureFilter
    search_fields = ["reference", "title"]
    transition_registry = PROCEDURE_TRANSITIONS

    def get_queryset(self) -> models.QuerySet:
        return selectors.procedure_list(self.request.user).prefetch_related(
            Prefetch("lots", queryset=Lot.objects.order_by("number").prefetch_related("products"))
        )


class ApplicationViewSet(TransitionsMixin, ResourceViewSet):
    """Applications to procedures. A provider user sees only their own providers' applications."""

    serializer_class = serializers.ApplicationSerializer
    filterset_class = filters.ApplicationFilter
    search_fields = ["provider__name", "procedure__reference", "procedure__title"]
    transition_registry = APPLICATION_TRANSITIONS
    service_actions = ("transition", "assess", "create")

    @extend_schema(
        summary="Start an application (a draft) for one of the caller's providers",
        description="The procedure must accept applications by the rules of its route (an open house "
        "during its whole term). One live application per provider and procedure. Submit it with "
        "`POST /applications/{uuid}/transitions/submit`.",
        request=serializers.ApplicationCreateSerializer,
        responses={
            201: serializers.ApplicationSerializer,
            **problems(400, 403, 409, descriptions=TRANSITION_PROBLEMS),
        },
    )
    def create(self, request):
        # who may apply at all is decided before the input: officers and the users of a provider
        if not (
            request.user.has_perm("contracting.transition_application") or provider_ids_for(request.user)
        ):
            raise TransitionForbidden(_("You cannot apply on behalf of this provider."))
        payload = serializers.ApplicationCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        procedure = selectors.procedure_list(request.user).filter(uuid=data["procedure"]).first()
        if procedure is None:
            raise ValidationError({"procedure": [_("No such procedure.")]}, code="does_not_exist")
        provider = selectors.provider_list(request.user).filter(uuid=data["provider"]).first()
        if provider is None:  # another provider's, or none at all: the same answer
            raise TransitionForbidden(_("You cannot apply on behalf of this provider."))
        application = application_create(
            procedure_uuid=procedure.uuid,
            provider_uuid=provider.uuid,
            actor=request.user,
            lot_uuids=data["lots"],
            motivation=data["motivation"],
        )
        fresh = self.get_queryset().get(pk=application.pk)
        response = Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/applications/{fresh.uuid}"
        return response

    def get_queryset(self) -> models.QuerySet:
        return selectors.application_list(self.request.user).prefetch_related(
            Prefetch("lots", queryset=Lot.objects.order_by("number")),
            Prefetch(
                "assessments",
                queryset=ApplicationAssessment.objects.order_by("step").select_related("assessed_by"),
            ),
        )

    @extend_schema(
        summary="Record (or revise) one step of the admission assessment",
        description="Only while the application is under review, by an officer. Each step "
        "(`exclusion_grounds`, `suitability`, `execution_requirements`) has one outcome; posting a step "
        "again revises it. An assessment changes the application: the response's `ETag` is the "
        "application's new version.",
        parameters=[IF_MATCH],
        request=serializers.AssessmentRequestSerializer,
        responses={
            201: serializers.AssessmentSerializer,
            **problems(400, 403, 404, 409, 412, 428, descriptions=TRANSITION_PROBLEMS),
        },
    )
    @action(detail=True, methods=["post"], url_path="assessments", filter_backends=[])
    def assess(self, request, uuid=None):
        application = self.get_object()  # 404 for applications the caller cannot see
        payload = serializers.AssessmentRequestSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        assessment = application_assess(
            uuid=application.uuid, actor=request.user, if_match=if_match(request), **payload.validated_data
        )
        response = Response(serializers.AssessmentSerializer(assessment).data, status=status.HTTP_201_CREATED)
        response["ETag"] = etag_for(assessment.application)
        return response


class AgreementViewSet(TransitionsMixin, ResourceViewSet):
    """Agreements. A provider user sees those of their providers and of their providers' coalitions."""

    serializer_class = serializers.AgreementSerializer
    filterset_class = filters.AgreementFilter
    search_fields = ["reference", "provider__name", "coalition__name"]
    transition_registry = AGREEMENT_TRANSITIONS
    transition_input = serializers.AgreementTransitionSerializer
    # the schema gives `accept` its own operation, whose body requires the signatory (api.schema)
    transition_required = {"accept": ("signedByName", "signedByRole")}

    def get_queryset(self) -> models.QuerySet:
        return selectors.agreement_list(self.request.user).prefetch_related(
            Prefetch("sub_agreements", queryset=SubAgreement.objects.select_related("lot"))
        )


class QuestionViewSet(ResourceViewSet):
    """Questions about procedures and their answers (nota van inlichtingen). Every provider reads the
    published ones, without who asked; a provider user also reads the questions its own providers asked.
    Officers answer and publish in the administration."""

    serializer_class = serializers.QuestionSerializer
    filterset_class = filters.QuestionFilter
    service_actions = ("create",)

    @extend_schema(
        summary="Ask a question about a procedure for one of the caller's providers",
        description="While the procedure accepts applications and, when it has a `questionDeadline`, not "
        "after that day: else 409 `guard_failed` with `unmet[].code` `question_deadline_passed` or "
        "`procedure_not_open_for_questions`. The answer is published to every provider without the "
        "asker's name or organisation.",
        request=serializers.QuestionCreateSerializer,
        responses={
            201: serializers.QuestionSerializer,
            **problems(400, 403, 409, descriptions=TRANSITION_PROBLEMS),
        },
    )
    def create(self, request):
        # who may ask at all is decided before the input: the users of a provider
        if not provider_ids_for(request.user):
            raise TransitionForbidden(_("You cannot ask questions on behalf of this provider."))
        payload = serializers.QuestionCreateSerializer(data=request.data)
        payload.is_valid(raise_exception=True)
        data = payload.validated_data
        procedure = selectors.procedure_list(request.user).filter(uuid=data["procedure"]).first()
        if procedure is None:
            raise ValidationError({"procedure": [_("No such procedure.")]}, code="does_not_exist")
        provider = selectors.provider_list(request.user).filter(uuid=data["provider"]).first()
        if provider is None:  # another provider's, or none at all: the same answer
            raise TransitionForbidden(_("You cannot ask questions on behalf of this provider."))
        question = question_ask(
            procedure_uuid=procedure.uuid, provider_uuid=provider.uuid, actor=request.user, text=data["text"]
        )
        fresh = self.get_queryset().get(pk=question.pk)
        response = Response(self.get_serializer(fresh).data, status=status.HTTP_201_CREATED)
        response["Location"] = f"/api/v1/questions/{fresh.uuid}"
        return response

    def get_queryset(self) -> models.QuerySet:
        return (
            selectors.question_list(self.request.user).select_related("provider").order_by("created_at", "pk")
        )

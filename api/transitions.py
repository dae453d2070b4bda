"""The one API mechanism for state machines: ``POST /<resource>/{uuid}/transitions/<name>``.

Each resource viewset names its registry (``transition_registry = AGREEMENT_TRANSITIONS``: name ->
service). The action finds the object the caller may see (404 otherwise), looks the name up (404
``unknown_transition``), passes ``If-Match`` on (428 / 412 from the service) and calls the service,
which decides (403 / 409 / 400 as problem+json). Serializers show ``availableTransitions`` through
:func:`available_transitions_field`.
"""

import inspect
from collections.abc import Callable
from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from api.as_of import AsOfMixin
from api.schema import TRANSITION_PROBLEMS, ResourceAutoSchema, problems
from api.serializers import TransitionSerializer
from audit.api.serializers import AuditEventSerializer
from audit.selectors import events_for
from compliance.audience import audit_events_visible_to
from core.exceptions import UnknownTransition
from core.transitions import available_transitions, version_tag

# --------------------------------------------------------------------------- ETag / If-Match


etag_for = version_tag  # one definition of a version, used by the services' precondition check


IF_MATCH = OpenApiParameter(
    "If-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=True,
    description="The `ETag` of the version the caller saw (from `GET` of the object, or the last change's "
    "response). Without it the change answers 428 `precondition_required`; when the object has changed "
    "since, 412 `precondition_failed`. Both only after the permission check, and nothing is changed.",
)


def if_match(request) -> str:
    """The request's ``If-Match`` for a service, ``""`` when absent: every change through the API must
    name the version it saw. The service compares it under its lock, after its permission check
    (core.transitions.check_precondition: 428 for ``""``, 412 for another version)."""
    return request.headers.get("If-Match", "")


IF_NONE_MATCH = OpenApiParameter(
    "If-None-Match",
    OpenApiTypes.STR,
    location=OpenApiParameter.HEADER,
    required=False,
    description="ETags the caller holds; the current one answers 304 without a body.",
)


def not_modified(request, etag: str) -> bool:
    """``If-None-Match`` (RFC 9110 13.1.2, weak comparison) names ``etag``, or is ``*``."""
    header = request.headers.get("If-None-Match", "")
    held = {tag.strip().removeprefix("W/") for tag in header.split(",")}
    return "*" in held or etag.removeprefix("W/") in held


# --------------------------------------------------------------------------- availableTransitions


class AvailableTransitionsField(serializers.Field):
    """The names from ``registry`` that the requesting user may take now (no per-row queries)."""

    registry: dict[str, Callable] = {}

    def __init__(self, **kwargs: Any) -> None:
        kwargs["source"] = "*"
        kwargs["read_only"] = True
        super().__init__(**kwargs)

    def to_representation(self, obj: Any) -> list[str]:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return []
        return available_transitions(obj, user, self.registry)


def available_transitions_field(registry: dict[str, Callable]) -> AvailableTransitionsField:
    field_class = type("AvailableTransitionsField", (AvailableTransitionsField,), {"registry": registry})
    extend_schema_field(serializers.ListField(child=serializers.ChoiceField(choices=list(registry))))(
        field_class
    )
    return field_class(
        help_text="The transitions the caller may take now. Guards that need other data are checked "
        "when the transition is posted; a refusal names the unmet requirements."
    )


# --------------------------------------------------------------------------- viewsets


class ResourceViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Read-only resource addressed by uuid; the detail response carries an ``ETag`` (every response
    under /api/ the full ``API-Version``: api.middleware)."""

    lookup_field = "uuid"
    schema = ResourceAutoSchema()

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if getattr(cls, "serializer_class", None) is not None:
            extend_schema_view(
                list=extend_schema(responses={200: cls.serializer_class, **problems(403)}),
                retrieve=extend_schema(
                    parameters=[IF_NONE_MATCH],
                    responses={
                        200: cls.serializer_class,
                        304: OpenApiResponse(
                            description="Not modified: `If-None-Match` names the current ETag."
                        ),
                        **problems(403, 404),
                    },
                    description="The response carries an `ETag` header; send it back as `If-Match` "
                    "with a transition to refuse a change of a version you did not see, or as "
                    "`If-None-Match` to get 304 (no body) while the object is unchanged.",
                ),
            )(cls)

    def retrieve(self, request, *args, **kwargs):
        obj = self.get_object()  # 404 and the caller's visibility come first
        etag = etag_for(obj)
        if not_modified(request, etag):
            response = Response(status=304)
        else:
            response = Response(self.get_serializer(obj).data)
        response["ETag"] = etag
        return response


class EventsMixin:
    """``GET /<resource>/{uuid}/events``: the audit trail of one object, oldest first."""

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not issubclass(cls, viewsets.GenericViewSet):
            return
        extend_schema_view(
            events=extend_schema(
                summary="Audit events of this object, oldest first",
                description="Every recorded change of this object (transitions, decisions), with actor, "
                "reason and the hash that chains it to the audit trail.",
                responses={200: AuditEventSerializer(many=True), **problems(403, 404)},
            )
        )(cls)

    @action(detail=True, methods=["get"], filter_backends=[])
    def events(self, request, uuid=None):
        obj = self.get_object()  # 404 for objects the caller cannot see
        page = self.paginate_queryset(audit_events_visible_to(request.user, events_for(obj)))
        return self.get_paginated_response(AuditEventSerializer(page, many=True).data)


class TransitionsMixin(AsOfMixin, EventsMixin):
    transition_registry: dict[str, Callable] = {}
    # The input of every transition of this resource: a reason, and for some steps more (a signature).
    # A service receives only the fields it takes.
    transition_input: type[serializers.Serializer] = TransitionSerializer
    # Actions (besides safe methods) that api.permissions lets through; the services decide the rest.
    service_actions: tuple[str, ...] = ("transition",)

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if not (issubclass(cls, viewsets.GenericViewSet) and cls.transition_registry):
            return
        model_name = cls.serializer_class.Meta.model._meta.model_name
        names = list(cls.transition_registry)
        extend_schema_view(
            transition=extend_schema(
                summary=f"Take a step in the life of this {model_name}",
                description="Runs the transition `name` for the caller and answers the updated object. "
                "`availableTransitions` lists the names the caller may take now. Transitions: "
                + ", ".join(f"`{n}`" for n in names)
                + ".",
                parameters=[
                    OpenApiParameter(
                        "name",
                        OpenApiTypes.STR,
                        location=OpenApiParameter.PATH,
                        enum=names,
                        description="The transition to take.",
                    ),
                    IF_MATCH,
                ],
                request=cls.transition_input,
                responses={
                    200: cls.serializer_class,
                    **problems(400, 403, 404, 409, 412, 428, descriptions=TRANSITION_PROBLEMS),
                },
            )
        )(cls)

    @action(
        detail=True,
        methods=["post"],
        url_path=r"transitions/(?P<name>[^/]+)",
        url_name="transition",
        filter_backends=[],
    )
    def transition(self, request, uuid=None, name=None):
        obj = self.get_object()  # 404 for objects the caller cannot see comes first
        # a step's own path is kebab-case (`request-termination`, api.schema); its name is snake_case
        service = self.transition_registry.get(name.replace("-", "_"))
        if service is None:
            raise UnknownTransition(_("There is no transition '%(name)s' for this object.") % {"name": name})
        payload = self.transition_input(data=request.data)
        payload.is_valid(raise_exception=True)
        takes = inspect.signature(service).parameters
        values = {k: v for k, v in payload.validated_data.items() if k in takes}
        # The service checks If-Match on the row it locks, after its permission check (428 / 412).
        result = service(
            uuid=obj.uuid,
            actor=request.user,
            if_match=if_match(request),
            **values,
        )
        fresh = self.get_queryset().filter(pk=result.pk).first() or result
        response = Response(self.get_serializer(fresh).data)
        response["ETag"] = etag_for(fresh)
        return response

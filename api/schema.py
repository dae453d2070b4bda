"""OpenAPI building blocks shared by every resource: the problem+json body and its responses."""

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers

from api.exceptions import PROBLEM_JSON


class InvalidParamSerializer(serializers.Serializer):
    name = serializers.CharField(help_text="The (camelCase) name of the offending field.")
    code = serializers.CharField(help_text="Stable machine-readable code, e.g. `required`.")
    reason = serializers.CharField()


class UnmetSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="Stable code of the unmet requirement, e.g. `not_signed`.")
    message = serializers.CharField()
    condition = serializers.CharField(
        required=False, help_text="The code of the library condition, when a condition is unmet."
    )


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details, plus our stable `code` and the extras of some problems."""

    type = serializers.URLField()
    code = serializers.CharField(
        help_text="Stable machine-readable code (`invalid_transition`, `guard_failed`, ...)."
    )
    title = serializers.CharField()
    status = serializers.IntegerField()
    detail = serializers.CharField()
    instance = serializers.CharField()
    invalid_params = InvalidParamSerializer(many=True, required=False, help_text="Only on 400 `invalid`.")
    unmet = UnmetSerializer(many=True, required=False, help_text="Only on 409 `guard_failed`.")
    current_status = serializers.CharField(
        required=False, help_text="On 409: the state the object is in now."
    )


READ_PROBLEMS = {
    403: "Not authenticated (`not_authenticated`).",
    404: "Not found, or not visible to the caller (`not_found`).",
}
TRANSITION_PROBLEMS = {
    400: "Invalid input (`invalid`, with `invalidParams`) or a missing reason (`reason_required`).",
    403: "Not authenticated (`not_authenticated`), or the caller may not take this step "
    "(`transition_forbidden`).",
    404: "Not found or not visible to the caller (`not_found`), or no such transition "
    "(`unknown_transition`).",
    409: "The current state refuses the change (`invalid_transition`), or a guard is unmet "
    "(`guard_failed`, with `unmet`).",
    412: "`If-Match` does not match the current `ETag` (`precondition_failed`).",
}


def problems(*codes: int, descriptions: dict[int, str] = READ_PROBLEMS) -> dict:
    """`responses=` entries for the given HTTP status codes, all application/problem+json."""
    return {
        (code, PROBLEM_JSON): OpenApiResponse(response=ProblemSerializer, description=descriptions[code])
        for code in codes
    }


class ResourceAutoSchema(AutoSchema):
    def get_operation_id(self) -> str:
        operation_id = super().get_operation_id()
        if getattr(self.view, "action", None) == "events":  # a list of events, not one object
            return operation_id.removesuffix("_retrieve") + "_list"
        return operation_id

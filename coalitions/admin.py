"""Admin of coalitions and memberships. States change only through the transition buttons; the condition
set of a coalition and the conditions of a membership through the compliance panels."""

from django.contrib import admin
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from coalitions.models import Coalition, Membership, MembershipStatus
from coalitions.services import COALITION_TRANSITIONS, MEMBERSHIP_TRANSITIONS
from compliance.conditions.admin_panels import ConditionSetAdminMixin, SubjectConditionsAdminMixin
from core.admin import NoDeleteMixin, ReadOnlyMixin
from core.admin_transitions import TransitionAdminMixin


class MembershipInline(ReadOnlyMixin, admin.TabularInline):
    """Memberships change through their own transitions: shown here, managed on their own page."""

    model = Membership
    fields = ("provider", "role", "status", "suspension_reason")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("provider", "coalition")


@admin.register(Coalition)
class CoalitionAdmin(NoDeleteMixin, ConditionSetAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    transition_services = COALITION_TRANSITIONS
    list_display = ("name", "authority", "law", "care_chain", "member_count", "status")
    list_filter = ("status", "law", "authority")
    list_select_related = ("authority",)
    search_fields = ("name", "care_chain", "authority__name")
    inlines = (MembershipInline,)
    fields = ("name", "authority", "law", "care_chain", "charter", "status")

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                _member_count=Count("memberships", filter=~Q(memberships__status=MembershipStatus.ENDED))
            )
        )

    @admin.display(description=_("members"), ordering="_member_count")
    def member_count(self, obj: Coalition) -> int:
        return obj._member_count


@admin.register(Membership)
class MembershipAdmin(NoDeleteMixin, SubjectConditionsAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    transition_services = MEMBERSHIP_TRANSITIONS
    adjustable = True
    list_display = ("provider", "coalition", "role", "status", "created_at")
    list_filter = ("status", "role", "coalition")
    list_select_related = ("provider", "coalition")
    search_fields = ("provider__name", "provider__agb_code", "coalition__name")
    date_hierarchy = "created_at"
    autocomplete_fields = ("coalition", "provider")
    fields = ("coalition", "provider", "role", "status", "suspension_reason")

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "suspension_reason"]
        if obj is not None:  # the lead changes through "make_lead", which keeps one lead per coalition
            fields += ["coalition", "provider", "role"]
        return fields

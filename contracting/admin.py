"""Admin of the contracting app for procurement officers, auditors (read-only) and administrators.

States change only through the transition buttons (core.admin_transitions), which call the services.
Changelists select their related rows up front so they use a constant number of queries.
"""

import uuid
from collections.abc import Iterable
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.contrib.admin.views.main import ChangeList
from django.core.exceptions import PermissionDenied
from django.db import models
from django.db.models import Case, Exists, ExpressionWrapper, F, OuterRef, Q, Value, When
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from audit.admin import pretty_json
from coalitions.models import Membership
from compliance.conditions.admin_panels import (
    ConditionSetAdminMixin,
    ProviderComplianceAdminMixin,
    SubjectConditionsAdminMixin,
)
from contracting.indexation import true_up_per_agreement, unpublished_years
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationAssessment,
    ApplicationStatus,
    AssessmentStep,
    BoardMember,
    BudgetCeiling,
    ConsultationRound,
    ContractingAuthority,
    CostModel,
    IndexationRun,
    IndexMethod,
    IndexRate,
    Kpi,
    Lot,
    Procedure,
    Product,
    ProductCategory,
    Provider,
    Question,
    QuestionStatus,
    ReviewMoment,
    SubAgreement,
    Tariff,
    Unit,
    WntNorm,
)
from contracting.services import (
    AGREEMENT_TRANSITIONS,
    APPLICATION_TRANSITIONS,
    PROCEDURE_TRANSITIONS,
    application_assess,
    index_rate_record,
    question_answer,
    question_publish,
    tariffs_index,
    tariffs_true_up,
)
from core import clock, formatting
from core.admin import (
    AdminUrlsMixin,
    DeleteUnreferencedMixin,
    LabelledTabularInline,
    NoDeleteMixin,
    ReadOnlyAdmin,
    ReadOnlyMixin,
    form_errors_message,
    message_domain_error,
    object_id_from_url,
)
from core.admin_transitions import TransitionAdminMixin
from core.exceptions import DomainError

# --------------------------------------------------------------------------- reference data


@admin.register(ProductCategory)
class ProductCategoryAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    list_display = ("code", "name", "law", "is_current")
    list_filter = ("law", "is_current")
    search_fields = ("code", "name")


@admin.register(Unit)
class UnitAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    list_display = ("code", "name", "minutes", "is_current")
    list_filter = ("is_current",)
    search_fields = ("code", "name")


URL_AS_HTTPS = {models.URLField: {"assume_scheme": "https"}}


@admin.register(WntNorm)
class WntNormAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    formfield_overrides = URL_AS_HTTPS
    list_display = ("year", "scope", "wnt_class", "amount")
    list_filter = ("year", "scope")
    search_fields = ("scope", "wnt_class")


@admin.register(IndexRate)
class IndexRateAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    """Reference figures; an officer enters a newly published one with its source (through the
    service, so that it is in the audit trail)."""

    formfield_overrides = URL_AS_HTTPS
    list_display = ("year", "component", "weight_pct", "provisional_pct", "definitive_pct", "source")
    list_filter = ("year", "component")
    fields = ("year", "component", "weight_pct", "provisional_pct", "definitive_pct", "source", "note")

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change, **kwargs)
        if "source" in form.base_fields:  # absent on a read-only view
            form.base_fields["source"].required = True
        return form

    def save_model(self, request, obj, form, change):
        saved = index_rate_record(
            year=obj.year,
            component=obj.component,
            actor=request.user,
            source=obj.source,
            provisional_pct=obj.provisional_pct,
            definitive_pct=obj.definitive_pct,
            weight_pct=obj.weight_pct,
            note=obj.note,
        )
        obj.pk = saved.pk


# --------------------------------------------------------------------------- parties


@admin.register(ContractingAuthority)
class ContractingAuthorityAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = ("name", "kind", "cbs_code", "lead_municipality")
    list_filter = ("kind",)
    list_select_related = ("lead_municipality",)
    search_fields = ("name", "cbs_code")
    filter_horizontal = ("members", "officers")
    readonly_fields = ("uuid", "created_at", "updated_at")


class BoardMemberInline(NoDeleteMixin, LabelledTabularInline):
    model = BoardMember
    fields = ("name", "role", "start_date", "end_date")
    extra = 0


@admin.register(Provider)
class ProviderAdmin(NoDeleteMixin, ProviderComplianceAdminMixin, admin.ModelAdmin):
    list_display = (
        "name",
        "kvk_number",
        "agb_code",
        "legal_form",
        "city",
        "serves_wmo",
        "serves_youth",
        "fte",
        "parent",
    )
    list_filter = ("legal_form", "serves_wmo", "serves_youth")
    list_select_related = ("parent",)
    search_fields = ("name", "kvk_number", "agb_code", "city")
    date_hierarchy = "founded_on"
    autocomplete_fields = ("parent",)
    raw_id_fields = ("users",)  # user accounts are managed by administrators
    inlines = (BoardMemberInline,)
    fieldsets = (
        (None, {"fields": ("name", "kvk_number", "agb_code", "legal_form", "founded_on", "parent")}),
        (_("Address and payment"), {"fields": ("street", "postal_code", "city", "iban")}),
        (_("Care"), {"fields": ("serves_wmo", "serves_youth", "fte")}),
        (_("Portal"), {"fields": ("users",)}),
        (_("Record"), {"fields": ("uuid", "created_at", "updated_at"), "classes": ("collapse",)}),
    )
    readonly_fields = ("uuid", "created_at", "updated_at")


# --------------------------------------------------------------------------- products, cost models, tariffs


@admin.register(Product)
class ProductAdmin(DeleteUnreferencedMixin, admin.ModelAdmin):
    list_display = ("code", "name", "category", "unit")
    list_filter = ("category__law", "unit")
    list_select_related = ("category", "unit")
    search_fields = ("code", "name")


@admin.register(CostModel)
class CostModelAdmin(NoDeleteMixin, admin.ModelAdmin):
    list_display = (
        "product",
        "authority",
        "year",
        "cao",
        "scale",
        "hourly_wage",
        "display_hourly_price",
        "display_real_price",
    )
    list_filter = ("year", "authority")
    list_select_related = ("authority", "product__unit")
    search_fields = ("product__code", "product__name", "cao")
    autocomplete_fields = ("product",)
    readonly_fields = ("display_hourly_price", "display_real_price")
    fieldsets = (
        (None, {"fields": ("authority", "product", "year")}),
        (
            _("Calculation"),
            {
                "fields": (
                    "cao",
                    "scale",
                    "hourly_wage",
                    "employer_costs_pct",
                    "productivity_pct",
                    "overhead_pct",
                    "risk_margin_pct",
                    "display_hourly_price",
                    "display_real_price",
                )
            },
        ),
    )

    @admin.display(description=_("reële prijs per hour"))
    def display_hourly_price(self, obj: CostModel) -> str:
        if obj.pk is None:
            return formatting.MISSING
        return formatting.money(obj.hourly_price)

    @admin.display(description=_("reële prijs per unit"))
    def display_real_price(self, obj: CostModel) -> str:
        return formatting.MISSING if obj.pk is None else formatting.money(obj.real_price)


def attach_real_prices(tariffs: Iterable[Tariff]) -> list[Tariff]:
    """Set ``_real_price`` on each tariff (None without a cost model or for a unit without minutes),
    with one query for the whole page, whatever its size."""
    tariffs = list(tariffs)
    if not tariffs:
        return tariffs
    cost_models = CostModel.objects.filter(
        authority_id__in={t.authority_id for t in tariffs},
        product_id__in={t.product_id for t in tariffs},
        year__in={t.year for t in tariffs},
    ).select_related("product__unit")
    by_key = {(c.authority_id, c.product_id, c.year): c for c in cost_models}
    for tariff in tariffs:
        cost = by_key.get((tariff.authority_id, tariff.product_id, tariff.year))
        tariff._real_price = cost.real_price if cost is not None else None
    return tariffs


class TariffChangeList(ChangeList):
    def get_results(self, request: HttpRequest) -> None:
        super().get_results(request)
        self.result_list = attach_real_prices(self.result_list)


def cost_models_of_tariff():
    """The cost model of the tariff's authority, product and year, when its unit has minutes (a subquery)."""
    return CostModel.objects.filter(
        authority=OuterRef("authority"),
        product=OuterRef("product"),
        year=OuterRef("year"),
        product__unit__minutes__isnull=False,
    ).order_by()


def below_real_price() -> Exists:
    """Whether the tariff is below its reële prijs, decided in the database the way
    ``amount < CostModel.real_price`` decides it (rounded half up to cents): with ``a`` on the cent grid,
    ``a < round(x)`` holds exactly when ``x >= a + 0.005``. Written without division, so that it is exact
    on PostgreSQL and SQLite does no integer division:

        wage × (100 + on-costs) × (100 + overhead + risk) × minutes  >=  (a + 0.005) × productivity × 6000
    """
    decimal = models.DecimalField(max_digits=30, decimal_places=6)
    cost = ExpressionWrapper(
        F("hourly_wage")
        * (Value(100) + F("employer_costs_pct"))
        * (Value(100) + F("overhead_pct") + F("risk_margin_pct"))
        * F("product__unit__minutes"),
        output_field=decimal,
    )
    paid = ExpressionWrapper(
        (OuterRef("amount") + Value(Decimal("0.005"))) * F("productivity_pct") * Value(6000),
        output_field=decimal,
    )
    return Exists(cost_models_of_tariff().alias(cost=cost, paid=paid).filter(cost__gte=F("paid")))


class BelowRealPriceFilter(admin.SimpleListFilter):
    title = _("below the reële prijs")
    parameter_name = "below_real_price"

    def lookups(self, request, model_admin):
        return [("yes", _("Yes")), ("no", _("No")), ("unknown", _("No reële prijs known"))]

    def queryset(self, request, queryset):
        known = Exists(cost_models_of_tariff())
        if self.value() == "yes":
            return queryset.filter(below_real_price())
        if self.value() == "no":
            return queryset.filter(known & ~below_real_price())
        if self.value() == "unknown":
            return queryset.filter(~known)
        return queryset


class ProviderFilter(admin.SimpleListFilter):
    """The rows of one provider (``?provider=<uuid>``), as the relationship page links to them; with a
    thousand providers a list of all would be useless, so the filter only shows the chosen one (search
    finds others by name or AGB code). Agreements of a coalition count for each of its members."""

    title = _("provider")
    parameter_name = "provider"

    def _provider(self) -> Provider | None:
        try:
            return Provider.objects.filter(uuid=uuid.UUID(str(self.value()))).first()
        except ValueError:
            return None

    def lookups(self, request, model_admin):
        if not self.value():
            return []  # hidden until a provider is chosen (the admin applies only filters it shows)
        provider = self._provider()
        return [(self.value(), provider.name if provider else gettext("Unknown provider"))]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        provider = self._provider()
        if provider is None:
            return queryset.none()
        if queryset.model is Agreement:
            coalitions = Membership.objects.filter(provider=provider).values("coalition_id")
            return queryset.filter(Q(provider=provider) | Q(coalition_id__in=coalitions))
        return queryset.filter(provider=provider)


class IndexationForm(forms.Form):
    authority = forms.ModelChoiceField(label=_("authority"), queryset=ContractingAuthority.objects.none())
    year = forms.IntegerField(label=_("tariff year"), min_value=2000, max_value=2200)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = ContractingAuthority.objects.order_by("name")


class IndexForm(IndexationForm):
    method = forms.ChoiceField(
        label=_("indexation method"),
        choices=IndexMethod.choices,
        initial=IndexMethod.VNG_PROVIDER_INDEX,
        required=False,
    )
    fixed_pct = forms.DecimalField(
        label=_("fixed indexation (%)"), required=False, max_digits=6, decimal_places=3
    )


INDEXATION_OPERATIONS = {
    # name -> (service, title, help text)
    "index": (
        tariffs_index,
        _("Index tariffs for a new year"),
        _(
            "Creates the tariffs and cost models of the year from those of the year before, indexed with "
            "the provisional weighted rate (OVA and PPC). Recorded with your name and the rate applied."
        ),
    ),
    "true_up": (
        tariffs_true_up,
        _("True up to the definitive rate"),
        _(
            "Recomputes the provisionally indexed tariffs of the year with the definitive rate and records "
            "the difference per tariff and per agreement."
        ),
    ),
}


def may_index_tariffs(request: HttpRequest) -> bool:
    return request.user.has_perm("contracting.add_tariff")


def indexation_links(request: HttpRequest) -> list[dict[str, str]]:
    if not may_index_tariffs(request):
        return []
    return [
        {
            "name": name,
            "label": str(title),
            "url": reverse("admin:contracting_tariff_indexation", args=[name]),
        }
        for name, (_service, title, _help) in INDEXATION_OPERATIONS.items()
    ]


class IndexationLinksMixin:
    """The indexation buttons above the changelist (tariffs and indexation runs)."""

    def changelist_view(self, request, extra_context=None):
        years = Tariff.objects.values_list("year", flat=True).distinct()
        extra_context = {
            **(extra_context or {}),
            "indexation_links": indexation_links(request),
            "unpublished_index": unpublished_years(years),
        }
        return super().changelist_view(request, extra_context)


@admin.register(Tariff)
class TariffAdmin(NoDeleteMixin, IndexationLinksMixin, admin.ModelAdmin):
    list_display = (
        "product",
        "authority",
        "year",
        "amount",
        "display_real_price",
        "meets_real_price",
        "indexation_pct",
    )
    list_filter = ("year", "authority", BelowRealPriceFilter)
    list_select_related = ("authority", "product")
    search_fields = ("product__code", "product__name")
    autocomplete_fields = ("product",)
    # the indexation services (tariffs_index / tariffs_true_up) set these
    readonly_fields = ("base_amount", "indexation_run", "display_real_price", "meets_real_price")
    fields = (
        "authority",
        "product",
        "year",
        "amount",
        "indexation_pct",
        "base_amount",
        "indexation_run",
        "display_real_price",
        "meets_real_price",
    )

    def get_changelist(self, request: HttpRequest, **kwargs):
        return TariffChangeList

    @staticmethod
    def _real_price(obj: Tariff) -> Decimal | None:
        if obj.pk is None:
            return None
        if not hasattr(obj, "_real_price"):  # change page: one object, one query
            attach_real_prices([obj])
        return obj._real_price

    @admin.display(description=_("reële prijs"))
    def display_real_price(self, obj: Tariff) -> str:
        return formatting.money(self._real_price(obj))

    @admin.display(description=_("at least the reële prijs"), boolean=True)
    def meets_real_price(self, obj: Tariff) -> bool | None:
        """False flags a fair-pay violation; a dash when there is no reële prijs to compare with."""
        real_price = self._real_price(obj)
        return None if real_price is None else obj.amount >= real_price

    # ---- indexation (VNG convention): one action each, through the services

    def get_urls(self):
        return [
            path(
                "indexation/<str:operation>/",
                self.admin_site.admin_view(self.indexation_view),
                name="contracting_tariff_indexation",
            ),
            *super().get_urls(),
        ]

    def indexation_view(self, request: HttpRequest, operation: str) -> HttpResponse:
        if operation not in INDEXATION_OPERATIONS:
            raise Http404
        if not may_index_tariffs(request):
            raise PermissionDenied
        service, title, help_text = INDEXATION_OPERATIONS[operation]
        this_year = clock.today().year
        form_class = IndexForm if operation == "index" else IndexationForm
        if request.method == "POST":
            form = form_class(request.POST)
            if form.is_valid():
                extra = {}
                if operation == "index":
                    extra = {
                        "method": form.cleaned_data["method"] or IndexMethod.VNG_PROVIDER_INDEX,
                        "fixed_pct": form.cleaned_data["fixed_pct"],
                    }
                try:
                    run = service(
                        authority=form.cleaned_data["authority"],
                        year=form.cleaned_data["year"],
                        actor=request.user,
                        **extra,
                    )
                except DomainError as exc:
                    message_domain_error(request, exc)
                else:
                    messages.success(
                        request,
                        gettext("%(run)s: applied to %(count)s tariffs.")
                        % {"run": run, "count": run.tariffs.count()},
                    )
                    return HttpResponseRedirect(
                        reverse("admin:contracting_indexationrun_change", args=[quote(run.pk)])
                    )
        else:
            form = form_class(initial={"year": this_year + 1 if operation == "index" else this_year})
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "help_text": help_text,
            "opts": self.opts,
            "form": form,
            "operation": operation,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/contracting/tariff/indexation.html", context)


@admin.register(IndexationRun)
class IndexationRunAdmin(IndexationLinksMixin, ReadOnlyAdmin):
    """A record of what the indexation services did: read-only for everyone. A true-up shows what it
    changed per agreement."""

    list_display = ("authority", "year", "basis", "method", "rate_pct", "applied_by", "created_at")
    list_filter = ("basis", "method", "year", "authority")
    list_select_related = ("authority", "applied_by")
    search_fields = ("authority__name",)
    date_hierarchy = "created_at"
    fields = (
        "authority",
        "year",
        "basis",
        "method",
        "rate_pct",
        "computation",
        "pretty_components",
        "applied_by",
        "created_at",
        "differences_table",
    )
    readonly_fields = fields

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and (obj.basis == IndexationRun.Basis.DEFINITIVE or obj.differences):
            rows = true_up_per_agreement(obj)
            for row in rows:  # amounts as numbers, so that they are shown the way the user reads them
                row["lines"] = [
                    {**line, **{k: Decimal(line[k]) for k in ("provisional", "definitive", "difference")}}
                    for line in row["lines"]
                ]
            context["true_up_rows"] = rows
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("computation"))
    def computation(self, obj: IndexationRun) -> str:
        """The index step by step (provisional + correction = index), its state and its sources."""
        figure = obj.components or {}
        if "state" not in figure:
            return formatting.MISSING
        state = figure["state"]
        text = figure.get("explanation") or formatting.MISSING
        if state == "not_published":
            text = gettext("index %(year)s not yet published; tariffs provisional") % {"year": obj.year}
        sources = format_html_join(
            "", '<li><a href="{}" rel="noopener">{}</a></li>', ((s, s) for s in figure.get("sources", []))
        )
        return format_html('<p data-index-state="{}">{}</p><ul class="sources">{}</ul>', state, text, sources)

    @admin.display(description=_("components"))
    def pretty_components(self, obj: IndexationRun) -> str:
        return pretty_json(obj.components)

    @admin.display(description=_("differences per tariff"))
    def differences_table(self, obj: IndexationRun) -> str:
        if not obj.differences:
            return "–"
        rows = format_html_join(
            "",
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            (
                (
                    d.get("product"),
                    *(formatting.money(d[k]) for k in ("provisional", "definitive", "difference")),
                )
                for d in obj.differences
            ),
        )
        return format_html(
            '<table class="differences"><thead><tr><th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead>'
            "<tbody>{}</tbody></table>",
            gettext("Product"),
            gettext("Provisional tariff"),
            gettext("Definitive tariff"),
            gettext("Difference per unit"),
            rows,
        )


# --------------------------------------------------------------------------- procedures


class LotInline(NoDeleteMixin, LabelledTabularInline):
    model = Lot
    fields = ("number", "name", "products")
    autocomplete_fields = ("products",)
    extra = 0


class ConsultationRoundInline(NoDeleteMixin, admin.StackedInline):
    model = ConsultationRound
    fields = ("held_on", "participants", "minutes", "agreed_points", "panel_advice")
    extra = 0


@admin.register(Procedure)
class ProcedureAdmin(NoDeleteMixin, ConditionSetAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    transition_services = PROCEDURE_TRANSITIONS
    list_display = (
        "reference",
        "title",
        "authority",
        "route",
        "law",
        "contract_start",
        "application_deadline",
        "status",
    )
    list_filter = ("status", "law", "route", "authority")
    list_select_related = ("authority",)
    search_fields = ("reference", "title", "authority__name")
    date_hierarchy = "contract_start"
    inlines = (LotInline, ConsultationRoundInline)
    fields = (
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
        "status",
    )


# --------------------------------------------------------------------------- applications


class ApplicationAssessmentInline(ReadOnlyMixin, admin.TabularInline):
    """Assessments are recorded through application_assess (the form under the change page)."""

    model = ApplicationAssessment
    fields = ("step", "passed", "reasoning", "assessed_by", "assessed_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def get_queryset(self, request):
        """In the order of the steps (exclusion grounds, suitability, execution requirements), not
        alphabetically by their codes; within a step the oldest first."""
        step_order = Case(
            *(When(step=step, then=Value(index)) for index, step in enumerate(AssessmentStep.values)),
            output_field=models.IntegerField(),
        )
        return (
            super()
            .get_queryset(request)
            .select_related("assessed_by")
            .order_by(step_order, "assessed_at", "pk")
        )


class AssessmentForm(forms.Form):
    step = forms.ChoiceField(label=_("step"), choices=AssessmentStep.choices)
    passed = forms.TypedChoiceField(
        label=_("outcome"),
        choices=[("yes", _("Passed")), ("no", _("Not passed"))],
        coerce=lambda value: value == "yes",
        widget=forms.RadioSelect,
    )
    reasoning = forms.CharField(label=_("reasoning"), widget=forms.Textarea(attrs={"rows": 4, "cols": 60}))


@admin.register(Application)
class ApplicationAdmin(NoDeleteMixin, SubjectConditionsAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    transition_services = APPLICATION_TRANSITIONS
    change_form_template = "admin/contracting/application/change_form.html"
    list_display = ("provider", "procedure", "status", "submitted_at", "decided_at")
    list_filter = (
        "status",
        "procedure__law",
        ("procedure", admin.RelatedOnlyFieldListFilter),
        ProviderFilter,
    )
    list_select_related = ("provider", "procedure")
    search_fields = ("provider__name", "provider__agb_code", "procedure__reference", "procedure__title")
    date_hierarchy = "submitted_at"
    autocomplete_fields = ("procedure", "provider")
    inlines = (ApplicationAssessmentInline,)
    fields = (
        "procedure",
        "provider",
        "lots",
        "motivation",
        "status",
        "submitted_at",
        "decided_at",
        "agreement_link",
    )

    @admin.display(description=_("agreement"))
    def agreement_link(self, obj: Application) -> str:
        """The agreement an admission created, or why there is none."""
        agreement = Agreement.objects.filter(application=obj).first() if obj.pk else None
        if agreement is None:
            return gettext("No agreement (yet): an agreement is made when the application is admitted.")
        return format_html(
            '<a href="{}">{}</a> ({})',
            reverse("admin:contracting_agreement_change", args=[quote(agreement.pk)]),
            agreement.reference,
            agreement.get_status_display(),
        )

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), "submitted_at", "decided_at", "agreement_link"]
        if obj is not None:
            fields += ["procedure", "provider"]
            if obj.status != ApplicationStatus.DRAFT:  # what was submitted stays as submitted
                fields += ["lots", "motivation"]
        return fields

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "lots":
            object_id = object_id_from_url(request)
            queryset = Lot.objects.select_related("procedure")
            if object_id:
                queryset = queryset.filter(procedure__applications__pk=object_id)
            kwargs["queryset"] = queryset
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    # ---- assessment per step (while under review)

    def get_urls(self):
        return [
            path(
                "<path:object_id>/assess/",
                self.admin_site.admin_view(self.assess_view),
                name="contracting_application_assess",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if (
            obj is not None
            and obj.status == ApplicationStatus.UNDER_REVIEW
            and self.has_transition_permission(request, obj)
        ):
            context["assessment_form"] = AssessmentForm()
            context["assessment_url"] = self.object_url(obj, "assess")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def assess_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._assess)(request, object_id)

    def _assess(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)
        if not self.has_view_or_change_permission(request, obj) or not self.has_transition_permission(
            request, obj
        ):
            raise PermissionDenied
        change_url = self.change_url(obj)
        form = AssessmentForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors_message(form), extra_tags="invalid")
            return HttpResponseRedirect(change_url)
        try:
            assessment = application_assess(
                uuid=obj.uuid,
                actor=request.user,
                step=form.cleaned_data["step"],
                passed=form.cleaned_data["passed"],
                reasoning=form.cleaned_data["reasoning"],
            )
        except DomainError as exc:
            message_domain_error(request, exc)
            return HttpResponseRedirect(change_url)
        messages.success(request, gettext("Assessment recorded: %(assessment)s") % {"assessment": assessment})
        return HttpResponseRedirect(change_url)


# --------------------------------------------------------------------------- agreements


class SubAgreementInline(NoDeleteMixin, LabelledTabularInline):
    model = SubAgreement
    fields = ("lot",)
    extra = 0

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "lot":  # only the lots of the agreement's own procedure
            object_id = object_id_from_url(request)
            kwargs["queryset"] = (
                Lot.objects.filter(procedure__agreements__pk=object_id) if object_id else Lot.objects.none()
            )
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("agreement", "lot")


class BudgetCeilingInline(NoDeleteMixin, LabelledTabularInline):
    model = BudgetCeiling
    fields = ("year", "municipality", "amount")
    extra = 0

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("municipality")


class ReviewMomentInline(NoDeleteMixin, LabelledTabularInline):
    model = ReviewMoment
    fields = ("planned_on", "topic", "outcome")
    extra = 0


class KpiInline(NoDeleteMixin, LabelledTabularInline):
    model = Kpi
    fields = ("kind", "target")
    extra = 0


@admin.register(Agreement)
class AgreementAdmin(NoDeleteMixin, SubjectConditionsAdminMixin, TransitionAdminMixin, admin.ModelAdmin):
    transition_services = AGREEMENT_TRANSITIONS
    adjustable = True
    list_display = ("reference", "party", "authority", "law", "start_date", "end_date", "status")
    list_filter = ("status", "law", "authority", "past_start", ProviderFilter)
    list_select_related = ("authority", "provider", "coalition")
    search_fields = ("reference", "provider__name", "provider__agb_code", "coalition__name")
    date_hierarchy = "start_date"
    autocomplete_fields = ("provider", "coalition", "procedure")
    inlines = (SubAgreementInline, BudgetCeilingInline, ReviewMomentInline, KpiInline)
    # The terms of an agreement are fixed once it is offered; later changes are transitions/events.
    terms = (
        "authority",
        "provider",
        "coalition",
        "procedure",
        "law",
        "start_date",
        "end_date",
        "extension_months",
        "max_extensions",
        "notice_months",
    )
    service_managed = (
        "application",
        "signed_on",
        "accepted_at",
        "accepted_by",
        "accepted_by_name",
        "accepted_by_role",
        "decline_reason",
        "extensions_used",
        "suspension_reason",
        "termination_reason",
        "termination_requested_by",
        "termination_requested_at",
        "termination_effective_date",
        "past_start",
        "past_start_reason",
        "past_start_decided_by",
        "past_start_decided_at",
    )
    fieldsets = (
        (None, {"fields": ("reference", "authority", "provider", "coalition", "law", "status")}),
        (_("Origin"), {"fields": ("procedure", "application")}),
        (
            _("The provider's answer to the offer"),
            {
                "fields": (
                    "accepted_at",
                    "accepted_by_name",
                    "accepted_by_role",
                    "accepted_by",
                    "decline_reason",
                )
            },
        ),
        (
            _("Term"),
            {
                "fields": (
                    "start_date",
                    "end_date",
                    "signed_on",
                    "extension_months",
                    "max_extensions",
                    "extensions_used",
                    "notice_months",
                )
            },
        ),
        (
            _("Start date in the past"),
            {
                "fields": (
                    "past_start",
                    "past_start_reason",
                    "past_start_decided_by",
                    "past_start_decided_at",
                )
            },
        ),
        (
            _("Suspension and termination"),
            {
                "fields": (
                    "suspension_reason",
                    "termination_reason",
                    "termination_requested_by",
                    "termination_requested_at",
                    "termination_effective_date",
                )
            },
        ),
    )

    @admin.display(description=_("party"))
    def party(self, obj: Agreement):
        return obj.party

    def change_view(self, request, object_id, form_url="", extra_context=None):
        agreement = self.get_object(request, unquote(object_id))
        if request.method == "GET" and agreement is not None and agreement.past_start_pending:
            messages.warning(
                request,
                gettext(
                    "This agreement starts on %(date)s, before the day it was created. It cannot be offered "
                    "until an officer decides, with a reason: keep the start date in the past, or start "
                    "from today."
                )
                % {"date": formatting.date_long(agreement.start_date)},
            )
        return super().change_view(request, object_id, form_url, extra_context)

    def get_readonly_fields(self, request, obj=None):
        fields = [*super().get_readonly_fields(request, obj), *self.service_managed]
        if obj is not None and obj.status != AgreementStatus.DRAFT:
            fields += self.terms
        return fields


# Lot, ConsultationRound, SubAgreement, BudgetCeiling, ReviewMoment, Kpi, BoardMember and
# ApplicationAssessment are edited (or shown) inline on their parent's change page.


# --------------------------------------------------------------------------- questions (nota van inlichtingen)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=_("answer"), widget=forms.Textarea(attrs={"rows": 6, "cols": 70}))
    public_text = forms.CharField(
        label=_("question as published"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "cols": 70}),
        help_text=_(
            "Rephrase the question when it names the asker; empty publishes the question as asked. The "
            "asker's name and organisation are never published."
        ),
    )


@admin.register(Question)
class QuestionAdmin(AdminUrlsMixin, ReadOnlyMixin, admin.ModelAdmin):
    """Questions are asked in the portal and the API; an officer answers them here (the form under the
    page) and publishes them, one by one or selected together as the nota van inlichtingen."""

    change_form_template = "admin/contracting/question/change_form.html"
    list_display = ("procedure", "provider", "short_text", "status", "created_at", "published_at")
    list_filter = ("status", ("procedure", admin.RelatedOnlyFieldListFilter))
    list_select_related = ("procedure", "provider")
    search_fields = ("text", "answer", "procedure__reference", "procedure__title", "provider__name")
    date_hierarchy = "created_at"
    actions = ["publish_selected"]
    fields = (
        "procedure",
        "provider",
        "asked_by",
        "created_at",
        "text",
        "public_text",
        "answer",
        "status",
        "answered_by",
        "answered_at",
        "published_at",
    )
    readonly_fields = fields

    @admin.display(description=_("question"))
    def short_text(self, obj: Question) -> str:
        return obj.text if len(obj.text) <= 80 else obj.text[:79] + "…"

    def has_answer_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm("contracting.answer_question")

    def get_actions(self, request):
        actions = super().get_actions(request)
        if not self.has_answer_permission(request):
            actions.pop("publish_selected", None)
        return actions

    @admin.action(description=_("Publish the selected answers"))
    def publish_selected(self, request: HttpRequest, queryset) -> None:
        published = 0
        for question in queryset.order_by("pk"):
            try:
                question_publish(uuid=question.uuid, actor=request.user)
            except DomainError as exc:
                message_domain_error(request, exc)
            else:
                published += 1
        if published:
            messages.success(request, gettext("%(count)s answer(s) published.") % {"count": published})

    def get_urls(self):
        return [
            path(
                "<path:object_id>/answer/",
                self.admin_site.admin_view(self.answer_view),
                name="contracting_question_answer",
            ),
            path(
                "<path:object_id>/publish/",
                self.admin_site.admin_view(self.publish_view),
                name="contracting_question_publish",
            ),
            *super().get_urls(),
        ]

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None and obj.status != QuestionStatus.PUBLISHED and self.has_answer_permission(request):
            context["answer_form"] = AnswerForm(
                initial={"answer": obj.answer, "public_text": obj.public_text}
            )
            context["answer_url"] = self.object_url(obj, "answer")
            if obj.status == QuestionStatus.ANSWERED:
                context["publish_url"] = self.object_url(obj, "publish")
        return super().render_change_form(request, context, add, change, form_url, obj)

    def _question_for(self, request: HttpRequest, object_id: str) -> Question:
        obj = self.get_object(request, unquote(object_id))
        if obj is None:
            raise Http404(gettext("No such question."))
        if not (self.has_view_permission(request, obj) and self.has_answer_permission(request)):
            raise PermissionDenied
        return obj

    def answer_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._answer)(request, object_id)

    def _answer(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._question_for(request, object_id)
        form = AnswerForm(request.POST)
        if not form.is_valid():
            messages.error(request, form_errors_message(form), extra_tags="invalid")
            return HttpResponseRedirect(self.change_url(obj))
        try:
            question_answer(
                uuid=obj.uuid,
                actor=request.user,
                answer=form.cleaned_data["answer"],
                public_text=form.cleaned_data["public_text"],
            )
        except DomainError as exc:
            message_domain_error(request, exc)
        else:
            messages.success(
                request, gettext("The answer is saved. Publish it to show it to every provider.")
            )
        return HttpResponseRedirect(self.change_url(obj))

    def publish_view(self, request: HttpRequest, object_id: str) -> HttpResponse:
        return require_POST(self._publish)(request, object_id)

    def _publish(self, request: HttpRequest, object_id: str) -> HttpResponse:
        obj = self._question_for(request, object_id)
        try:
            question_publish(uuid=obj.uuid, actor=request.user)
        except DomainError as exc:
            message_domain_error(request, exc)
        else:
            messages.success(
                request, gettext("Question and answer are published for every provider, without the asker.")
            )
        return HttpResponseRedirect(self.change_url(obj))

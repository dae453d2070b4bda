"""Portal pages where a provider does its own part: finding the procedures open for applications, applying
(a draft it saves and returns to, its own declarations signed, the documents asked uploaded in the same
flow, a check of what is missing, submitting and withdrawing), and answering an offered agreement.

Reads go through the selectors (a provider user only ever reaches its own applications and agreements;
another provider's draft answers 404), writes through the services (lock, permission, guards, audit).
Plain HTML forms: every page works without JavaScript."""

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.db.models import Prefetch, Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from audit.models import AuditEvent
from coalitions.models import Membership
from compliance.audience import audit_events_visible_to
from compliance.conditions.services import declaration_sign
from compliance.documents.selectors import application_checklist, procedure_documents_asked
from compliance.documents.services import document_request_for_application
from compliance.models import (
    Condition,
    ConditionRequirement,
    DecisionMethod,
    DocumentType,
)
from contracting import routes
from contracting.models import (
    Agreement,
    AgreementStatus,
    Application,
    ApplicationAssessment,
    ApplicationStatus,
    AssessmentStep,
    BudgetCeiling,
    ConsultationRound,
    Lot,
    Procedure,
    ProcedureStatus,
    QuestionStatus,
    Route,
    Tariff,
)
from contracting.selectors import agreement_list, application_list, procedure_list, question_list
from contracting.services import (
    agreement_accept,
    agreement_decline,
    application_create,
    application_submit,
    application_update,
    application_withdraw,
    question_ask,
)
from core import clock, formatting
from core.exceptions import DomainError
from core.uploads import UploadTooLarge, limit_uploads
from portal.forms import (
    ApplicationForm,
    ApplicationUploadForm,
    DeclarationForm,
    QuestionForm,
    ReasonForm,
    SignatureForm,
)
from portal.views import portal_page, upload_from_form

LIVE_APPLICATION_STATES = (
    ApplicationStatus.DRAFT,
    ApplicationStatus.SUBMITTED,
    ApplicationStatus.UNDER_REVIEW,
    ApplicationStatus.ADMITTED,
)

ROUTE_EXPLANATIONS = {
    Route.ADMINISTRATIVE: gettext_lazy(
        "Administrative procurement: the terms were agreed in consultation with providers; every provider "
        "that accepts them and meets the conditions is admitted. There is no ranking."
    ),
    Route.OPEN_HOUSE: gettext_lazy(
        "Open house: every provider that meets the conditions is admitted, during the whole term of the "
        "procedure. The client chooses the provider."
    ),
    Route.LIGHT_REGIME: gettext_lazy(
        "Light-regime tender for social and other specific services (Aanbestedingswet 2012). The decision "
        "states its reasons for every step."
    ),
    Route.SUBSIDY: gettext_lazy(
        "Subsidy: a decision of the municipality (Awb), which states its reasons for every step."
    ),
}


def _explain_route(route: str) -> str:
    return str(ROUTE_EXPLANATIONS.get(route, ""))


# --------------------------------------------------------------------------- open procedures


def _own_applications(request: HttpRequest):
    return application_list(request.user).filter(provider=request.provider)


@portal_page
@require_GET
def procedures(request: HttpRequest) -> HttpResponse:
    """Procedures open for applications today, per authority and domain."""
    today = clock.today()
    candidates = procedure_list(request.user).filter(
        status__in=[ProcedureStatus.OPEN, ProcedureStatus.ASSESSING]
    )
    open_now = [
        p
        for p in candidates.order_by("authority__name", "law", "title")
        if routes.accepts_applications(p, day=today)
    ]
    mine = {
        a.procedure_id: a
        for a in _own_applications(request)
        .filter(procedure__in=[p.pk for p in open_now], status__in=LIVE_APPLICATION_STATES)
        .order_by("created_at")
    }
    groups: dict[tuple[str, str], list[tuple[Procedure, Application | None]]] = defaultdict(list)
    for procedure in open_now:
        key = (procedure.authority.name, procedure.get_law_display())
        groups[key].append((procedure, mine.get(procedure.pk)))
    return render(
        request,
        "portal/procedures.html",
        {
            "title": _("Procedures open for applications"),
            "provider": request.provider,
            "groups": [
                {"authority": authority, "law": law, "rows": rows}
                for (authority, law), rows in groups.items()
            ],
            "applications": list(
                _own_applications(request).select_related("procedure__authority").order_by("-created_at")
            ),
        },
    )


@dataclass
class LotRow:
    lot: Lot
    products: list[tuple[Any, Tariff | None]]


def _lot_rows(procedure: Procedure, year: int) -> list[LotRow]:
    lots = list(procedure.lots.order_by("number").prefetch_related("products__unit"))
    product_ids = {p.pk for lot in lots for p in lot.products.all()}
    tariffs = {
        t.product_id: t
        for t in Tariff.objects.filter(authority=procedure.authority_id, year=year, product__in=product_ids)
    }
    return [LotRow(lot, [(p, tariffs.get(p.pk)) for p in lot.products.order_by("code")]) for lot in lots]


def condition_in_words(condition: Condition) -> str:
    """How a condition is decided, in plain words for the provider."""
    types = ", ".join(t.name for t in condition.document_types.all())
    if condition.method == DecisionMethod.DOCUMENTS:
        return _("You deliver: %(types)s. The municipality reviews it.") % {"types": types}
    if condition.method == DecisionMethod.DECLARATION:
        if types:
            return _("You sign a declaration and deliver: %(types)s.") % {"types": types}
        return _("You sign a declaration.")
    if condition.method == DecisionMethod.METRIC:
        comparison = _("at least") if condition.comparison == "gte" else _("at most")
        return _(
            "The municipality computes this from the figures: %(metric)s must be %(comparison)s %(threshold)s."
        ) % {
            "metric": condition.get_metric_display().lower(),
            "comparison": comparison,
            "threshold": formatting.number(condition.threshold),
        }
    return _("The contract manager judges this.")


def _visible_procedure(request: HttpRequest, uuid) -> Procedure:
    try:
        return procedure_list(request.user).select_related("authority").get(uuid=uuid)
    except Procedure.DoesNotExist as exc:
        raise Http404(_("No such procedure.")) from exc


@portal_page
@require_GET
def procedure_detail(request: HttpRequest, uuid) -> HttpResponse:
    return _procedure_page(request, _visible_procedure(request, uuid))


def _procedure_page(
    request: HttpRequest, procedure: Procedure, status: int = 200, question_form: QuestionForm | None = None
) -> HttpResponse:
    today = clock.today()
    conditions = [
        r.condition
        for r in ConditionRequirement.objects.filter(procedure=procedure, condition__is_active=True)
        .select_related("condition")
        .prefetch_related("condition__document_types")
    ]
    application = (
        _own_applications(request).filter(procedure=procedure, status__in=LIVE_APPLICATION_STATES).first()
    )
    questions = question_list(request.user).filter(procedure=procedure).order_by("created_at", "pk")
    return render(
        request,
        "portal/procedure_detail.html",
        {
            "title": procedure.title,
            "provider": request.provider,
            "procedure": procedure,
            "route_explanation": _explain_route(procedure.route),
            "accepts": routes.accepts_applications(procedure, day=today),
            "closes_on": routes.applications_close_on(procedure),
            "term_end": routes.term_end(procedure),
            "lots": _lot_rows(procedure, procedure.tariff_year),
            "tariff_year": procedure.tariff_year,
            "conditions": [(c, condition_in_words(c)) for c in conditions],
            "documents": procedure_documents_asked(procedure),
            "rounds": list(
                ConsultationRound.objects.filter(procedure=procedure).exclude(minutes="").order_by("held_on")
            ),
            "application": application,
            # the nota van inlichtingen: question and answer only, never who asked
            "published_questions": list(
                questions.filter(status=QuestionStatus.PUBLISHED).order_by("published_at", "pk")
            ),
            # the provider's own questions that are not published yet (another provider's never)
            "own_questions": list(
                questions.filter(provider=request.provider).exclude(status=QuestionStatus.PUBLISHED)
            ),
            "accepts_questions": routes.accepts_questions(procedure, day=today),
            "questions_close_on": routes.questions_close_on(procedure),
            "question_form": question_form or QuestionForm(),
        },
        status=status,
    )


@portal_page
@require_POST
def procedure_question(request: HttpRequest, uuid) -> HttpResponse:
    """Ask a question about the procedure (nota van inlichtingen) for the provider the user acts for."""
    procedure = _visible_procedure(request, uuid)
    form = QuestionForm(request.POST)
    if form.is_valid():
        try:
            question_ask(
                procedure_uuid=procedure.uuid,
                provider_uuid=request.provider.uuid,
                actor=request.user,
                text=form.cleaned_data["text"],
            )
        except DomainError as exc:
            form.add_error("text" if exc.extra.get("field") == "text" else None, exc.detail)
        else:
            messages.success(
                request,
                _(
                    "Your question has been sent. The answer is published here for every provider, without your name."
                ),
            )
            return redirect(reverse("portal:procedure", kwargs={"uuid": procedure.uuid}) + "#questions")
    return _procedure_page(request, procedure, status=400, question_form=form)


@portal_page
@require_POST
def procedure_apply(request: HttpRequest, uuid) -> HttpResponse:
    procedure = _visible_procedure(request, uuid)
    try:
        application = application_create(
            procedure_uuid=procedure.uuid, provider_uuid=request.provider.uuid, actor=request.user
        )
    except DomainError as exc:
        messages.error(request, exc.detail)
        return redirect("portal:procedure", uuid=procedure.uuid)
    messages.success(request, _("Your application has been started. Choose the lots and save it."))
    return redirect("portal:application", uuid=application.uuid)


# --------------------------------------------------------------------------- applications


def _own_application(request: HttpRequest, uuid) -> Application:
    """The application of the provider the user acts for; another provider's (a draft too) is 404."""
    try:
        return (
            _own_applications(request)
            .select_related("procedure__authority")
            .prefetch_related(
                Prefetch("lots", queryset=Lot.objects.order_by("number")),
                Prefetch(
                    "assessments",
                    queryset=ApplicationAssessment.objects.order_by("step"),
                ),
            )
            .get(uuid=uuid)
        )
    except Application.DoesNotExist as exc:
        raise Http404(_("No such application.")) from exc


@portal_page
@require_GET
def applications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "portal/applications.html",
        {
            "title": _("My applications"),
            "provider": request.provider,
            "applications": list(
                _own_applications(request)
                .select_related("procedure__authority")
                .prefetch_related(Prefetch("lots", queryset=Lot.objects.order_by("number")))
                .order_by("-created_at")
            ),
        },
    )


@dataclass
class StepShown:
    label: str
    assessed: bool
    passed: bool
    reasoning: str  # empty when the route does not show it


def _steps(application: Application) -> list[StepShown]:
    done = {a.step: a for a in application.assessments.all()}
    steps = []
    for step in AssessmentStep:
        a = done.get(step.value)
        if a is None:
            steps.append(StepShown(str(step.label), False, False, ""))
        else:
            shown = routes.shows_reasoning(application.procedure, passed=a.passed)
            steps.append(StepShown(str(step.label), True, a.passed, a.reasoning if shown else ""))
    return steps


def _decision_reason(request: HttpRequest, application: Application) -> str:
    """The reason the officer gave with the rejection (an audit event about the provider's own
    application, which the provider may read)."""
    event = (
        audit_events_visible_to(request.user, AuditEvent.objects.filter(subject_uuid=application.uuid))
        .filter(event="application.rejected")
        .order_by("-id")
        .first()
    )
    return event.reason if event else ""


def _upload_form(document_type: DocumentType, data=None, files=None) -> ApplicationUploadForm:
    return ApplicationUploadForm(
        data,
        files,
        auto_id=f"id_t{document_type.pk}_%s",
        initial={"document_type": document_type.code},
        max_upload_mb=settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
        needs_date=bool(document_type.max_age_months),
    )


def _application_page(
    request: HttpRequest, application: Application, status: int = 200, **forms
) -> HttpResponse:
    editable = application.status == ApplicationStatus.DRAFT
    checklist = application_checklist(application)
    user = request.user
    declaration_forms = {
        item.condition.code: forms.get(f"declaration_{item.condition.code}")
        or DeclarationForm(
            auto_id=f"id_c{item.condition.pk}_%s", initial={"condition": item.condition.code}, user=user
        )
        for item in checklist.declarations
        if item.declaration is None
    }
    can_deliver = application.status in (
        ApplicationStatus.DRAFT,
        ApplicationStatus.SUBMITTED,
        ApplicationStatus.UNDER_REVIEW,
    )
    upload_forms = {
        item.asked.document_type.code: forms.get(f"upload_{item.asked.document_type.code}")
        or _upload_form(item.asked.document_type)
        for item in checklist.documents
        if can_deliver and item.state in ("missing", "to_upload")
    }
    procedure = application.procedure
    agreement = Agreement.objects.filter(application=application).first()
    return render(
        request,
        "portal/application_detail.html",
        {
            "title": _("Application for %(procedure)s") % {"procedure": procedure.title},
            "provider": request.provider,
            "application": application,
            "procedure": procedure,
            "editable": editable,
            "form": forms.get("form")
            or ApplicationForm(
                procedure=procedure,
                initial={"lots": list(application.lots.all()), "motivation": application.motivation},
            ),
            "checklist": checklist,
            "declarations": [
                (item, declaration_forms.get(item.condition.code)) for item in checklist.declarations
            ],
            "documents": [
                (item, upload_forms.get(item.asked.document_type.code)) for item in checklist.documents
            ],
            "accepts": routes.accepts_applications(procedure, day=clock.today()),
            "withdraw_form": forms.get("withdraw_form") or ReasonForm(auto_id="id_withdraw_%s"),
            "can_withdraw": application.status
            in (ApplicationStatus.DRAFT, ApplicationStatus.SUBMITTED, ApplicationStatus.UNDER_REVIEW),
            "steps": _steps(application),
            "assessed": application.status
            in (ApplicationStatus.UNDER_REVIEW, ApplicationStatus.ADMITTED, ApplicationStatus.REJECTED),
            "decision_reason": _decision_reason(request, application)
            if application.status == ApplicationStatus.REJECTED
            else "",
            "agreement": agreement if agreement and agreement.status != AgreementStatus.DRAFT else None,
        },
        status=status,
    )


@portal_page
@require_http_methods(["GET", "POST"])
def application_detail(request: HttpRequest, uuid) -> HttpResponse:
    """The application; while a draft, its lots and motivation are saved here."""
    application = _own_application(request, uuid)
    if request.method == "GET":
        return _application_page(request, application)
    form = ApplicationForm(request.POST, procedure=application.procedure)
    if form.is_valid():
        try:
            application_update(
                uuid=application.uuid,
                actor=request.user,
                lot_uuids=[lot.uuid for lot in form.cleaned_data["lots"]],
                motivation=form.cleaned_data["motivation"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Your draft has been saved."))
            return redirect("portal:application", uuid=application.uuid)
    return _application_page(request, application, status=400, form=form)


@portal_page
@require_POST
def application_declaration(request: HttpRequest, uuid) -> HttpResponse:
    application = _own_application(request, uuid)
    code = request.POST.get("condition", "")
    condition = Condition.objects.filter(code=code).first()
    if condition is None:
        raise Http404(_("No such condition."))
    form = DeclarationForm(request.POST, auto_id=f"id_c{condition.pk}_%s")
    if form.is_valid():
        try:
            declaration_sign(
                provider=application.provider,
                condition=condition,
                actor=request.user,
                signed_by_name=form.cleaned_data["signed_by_name"],
                signed_by_role=form.cleaned_data["signed_by_role"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(
                request, _("The declaration '%(title)s' has been signed.") % {"title": condition.title}
            )
            return redirect(
                reverse("portal:application", kwargs={"uuid": application.uuid}) + "#declarations"
            )
    return _application_page(request, application, status=400, **{f"declaration_{code}": form})


@csrf_exempt  # the CSRF check runs in _application_upload, once the upload limit is in place
@portal_page
@require_POST
def application_document(request: HttpRequest, uuid) -> HttpResponse:
    """Upload a document the procedure asks, in the application's own flow (capped while it streams in,
    as on the document page)."""
    application = _own_application(request, uuid)
    limit_uploads(request, settings.DOCUMENT_MAX_UPLOAD_BYTES)
    try:
        return _application_upload(request, application)
    except UploadTooLarge as exc:  # nothing was stored; the rest of the body was not read
        messages.error(request, exc.detail)
        return _application_page(request, application, status=413)


@csrf_protect
def _application_upload(request: HttpRequest, application: Application) -> HttpResponse:
    code = request.POST.get("document_type", "")
    asked = {a.document_type.code: a.document_type for a in procedure_documents_asked(application.procedure)}
    document_type = asked.get(code)
    if document_type is None:
        raise Http404(_("The procedure does not ask for this document."))
    form = _upload_form(document_type, request.POST, request.FILES)
    if form.is_valid():
        # the document is requested in the upload's transaction: a refused upload leaves no request behind
        version = upload_from_form(
            form,
            request,
            lambda: document_request_for_application(
                application_uuid=application.uuid, document_type_code=code, actor=request.user
            ),
        )
        if version is not None:
            messages.success(
                request,
                _("%(file)s has been received and submitted for review.") % {"file": version.filename},
            )
            return redirect(reverse("portal:application", kwargs={"uuid": application.uuid}) + "#documents")
    return _application_page(request, application, status=400, **{f"upload_{code}": form})


@portal_page
@require_POST
def application_submit_view(request: HttpRequest, uuid) -> HttpResponse:
    application = _own_application(request, uuid)
    try:
        application_submit(uuid=application.uuid, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, _("Your application has been submitted."))
    return redirect("portal:application", uuid=application.uuid)


@portal_page
@require_POST
def application_withdraw_view(request: HttpRequest, uuid) -> HttpResponse:
    application = _own_application(request, uuid)
    form = ReasonForm(request.POST, auto_id="id_withdraw_%s")
    if form.is_valid():
        try:
            application_withdraw(
                uuid=application.uuid, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("Your application has been withdrawn."))
            return redirect("portal:application", uuid=application.uuid)
    return _application_page(request, application, status=400, withdraw_form=form)


# --------------------------------------------------------------------------- agreements and offers


def _own_agreement(request: HttpRequest, uuid) -> Agreement:
    """An agreement of the provider the user acts for (or of its coalitions); others are 404."""
    member_of = Membership.objects.filter(provider=request.provider).values("coalition_id")
    try:
        return (
            agreement_list(request.user)
            .filter(Q(provider=request.provider) | Q(coalition_id__in=member_of))
            .prefetch_related("sub_agreements__lot__products__unit")
            .get(uuid=uuid)
        )
    except Agreement.DoesNotExist as exc:
        raise Http404(_("No such agreement.")) from exc


@dataclass
class TariffRow:
    lot: Lot
    product: Any
    amounts: list[Tariff | None]  # one per year of the term


def _tariff_rows(agreement: Agreement, years: list[int]) -> list[TariffRow]:
    subs = list(agreement.sub_agreements.all())
    product_ids = {p.pk for s in subs for p in s.lot.products.all()}
    tariffs = {
        (t.product_id, t.year): t
        for t in Tariff.objects.filter(
            authority=agreement.authority_id, product__in=product_ids, year__in=years
        )
    }
    return [
        TariffRow(s.lot, p, [tariffs.get((p.pk, y)) for y in years])
        for s in sorted(subs, key=lambda s: s.lot.number)
        for p in sorted(s.lot.products.all(), key=lambda p: p.code)
    ]


@dataclass
class CeilingRow:
    year: int
    total: Any
    municipalities: list[BudgetCeiling]


def _ceilings(agreement: Agreement) -> list[CeilingRow]:
    rows: dict[int, CeilingRow] = {}
    for ceiling in (
        BudgetCeiling.objects.filter(agreement=agreement)
        .select_related("municipality")
        .order_by("year", "municipality__name")
    ):
        row = rows.setdefault(ceiling.year, CeilingRow(ceiling.year, None, []))
        if ceiling.municipality_id is None:
            row.total = ceiling.amount
        else:
            row.municipalities.append(ceiling)
    for row in rows.values():
        if row.total is None:
            row.total = sum((c.amount for c in row.municipalities), start=0)
    return list(rows.values())


def _agreement_page(request: HttpRequest, agreement: Agreement, status: int = 200, **forms) -> HttpResponse:
    years = list(range(agreement.start_date.year, agreement.end_date.year + 1))
    may_answer = (
        agreement.status == AgreementStatus.OFFERED
        and agreement.accepted_at is None
        and agreement.provider_id == request.provider.pk
    )
    return render(
        request,
        "portal/agreement_detail.html",
        {
            "title": _("Agreement %(reference)s") % {"reference": agreement.reference},
            "provider": request.provider,
            "agreement": agreement,
            "years": years,
            "tariffs": _tariff_rows(agreement, years),
            "ceilings": _ceilings(agreement),
            "kpis": list(agreement.kpis.all()),
            "reviews": list(agreement.review_moments.order_by("planned_on")),
            "may_answer": may_answer,
            "accept_form": forms.get("accept_form")
            or SignatureForm(auto_id="id_accept_%s", user=request.user),
            "decline_form": forms.get("decline_form") or ReasonForm(auto_id="id_decline_%s"),
            "start_in_past": agreement.start_date < clock.today(),
        },
        status=status,
    )


@portal_page
@require_GET
def agreement_detail(request: HttpRequest, uuid) -> HttpResponse:
    return _agreement_page(request, _own_agreement(request, uuid))


@portal_page
@require_POST
def agreement_accept_view(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _own_agreement(request, uuid)
    form = SignatureForm(request.POST, auto_id="id_accept_%s")
    if form.is_valid():
        try:
            agreement_accept(
                uuid=agreement.uuid,
                actor=request.user,
                signed_by_name=form.cleaned_data["signed_by_name"],
                signed_by_role=form.cleaned_data["signed_by_role"],
            )
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(
                request,
                _("You have accepted and signed the offer. The municipality activates the agreement."),
            )
            return redirect("portal:agreement", uuid=agreement.uuid)
    return _agreement_page(request, agreement, status=400, accept_form=form)


@portal_page
@require_POST
def agreement_decline_view(request: HttpRequest, uuid) -> HttpResponse:
    agreement = _own_agreement(request, uuid)
    form = ReasonForm(request.POST, auto_id="id_decline_%s")
    if form.is_valid():
        try:
            agreement_decline(uuid=agreement.uuid, actor=request.user, reason=form.cleaned_data["reason"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, _("You have declined the offer."))
            return redirect("portal:agreement", uuid=agreement.uuid)
    return _agreement_page(request, agreement, status=400, decline_form=form)

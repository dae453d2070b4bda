"""The provider portal: server-rendered pages for provider users (plain HTML forms, no JavaScript
needed). Every page shows the data of one provider, the one the user acts for; a user linked to several
providers chooses it first. Reads go through the selectors, writes through the services."""

from collections.abc import Callable
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_http_methods

from accounts.models import ApiToken
from accounts.services import api_token_create, api_token_revoke
from coalitions.models import Membership
from compliance.conditions.selectors import provider_missing
from compliance.documents.selectors import document_list_with_versions
from compliance.documents.services import document_upload
from compliance.documents.validation import UploadRefused
from compliance.models import AccountabilityDocument, DocumentStatus, DocumentVersion
from compliance.models.documents import OWED_STATES
from contracting.models import AgreementStatus, Provider
from contracting.roles import can_read_everything
from contracting.selectors import agreement_list
from core import clock
from core.exceptions import DomainError
from core.uploads import UploadTooLarge, limit_uploads
from portal.forms import ApiTokenForm, ProviderChoiceForm, UploadForm

SESSION_KEY = "portal_provider"


class LoginView(auth_views.LoginView):
    template_name = "portal/login.html"
    redirect_authenticated_user = True
    next_page = "portal:dashboard"
    extra_context = {"title": gettext_lazy("Log in")}


class LogoutView(auth_views.LogoutView):
    next_page = "portal:login"


def _providers(user) -> list[Provider]:
    return list(Provider.objects.filter(users=user).order_by("name"))


def portal_page(view: Callable) -> Callable:
    """Logged in as a provider user, acting for one provider (``request.provider``). Officers and
    auditors are sent to the admin, which is where they work."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        user = request.user
        if not user.is_authenticated:
            return redirect_to_login(request.get_full_path(), reverse("portal:login"))
        if can_read_everything(user):
            messages.info(
                request,
                _("The portal is for care providers. Officers and auditors work in the administration."),
            )
            return redirect("admin:index")
        providers = _providers(user)
        if not providers:
            return render(request, "portal/no_provider.html", {"title": _("No organisation")}, status=403)
        chosen = request.session.get(SESSION_KEY)
        provider = next((p for p in providers if str(p.uuid) == chosen), None)
        if provider is None:
            if len(providers) > 1:
                return redirect(f"{reverse('portal:choose_provider')}?next={request.get_full_path()}")
            provider = providers[0]
        request.provider = provider
        request.portal_providers = providers
        return view(request, *args, **kwargs)

    return wrapper


@require_http_methods(["GET", "POST"])
def choose_provider(request: HttpRequest) -> HttpResponse:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path(), reverse("portal:login"))
    if can_read_everything(request.user):
        return redirect("admin:index")
    providers = _providers(request.user)
    form = ProviderChoiceForm(
        request.POST or None, providers=providers, initial={"provider": request.session.get(SESSION_KEY)}
    )
    if request.method == "POST" and form.is_valid():
        request.session[SESSION_KEY] = form.cleaned_data["provider"]
        target = request.POST.get("next") or ""
        if not target.startswith("/portal/") or target.startswith("//"):
            target = reverse("portal:dashboard")
        return HttpResponseRedirect(target)
    return render(
        request,
        "portal/choose_provider.html",
        {"title": _("Choose your organisation"), "form": form, "next": request.GET.get("next", "")},
    )


def _documents(request: HttpRequest):
    return document_list_with_versions(request.user).filter(provider=request.provider)


@portal_page
def dashboard(request: HttpRequest) -> HttpResponse:
    open_states = [*OWED_STATES, DocumentStatus.SUBMITTED, DocumentStatus.IN_REVIEW]
    documents = list(_documents(request).filter(status__in=open_states).order_by("due_date", "pk"))
    overdue = [d for d in documents if d.is_overdue()]
    rejected = [d for d in documents if d.status == DocumentStatus.REJECTED]  # overdue or not
    due = [d for d in documents if d.status == DocumentStatus.REQUESTED and not d.is_overdue()]
    in_review = [d for d in documents if d.status in (DocumentStatus.SUBMITTED, DocumentStatus.IN_REVIEW)]
    agreements = _agreements(request)
    memberships = list(
        Membership.objects.filter(provider=request.provider)
        .select_related("coalition__authority")
        .order_by("coalition__name")
    )
    return render(
        request,
        "portal/dashboard.html",
        {
            "title": _("Overview"),
            "provider": request.provider,
            "overdue": overdue,
            "rejected": rejected,
            "due": due,
            "in_review": in_review,
            "missing": provider_missing(request.provider),
            "agreements": agreements,
            "offers": [
                a
                for a in agreements
                if a.status == AgreementStatus.OFFERED
                and a.accepted_at is None
                and a.provider_id == request.provider.pk
            ],
            "memberships": memberships,
        },
    )


def _agreements(request: HttpRequest) -> list:
    member_of = Membership.objects.filter(provider=request.provider).values("coalition_id")
    return list(
        agreement_list(request.user)
        .filter(Q(provider=request.provider) | Q(coalition_id__in=member_of))
        .order_by("reference")
    )


@portal_page
def documents(request: HttpRequest) -> HttpResponse:
    rows = list(_documents(request).order_by("due_date", "document_type__name", "pk"))
    to_deliver = [d for d in rows if d.status in OWED_STATES]
    waiting = [d for d in rows if d.status in (DocumentStatus.SUBMITTED, DocumentStatus.IN_REVIEW)]
    decided = [d for d in rows if d.status in (DocumentStatus.ACCEPTED, DocumentStatus.EXPIRED)]
    return render(
        request,
        "portal/documents.html",
        {
            "title": _("Documents"),
            "provider": request.provider,
            "to_deliver": [(d, _upload_form(d)) for d in to_deliver],
            "waiting": waiting,
            "decided": decided,
        },
    )


def _upload_form(document: AccountabilityDocument) -> UploadForm:
    """An empty form; ids are unique per document, so several forms can share a page."""
    return UploadForm(
        auto_id=f"id_d{document.pk}_%s",
        max_upload_mb=settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
        needs_date=bool(document.document_type.max_age_months),
    )


@csrf_exempt  # the CSRF check runs in _document_upload, once the upload limit is in place
@portal_page
@require_http_methods(["GET", "POST"])
def document_detail(request: HttpRequest, uuid) -> HttpResponse:
    """A document, its versions and, while the provider owes it, the upload form. An upload is capped
    while it streams in (core.uploads); the cap must be in place before anything reads the body, the
    CSRF check included, which is why that check runs in _document_upload."""
    try:
        document = _documents(request).get(uuid=uuid)
    except AccountabilityDocument.DoesNotExist as exc:
        raise Http404(_("No such document.")) from exc
    can_upload = document.status in (*OWED_STATES, DocumentStatus.SUBMITTED)
    form = _upload_form(document) if can_upload else None
    if request.method == "POST":
        if form is None:
            raise PermissionDenied
        limit_uploads(request, settings.DOCUMENT_MAX_UPLOAD_BYTES)
        try:
            return _document_upload(request, document)
        except UploadTooLarge as exc:  # nothing was stored; the rest of the body was not read
            form.cleaned_data = {}  # add_error() needs it; the form was not filled in from the request
            form.add_error("file", exc.detail)
            return _document_page(request, document, form, status=413)
    return _document_page(request, document, form)


def upload_from_form(
    form: UploadForm, request: HttpRequest, document_for: Callable[[], AccountabilityDocument]
) -> DocumentVersion | None:
    """Store the valid upload form's file as the next version of the document ``document_for()`` gives
    (in the same transaction, so a refused upload leaves nothing behind); a refusal becomes the form's
    error at the field it concerns, and None is returned."""
    upload = form.cleaned_data["file"]
    try:
        with transaction.atomic():
            return document_upload(
                uuid=document_for().uuid,
                actor=request.user,
                file=upload,
                filename=upload.name,
                size=upload.size,
                issued_on=form.cleaned_data["issued_on"],
            )
    except UploadRefused as exc:
        form.add_error("issued_on" if exc.field == "issuedOn" else "file", exc.detail)
    except DomainError as exc:
        form.add_error(None, exc.detail)
    return None


@csrf_protect
def _document_upload(request: HttpRequest, document: AccountabilityDocument) -> HttpResponse:
    form = UploadForm(
        request.POST,
        request.FILES,
        max_upload_mb=settings.DOCUMENT_MAX_UPLOAD_BYTES // (1024 * 1024),
        needs_date=bool(document.document_type.max_age_months),
    )
    if form.is_valid():
        version = upload_from_form(form, request, lambda: document)
        if version is not None:
            messages.success(
                request,
                _("%(file)s has been received (version %(number)s) and submitted for review.")
                % {"file": version.filename, "number": version.number},
            )
            return redirect("portal:document", uuid=document.uuid)
    return _document_page(request, document, form, status=400)


def _document_page(
    request: HttpRequest, document: AccountabilityDocument, form: UploadForm | None, status: int = 200
) -> HttpResponse:
    return render(
        request,
        "portal/document_detail.html",
        {
            "title": str(document.document_type),
            "provider": request.provider,
            "document": document,
            "form": form,
        },
        status=status,
    )


# --------------------------------------------------------------------------- API keys


@portal_page
@require_http_methods(["GET", "POST"])
def api_keys(request: HttpRequest) -> HttpResponse:
    """The user's API tokens for their own systems: made here (the token is shown once, on the answer to
    the form, and never stored), listed with their last use, and revoked. A token acts as this user, so
    it sees the data of every organisation the user works for, as the API does for the user."""
    form = ApiTokenForm(max_days=settings.API_TOKEN_MAX_DAYS)
    shown_once = None
    if request.method == "POST" and "revoke" in request.POST:
        token = ApiToken.objects.filter(user=request.user, uuid=request.POST["revoke"]).first()
        if token is None:
            raise Http404(_("No such API key."))
        api_token_revoke(actor=request.user, uuid=token.uuid)
        messages.success(request, _("The API key '%(name)s' is revoked.") % {"name": token.name})
        return redirect("portal:api_keys")
    if request.method == "POST":
        form = ApiTokenForm(request.POST, max_days=settings.API_TOKEN_MAX_DAYS)
        if form.is_valid():
            try:
                api_token, token = api_token_create(
                    actor=request.user,
                    name=form.cleaned_data["name"],
                    scopes=form.cleaned_data["scopes"],
                    expires_on=form.cleaned_data["expires_on"],
                )
            except DomainError as exc:
                form.add_error(None, exc.detail)
            else:
                shown_once = (api_token, token)
                form = ApiTokenForm(max_days=settings.API_TOKEN_MAX_DAYS)
    tokens = ApiToken.objects.filter(user=request.user).order_by("revoked_at", "-created_at")
    response = render(
        request,
        "portal/api_keys.html",
        {
            "title": _("API keys"),
            "provider": request.provider,
            "form": form,
            "shown_once": shown_once,
            "tokens": tokens,
            "now": clock.now(),
            "api_url": request.build_absolute_uri("/api/v1/"),
        },
    )
    response["Cache-Control"] = "no-store"  # the page may carry a token that is shown only once
    return response

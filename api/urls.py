"""/api/v1/: the resources (no trailing slashes, addressed by uuid), the OpenAPI schema and its docs."""

from django.urls import path
from drf_spectacular.views import SpectacularJSONAPIView
from rest_framework.routers import SimpleRouter

from api import views
from audit.api.views import AuditEventViewSet
from coalitions.api.views import CoalitionViewSet, MembershipViewSet
from compliance.audience import audit_trail_visible_to
from compliance.documents.api import DocumentViewSet
from compliance.fraud.api import FraudSignalViewSet, ImportBatchViewSet
from compliance.reports.api import ExportViewSet, ProviderDossierView
from contracting.api.views import (
    AgreementViewSet,
    ApplicationViewSet,
    AuthorityViewSet,
    ProcedureViewSet,
    ProductViewSet,
    ProviderViewSet,
    QuestionViewSet,
)

app_name = "api"

router = SimpleRouter(trailing_slash=False)
router.register("authorities", AuthorityViewSet, basename="authority")
router.register("providers", ProviderViewSet, basename="provider")
router.register("products", ProductViewSet, basename="product")
router.register("procedures", ProcedureViewSet, basename="procedure")
router.register("applications", ApplicationViewSet, basename="application")
router.register("agreements", AgreementViewSet, basename="agreement")
router.register("questions", QuestionViewSet, basename="question")
router.register("coalitions", CoalitionViewSet, basename="coalition")
router.register("memberships", MembershipViewSet, basename="membership")
router.register("documents", DocumentViewSet, basename="document")
router.register("exports", ExportViewSet, basename="export")
router.register(
    "audit-events", AuditEventViewSet.visible_through(audit_trail_visible_to), basename="auditevent"
)
router.register("signals", FraudSignalViewSet, basename="fraudsignal")
router.register("declarations/imports", ImportBatchViewSet, basename="importbatch")

urlpatterns = [
    path("openapi.json", SpectacularJSONAPIView.as_view(), name="schema"),
    path("docs", views.docs, name="docs"),
    path("providers/<uuid:uuid>/dossier", ProviderDossierView.as_view(), name="provider-dossier"),
    *router.urls,
]

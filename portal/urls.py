from django.urls import path

from portal import applying, views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("organisation/", views.choose_provider, name="choose_provider"),
    path("documents/", views.documents, name="documents"),
    path("documents/<uuid:uuid>/", views.document_detail, name="document"),
    path("api-keys/", views.api_keys, name="api_keys"),
    path("procedures/", applying.procedures, name="procedures"),
    path("procedures/<uuid:uuid>/", applying.procedure_detail, name="procedure"),
    path("procedures/<uuid:uuid>/apply/", applying.procedure_apply, name="procedure_apply"),
    path("procedures/<uuid:uuid>/questions/", applying.procedure_question, name="procedure_question"),
    path("applications/", applying.applications, name="applications"),
    path("applications/<uuid:uuid>/", applying.application_detail, name="application"),
    path(
        "applications/<uuid:uuid>/declarations/",
        applying.application_declaration,
        name="application_declaration",
    ),
    path("applications/<uuid:uuid>/documents/", applying.application_document, name="application_document"),
    path("applications/<uuid:uuid>/submit/", applying.application_submit_view, name="application_submit"),
    path(
        "applications/<uuid:uuid>/withdraw/", applying.application_withdraw_view, name="application_withdraw"
    ),
    path("agreements/<uuid:uuid>/", applying.agreement_detail, name="agreement"),
    path("agreements/<uuid:uuid>/accept/", applying.agreement_accept_view, name="agreement_accept"),
    path("agreements/<uuid:uuid>/decline/", applying.agreement_decline_view, name="agreement_decline"),
]

from maykin_2fa import monkeypatch_admin
from maykin_2fa.urls import urlpatterns as second_factor_urlpatterns
from maykin_2fa.urls import webauthn_urlpatterns

from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from accounts.views import AdminLogoutView
from core.health import health

# The admin asks officers, auditors and administrators for a second factor (maykin-2fa); its login,
# second-factor setup and recovery views come before the admin's own URLs.
monkeypatch_admin()

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("health", health, name="health"),
    path("admin/logout/", AdminLogoutView.as_view()),
    path("admin/", include((second_factor_urlpatterns, "maykin_2fa"))),
    # The officer's start page replaces the admin's app list (still at admin/apps/); the workspace pages
    path("admin/", include("workspace.urls")),
    path("admin/", include((webauthn_urlpatterns, "two_factor"))),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("portal/", include("portal.urls")),
    path("documents/", include("compliance.documents.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Unknown URLs and crashes under /api/ answer application/problem+json; elsewhere Django's own pages.
handler404 = "api.views.page_not_found"
handler500 = "api.views.server_error"

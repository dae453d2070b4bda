from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index", permanent=False)),
    path("admin/", admin.site.urls),
    path("api/v1/", include("api.urls")),
    path("portal/", include("portal.urls")),
    path("documents/", include("compliance.documents.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
]

# Unknown URLs and crashes under /api/ answer application/problem+json; elsewhere Django's own pages.
handler404 = "api.views.page_not_found"
handler500 = "api.views.server_error"

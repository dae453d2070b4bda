from django.urls import path

from portal import views

app_name = "portal"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("organisation/", views.choose_provider, name="choose_provider"),
    path("documents/", views.documents, name="documents"),
    path("documents/<uuid:uuid>/", views.document_detail, name="document"),
    path("api-keys/", views.api_keys, name="api_keys"),
]

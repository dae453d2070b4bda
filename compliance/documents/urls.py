from django.urls import path

from compliance.documents import views

app_name = "documents"

urlpatterns = [
    path("<uuid:uuid>/versions/<int:number>/file", views.download, name="download"),
]

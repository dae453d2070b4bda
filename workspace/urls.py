from django.contrib import admin
from django.urls import path

from workspace import views

app_name = "workspace"

urlpatterns = [
    path("", admin.site.admin_view(views.start_page), name="start"),
    path("apps/", admin.site.admin_view(admin.site.index), name="apps"),
    path("workspace/providers/<uuid:uuid>/", admin.site.admin_view(views.provider_page), name="provider"),
    path("workspace/coalitions/<uuid:uuid>/", admin.site.admin_view(views.coalition_page), name="coalition"),
    path("workspace/calendar/", admin.site.admin_view(views.calendar_page), name="calendar"),
    path("workspace/calendar/feed/", admin.site.admin_view(views.calendar_feed_manage), name="calendar-feed"),
    path("workspace/calendar/<str:token>.ics", views.calendar_feed, name="calendar-ics"),
]

from django.contrib.auth import views as auth_views
from django.urls import reverse_lazy


class AdminLogoutView(auth_views.LogoutView):
    """The admin's logout (POST), also for a staff user who has not shown a second factor yet: the
    admin site's own logout view needs a verified user and would send them back to the login page."""

    next_page = reverse_lazy("admin:login")

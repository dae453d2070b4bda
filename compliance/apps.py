from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance and audit")

    def ready(self) -> None:
        from . import auth_events  # noqa: F401  (connects the login, logout and failed-login receivers)

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ComplianceConfig(AppConfig):
    name = "compliance"
    verbose_name = _("Compliance and audit")

    def ready(self) -> None:
        # the login, logout and failed-login receivers, and the copy of admin edits into the audit trail
        from . import admin_audit, auth_events  # noqa: F401

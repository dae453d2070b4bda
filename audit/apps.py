from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditConfig(AppConfig):
    """The hash-chained audit trail. A leaf: it imports nothing of ours but the clock."""

    name = "audit"
    verbose_name = _("Audit trail")

    def ready(self) -> None:
        # the login, logout and failed-login receivers, and the copy of admin edits into the audit trail
        from . import receivers  # noqa: F401

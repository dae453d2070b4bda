from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class ContractingConfig(AppConfig):
    name = "contracting"
    verbose_name = _("Contracting")

    def ready(self) -> None:
        from contracting.roles_setup import sync_roles

        post_migrate.connect(sync_roles, dispatch_uid="contracting.sync_roles")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DevtoolsConfig(AppConfig):
    """Tools for developers and demos: the demo seed, the state-machine docs generator and the
    generator of synthetic production data. May import everything; nothing imports it."""

    name = "devtools"
    verbose_name = _("Developer tools")

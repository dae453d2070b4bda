"""System checks for the login settings: production refuses a login without a second factor."""

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, Tags, register


@register(Tags.security)
def second_factor_bypass_only_with_debug(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    if settings.ALLOW_LOGIN_WITHOUT_SECOND_FACTOR and not settings.DEBUG:
        return [
            Error(
                "ALLOW_LOGIN_WITHOUT_SECOND_FACTOR is on while DEBUG is off.",
                hint="Logins without a second factor are for the local demo only: unset "
                "ALLOW_LOGIN_WITHOUT_SECOND_FACTOR in this environment.",
                id="accounts.E001",
            )
        ]
    return []

"""Tokens for machines: the systems of providers and of municipalities call the API with
``Authorization: Bearer <token>``. A token acts as the user it belongs to, so everything that user may
see and do (and nothing more: a provider user's token sees only that user's providers) applies
unchanged; its scopes can only narrow that down."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core import clock
from core.models import BaseModel

TOKEN_PREFIX = "zk_"  # recognisable in logs and by secret scanners; the rest is 256 random bits


class Scope(models.TextChoices):
    READ = "read", _("Read")
    WRITE = "write", _("Write (uploads, imports and steps the user may take)")


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def live(self) -> "ApiTokenQuerySet":
        """Neither revoked nor expired (now)."""
        return self.filter(revoked_at__isnull=True, expires_at__gt=clock.now())


class ApiToken(BaseModel):
    """One machine credential. Only the SHA-256 of the token is stored: the token itself is shown once,
    when it is made. A revoked or expired token answers 401 like a token that never existed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("acts as"),
        on_delete=models.PROTECT,
        related_name="api_tokens",
        help_text=_("The token can read and do what this user may, and nothing more."),
    )
    name = models.CharField(
        _("name"), max_length=100, help_text=_("Which system uses the token, e.g. 'Declaration system'.")
    )
    token_sha256 = models.CharField(_("token (SHA-256)"), max_length=64, unique=True, editable=False)
    prefix = models.CharField(
        _("starts with"),
        max_length=12,
        editable=False,
        help_text=_("The first characters of the token, to recognise it."),
    )
    scopes = models.CharField(
        _("scopes"),
        max_length=50,
        help_text=_("Space-separated: read, write. Write includes read."),
    )
    expires_at = models.DateTimeField(_("expires at"))
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        editable=False,
    )

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(name="api_token_has_a_scope", condition=~Q(scopes="")),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def scope_list(self) -> list[str]:
        return self.scopes.split()

    def allows(self, scope: str) -> bool:
        """Write includes read."""
        return scope in self.scope_list or (scope == Scope.READ and Scope.WRITE in self.scope_list)

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > clock.now()

    def get_scopes_display(self) -> str:
        labels = dict(Scope.choices)
        return ", ".join(str(labels.get(s, s)) for s in self.scope_list)

"""Writes of machine credentials: an API token is made and revoked here, each with its audit event.

Who may: a provider user makes and revokes tokens for themselves (the portal); an administrator (holding
``accounts.add_apitoken`` / ``accounts.change_apitoken``) for any active user, e.g. the account of a
municipal system (the admin). Officers and auditors ask the administrator: an auditor changes nothing.
"""

import datetime
import secrets
from collections.abc import Iterable
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import TOKEN_PREFIX, ApiToken, Scope, token_digest
from audit.services import audit_record
from contracting.roles import can_read_everything, provider_ids_for
from core import clock
from core.actors import Actor, acting_user
from core.exceptions import InvalidInput, TransitionForbidden

ADD_PERMISSION = "accounts.add_apitoken"
CHANGE_PERMISSION = "accounts.change_apitoken"
# A live token is recorded as used at most once per this many seconds: no write on every request.
LAST_USED_RESOLUTION = datetime.timedelta(seconds=60)


def may_make_own_tokens(user) -> bool:
    """Provider users make their own tokens in the portal."""
    return bool(
        user.is_authenticated and user.is_active and not can_read_everything(user) and provider_ids_for(user)
    )


def _scopes(scopes: Iterable[str]) -> str:
    chosen = [s for s in Scope.values if s in set(scopes)]
    unknown = set(scopes) - set(Scope.values)
    if unknown or not chosen:
        raise InvalidInput(_("Choose the scopes read and/or write."), field="scopes")
    return " ".join(chosen)


def api_token_create(
    *,
    actor: Actor,
    name: str,
    scopes: Iterable[str],
    expires_on: datetime.date,
    user=None,
) -> tuple[ApiToken, str]:
    """A new token for ``user`` (the actor when omitted). Returns the token row and the token itself,
    which is shown once: only its SHA-256 is stored."""
    creator = acting_user(actor)
    user = user or creator
    own = user.pk == creator.pk and may_make_own_tokens(creator)
    if not (own or creator.has_perm(ADD_PERMISSION)):
        raise TransitionForbidden(_("You may not make an API token for this user."))
    if not user.is_active:
        raise InvalidInput(_("The user of a token must be active."), field="user")
    name = name.strip()
    if not name:
        raise InvalidInput(_("Give the token a name."), field="name")
    today = clock.today()
    latest = today + datetime.timedelta(days=settings.API_TOKEN_MAX_DAYS)
    if not today < expires_on <= latest:
        raise InvalidInput(
            _("A token expires after today and at most %(days)s days from now.")
            % {"days": settings.API_TOKEN_MAX_DAYS},
            field="expiresOn",
        )
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        api_token = ApiToken.objects.create(
            user=user,
            name=name,
            token_sha256=token_digest(token),
            prefix=token[:10],
            scopes=_scopes(scopes),
            expires_at=clock.end_of_day(expires_on),
            created_by=creator,
        )
        audit_record(
            actor=actor,
            event="apitoken.created",
            subject=api_token,
            data={
                "name": api_token.name,
                "user": user.get_username(),
                "scopes": api_token.scopes,
                "expires_at": api_token.expires_at.isoformat(),
            },
        )
    return api_token, token


def api_token_revoke(*, actor: Actor, uuid: UUID) -> ApiToken:
    """Revoke a token: it answers 401 from now on. Revoking a revoked token changes nothing."""
    user = acting_user(actor)
    with transaction.atomic():
        api_token = ApiToken.objects.select_for_update().get(uuid=uuid)
        if api_token.user_id != user.pk and not user.has_perm(CHANGE_PERMISSION):
            raise TransitionForbidden(_("You may not revoke this API token."))
        if api_token.revoked_at is not None:
            return api_token
        api_token.revoked_at = clock.now()
        api_token.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            event="apitoken.revoked",
            subject=api_token,
            data={"name": api_token.name, "user": api_token.user.get_username()},
        )
    return api_token


def api_token_authenticate(token: str) -> ApiToken | None:
    """The live token with this value and an active user, or None. Records the use (``last_used_at``)
    at most once a minute, so that a busy client does not write on every request; a failed attempt
    writes nothing."""
    if not token.startswith(TOKEN_PREFIX) or len(token) > 100:
        return None
    api_token = (
        ApiToken.objects.live()
        .select_related("user")
        .filter(token_sha256=token_digest(token), user__is_active=True)
        .first()
    )
    if api_token is None:
        return None
    now = clock.now()
    if api_token.last_used_at is None or now - api_token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
        api_token.last_used_at = now
    return api_token

"""Rate limits of the API (429 ``throttled`` with ``Retry-After``), per API token, per logged-in user and
per client address of anonymous callers. The rates are settings (``API_THROTTLE_RATES``, from the
environment), read on each request; the counts live in the cache (``CACHE_URL``: a shared cache, such as
Redis, makes them count across processes)."""

from django.conf import settings
from rest_framework.throttling import SimpleRateThrottle

from accounts.models import ApiToken


class ApiRateThrottle(SimpleRateThrottle):
    def allow_request(self, request, view) -> bool:
        if isinstance(request.auth, ApiToken):
            self.scope, ident = "token", f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            self.scope, ident = "user", f"user-{request.user.pk}"
        else:
            self.scope, ident = "anon", f"anon-{self.get_ident(request)}"
        self.rate = settings.API_THROTTLE_RATES[self.scope]
        self.num_requests, self.duration = self.parse_rate(self.rate)
        self.key = self.cache_format % {"scope": self.scope, "ident": ident}
        return self._allow()

    def _allow(self) -> bool:
        if self.rate is None:
            return True
        self.history = self.cache.get(self.key, [])
        self.now = self.timer()
        while self.history and self.history[-1] <= self.now - self.duration:
            self.history.pop()
        if len(self.history) >= self.num_requests:
            return self.throttle_failure()
        return self.throttle_success()

    def get_rate(self) -> str | None:  # the rate is chosen per request in allow_request
        return None

    def get_cache_key(self, request, view) -> str | None:
        return self.key

"""The API client the tests use: it changes an existing object the way a careful client does."""

import re

from rest_framework.test import APIClient

# A change of an existing object: a transition, an assessment, a new document version, or PATCH/PUT.
CHANGE = re.compile(
    r"^(?P<detail>/api/v1/[\w/-]+?/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})"
    r"(?:/transitions/[^/?]+|/assessments|/versions)?/?(?:\?.*)?$"
)


class VersionedClient(APIClient):
    """Before a change of an existing object, reads the object (``GET`` of its detail) and sends the
    ``ETag`` it got as ``If-Match``, as a client following the API's rules does. A test that sets
    ``HTTP_IF_MATCH`` itself sends that; ``HTTP_IF_MATCH=None`` sends no ``If-Match`` at all."""

    def _with_version(self, path: str, extra: dict) -> dict:
        if "HTTP_IF_MATCH" in extra:
            if extra["HTTP_IF_MATCH"] is None:
                extra = {k: v for k, v in extra.items() if k != "HTTP_IF_MATCH"}
            return extra
        match = CHANGE.match(path)
        if match is None:
            return extra
        etag = self.get(match["detail"]).get("ETag")
        return {**extra, "HTTP_IF_MATCH": etag} if etag else extra

    def post(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        return super().post(path, data, format, content_type, follow, **self._with_version(path, extra))

    def patch(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        return super().patch(path, data, format, content_type, follow, **self._with_version(path, extra))

    def put(self, path, data=None, format=None, content_type=None, follow=False, **extra):
        return super().put(path, data, format, content_type, follow, **self._with_version(path, extra))

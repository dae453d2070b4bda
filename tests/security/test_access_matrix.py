"""Every URL pattern, walked as each kind of visitor: nothing leaks, nothing is written that may not be.

The patterns are read from the URLconf (``urlpatterns`` resolved level by level), so a new URL is in the
matrix as soon as it exists; a URL argument the matrix cannot fill fails the test, and so does finding
fewer patterns than a sensible minimum (a broken discovery would otherwise pass everything).

- anonymous: a login redirect, 401, 403, 404 or 405, never a page with data;
- the user of provider A asking for provider B's records: never B's data (404 preferred), and no page
  that A may open names B;
- the user of provider A asking for its own confidential records (fraud signals, IKZ reports, their
  events, a waiver awaiting its second officer, the officer's dossier export): absent, on every page;
- an auditor trying every write (POST, PUT, PATCH, DELETE): refused, with no row added, changed or
  deleted and no audit event written;
- an officer: reaches every admin page and every API read.
"""

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from django.apps import apps
from django.contrib.admin.utils import quote
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from audit.models import AuditEvent
from contracting.models import Product
from core import clock
from tests.compliance import files
from tests.compliance.fraud.fixtures import DECLARATION_HEADER, csv_file
from tests.security.world import World, build_world

pytestmark = pytest.mark.django_db

MINIMUM_PATTERNS = {"admin": 200, "api": 55, "portal": 5, "documents": 1}

# Pages anybody may open: logging in, the language switch, the API's description and the way in.
# /health is for the load balancer: it names the parts and "ok" or "unavailable", nothing else.
PUBLIC = {
    "",
    "health",
    "admin/login/",
    "portal/login/",
    "i18n/setlang/",
    "api/v1/openapi.json",
    "api/v1/docs",
}
# Leaving is no write worth refusing (and logging out is what it records).
SESSION = {"admin/logout/", "portal/logout/", "portal/organisation/", "i18n/setlang/"}
# An auditor reads by exporting: requesting an export records it (an Export row, an audit event).
AUDITOR_EXPORTS = {
    "api/v1/exports",
    "api/v1/providers/<uuid>/dossier",
    "admin/compliance/export/new/",
    "admin/compliance/export/provider/<provider_id>/dossier/",
    "admin/compliance/export/procedure/<procedure_id>/report/",
    "admin/compliance/export/as-of/<app_label>/<model_name>/<object_id>/",
}
REFUSED = {401, 403, 404, 405}
OUR_ADMIN = tuple(f"admin/{app}/" for app in ("audit", "contracting", "coalitions", "compliance"))
WRITE_METHODS = ("post", "put", "patch", "delete")


# --------------------------------------------------------------------------- discovery


@dataclass(frozen=True)
class Pattern:
    route: str  # with <name> for each argument, e.g. "api/v1/agreements/<uuid>/events"
    name: str
    arguments: tuple[str, ...]

    @property
    def area(self) -> str:
        first = self.route.split("/", 1)[0]
        return first if first in MINIMUM_PATTERNS else "other"

    def __str__(self) -> str:
        return self.route


ARGUMENT = re.compile(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>[^)]*\)")


def _clean(piece: str) -> str:
    piece = piece.removeprefix("^").removesuffix("$").removesuffix("\\Z")
    return ARGUMENT.sub(lambda m: f"<{m.group(1) or m.group(2)}>", piece)


def discover(resolvers=None, prefix: str = "", namespace: str = "") -> Iterator[Pattern]:
    for entry in get_resolver().url_patterns if resolvers is None else resolvers:
        route = prefix + _clean(str(entry.pattern))
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from discover(entry.url_patterns, route, inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}{entry.name or ''}"
            yield Pattern(route, name, tuple(re.findall(r"<(\w+)>", route)))


PATTERNS = sorted(set(discover()), key=lambda p: p.route)


def test_the_matrix_finds_every_kind_of_url():
    counts = {area: sum(p.area == area for p in PATTERNS) for area in MINIMUM_PATTERNS}
    assert all(counts[area] >= minimum for area, minimum in MINIMUM_PATTERNS.items()), counts
    kinds = {p.route.rsplit("/", 2)[-2] for p in PATTERNS if p.route.startswith("admin/")}
    assert {"change", "delete", "history", "add"} <= kinds


# --------------------------------------------------------------------------- filling in the arguments

API_MODELS = {
    "authorities": "authority",
    "providers": "provider",
    "products": "product",
    "procedures": "procedure",
    "applications": "application",
    "agreements": "agreement",
    "coalitions": "coalition",
    "memberships": "membership",
    "documents": "document",
    "exports": "export",
    "signals": "signal",
    "declarations": "importbatch",
    "questions": "question",
}


class Filler:
    """Real values for a pattern's arguments, taken from one party's records (``whose``)."""

    def __init__(self, world: World, whose: str) -> None:
        self.world, self.party = world, getattr(world, whose)
        self.used: list[Any] = []  # the records the last URL was filled with
        self.placeholder = False  # the last URL names a row of another app's model that has none

    def uses_any(self, records: list[Any]) -> bool:
        return any(obj is record for obj in self.used for record in records)

    def record(self, key: str) -> Any:
        w, p = self.world, self.party
        records = {
            "authority": w.authority,
            "provider": p.provider,
            "product": Product.objects.first(),
            "procedure": w.procedure,
            "application": p.application,
            "agreement": p.agreement,
            "coalition": p.coalition,
            "membership": p.membership,
            "document": p.document,
            "export": p.export,
            "signal": p.signal,
            "fraudsignal": p.signal,
            "ikzreport": p.ikz_report,
            "waiver": p.waiver,
            "officerjudgement": p.judgement,
            "importbatch": w.extra["importrejection"].batch,
            "accountabilitydocument": p.document,
            "contractingauthority": w.authority,
            "question": p.question,
        }
        return records.get(key)

    def admin_object(self, app_label: str, model_name: str) -> Any:
        obj = self.record(model_name) or self.world.extra.get(model_name)
        if obj is None:
            obj = apps.get_model(app_label, model_name)._default_manager.order_by("pk").first()
        return obj

    def url(self, pattern: Pattern) -> str:
        route = pattern.route
        values: dict[str, str] = {}
        self.used, self.placeholder = [], False
        parts = route.split("/")
        model = None
        if route.startswith("admin/") and len(parts) > 3 and parts[1] and parts[2]:
            try:
                model = self.admin_object(parts[1], parts[2])
            except LookupError:
                model = None
        api_model = self.record(API_MODELS.get(parts[2], "")) if route.startswith("api/v1/") else None
        for argument in pattern.arguments:
            values[argument] = self.value(argument, pattern, model, api_model)
        if "object_id" in pattern.arguments:
            self.used.append(model)
        if "uuid" in pattern.arguments:
            self.used.append(api_model)
        return "/" + re.sub(r"<(\w+)>", lambda m: values[m.group(1)], route)

    def value(self, argument: str, pattern: Pattern, model: Any, api_model: Any) -> str:
        w, p = self.world, self.party
        route = pattern.route
        if argument == "object_id" and "as-of" in route:
            self.used.append(p.agreement)
            return str(p.agreement.pk)
        if argument == "object_id" and route.startswith("admin/r/"):
            self.used.append(p.provider)
            return str(p.provider.pk)
        if argument == "object_id" and model is None:
            assert not route.startswith(OUR_ADMIN), f"no object for {route}"
            self.placeholder = True
            return "999999"  # another app's model without rows (login attempts, OTP devices ...)
        if argument == "object_id":
            return quote(str(model.pk))
        if argument == "content_type_id":
            return str(ContentType.objects.get_for_model(p.provider).pk)
        if argument == "uuid" and route.startswith("api/v1/providers/<uuid>/dossier"):
            self.used.append(p.provider)
            return str(p.provider.uuid)
        if argument == "uuid" and api_model is not None:
            return str(api_model.uuid)
        portal_records = {  # the portal's pages of a procedure, an application and an agreement
            "portal/procedures/": w.procedure,
            "portal/applications/": p.application,
            "portal/agreements/": p.agreement,
        }
        for prefix, record in portal_records.items():
            if argument == "uuid" and route.startswith(prefix):
                self.used.append(record)
                return str(record.uuid)
        if argument == "uuid":  # the portal's and the download view's documents
            self.used.append(p.document)
            return str(p.document.uuid)
        if argument == "number":
            return "1"
        if argument == "pk":  # admin/otp_totp/totpdevice/<pk>/config/: another app's row, if any
            assert not route.startswith(OUR_ADMIN), f"no object for {route}"
            self.placeholder = True
            return "999999"
        if argument == "hash":
            self.used.append(p.signal)
            return AuditEvent.objects.filter(subject_uuid=p.signal.uuid).latest("id").hash
        if argument == "name":
            return "suspend" if "agreement" in route else "withdraw"
        if argument == "token":  # a calendar feed's secret: only its holder has it, a visitor guesses
            self.placeholder = True
            return "a-guessed-feed-token"
        simple = {
            "provider_id": str(p.provider.pk),
            "procedure_id": str(w.procedure.pk),
            "app_label": "contracting",
            "model_name": "agreement",
            "operation": "index",
            "report": str(p.ikz_report.uuid),
            "item": str(p.ikz_report.uuid),
            "url": "nothing-here/",
            "id": str(w.officer.pk),  # admin/auth/user/<id>/password/
        }
        assert argument in simple, f"the matrix cannot fill <{argument}> in {route}: teach Filler.value"
        return simple[argument]


def with_query(pattern: Pattern, url: str) -> str:
    return f"{url}?date={clock.today().isoformat()}" if url.endswith("/as-of") else url


# --------------------------------------------------------------------------- reading a response


def body_text(response) -> str:
    """What a person would read in the response, whatever its format, without whitespace."""
    if getattr(response, "streaming", False):
        content = b"".join(response.streaming_content)
    else:
        content = response.content
    kind = response.get("Content-Type", "")
    if kind.startswith("application/pdf"):
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    elif "spreadsheetml" in kind:
        wb = load_workbook(io.BytesIO(content))
        text = " ".join(str(c) for ws in wb for row in ws.iter_rows(values_only=True) for c in row if c)
    else:
        text = content.decode("utf-8", errors="replace")
    return "".join(text.split())


def found_in(text: str, secrets: list[str]) -> list[str]:
    """The secrets that ``text`` (from ``body_text``, without whitespace) shows."""
    return [secret for secret in secrets if "".join(secret.split()) in text]


def is_login_redirect(response) -> bool:
    return response.status_code == 302 and "login" in response.get("Location", "")


def request(client: Client, method: str, url: str, data: Any = None):
    if url.startswith("/api/"):
        return getattr(client, method)(url, data or {}, content_type="application/json")
    return getattr(client, method)(url, data or {})


@pytest.fixture
def world(officer, auditor, settings, tmp_path) -> World:
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return build_world(officer, auditor)


def client_as(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


# --------------------------------------------------------------------------- the visitors


def test_anonymous_gets_no_data_anywhere(world):
    client = client_as(None)
    urls = Filler(world, "b")
    leaks = []
    for pattern in PATTERNS:
        if pattern.route in PUBLIC:
            continue
        url = with_query(pattern, urls.url(pattern))
        for method in ("get", "post"):
            response = request(client, method, url)
            if not (response.status_code in REFUSED or is_login_redirect(response)):
                leaks.append(
                    f"{method.upper()} {url} -> {response.status_code} {response.get('Location', '')}"
                )
    assert not leaks, "\n".join(leaks)


def test_provider_a_never_gets_provider_b(world):
    client = client_as(world.a.user)
    urls = Filler(world, "b")
    secrets = world.b.identifying_texts() + world.b.confidential_texts()
    leaks = []
    for pattern in PATTERNS:
        if pattern.route in PUBLIC | SESSION:
            continue
        url = with_query(pattern, urls.url(pattern))
        response = client.get(url)
        refused = response.status_code in REFUSED or is_login_redirect(response)
        if urls.uses_any(world.b.own() + world.b.confidential()) and not refused:
            leaks.append(f"GET {url} -> {response.status_code}")
            continue
        if response.status_code == 200:
            text = body_text(response)
            shown = found_in(text, secrets)
            if shown:
                leaks.append(f"GET {url} shows {shown}")
    assert not leaks, "\n".join(leaks)


def test_provider_a_never_gets_the_officers_records_about_itself(world):
    client = client_as(world.a.user)
    urls = Filler(world, "a")
    secrets = world.a.confidential_texts()
    confidential_routes = ("api/v1/signals/", "api/v1/exports/", "api/v1/audit-events/")
    leaks = []
    for pattern in PATTERNS:
        if pattern.route in PUBLIC | SESSION:
            continue
        url = with_query(pattern, urls.url(pattern))
        response = client.get(url)
        confidential = urls.uses_any(world.a.confidential()) or pattern.route.startswith(confidential_routes)
        # 405: a GET of an action that only answers POST, before it looks the record up
        if confidential and not (response.status_code in (404, 405) or is_login_redirect(response)):
            leaks.append(f"GET {url} -> {response.status_code} (404 expected)")
            continue
        if response.status_code == 200:
            text = body_text(response)
            shown = found_in(text, secrets)
            if shown:
                leaks.append(f"GET {url} shows {shown}")
    assert not leaks, "\n".join(leaks)


def test_provider_a_reaches_its_own_records(world):
    # the matrix above would pass on a portal and API that answer 404 to everyone
    client = client_as(world.a.user)
    a = world.a
    for url in (
        f"/api/v1/agreements/{a.agreement.uuid}",
        f"/api/v1/applications/{a.application.uuid}",
        f"/api/v1/memberships/{a.membership.uuid}",
        f"/api/v1/documents/{a.document.uuid}/versions/1/file",
        f"/portal/documents/{a.document.uuid}/",
        f"/documents/{a.document.uuid}/versions/1/file",
        f"/api/v1/providers/{a.provider.uuid}/dossier",
    ):
        assert client.get(url).status_code == 200, url


def snapshot() -> dict[str, Any]:
    """Row counts and the newest change of every table of ours, and the length of the audit trail."""
    state: dict[str, Any] = {}
    for model in apps.get_models():
        if model._meta.app_label not in {"audit", "contracting", "coalitions", "compliance", "auth"}:
            continue
        rows = model._base_manager.all()
        state[model._meta.label] = rows.count()
        if any(f.name == "updated_at" for f in model._meta.concrete_fields):
            state[f"{model._meta.label}.updated_at"] = rows.aggregate(m=Max("updated_at"))["m"]
    state["audit events"] = AuditEvent.objects.count()
    return state


# A valid body where an empty one would be refused for what it lacks rather than for who sends it.
BODIES = {
    "api/v1/applications/<uuid>/assessments": {"step": "suitability", "passed": True, "reasoning": "Goed"}
}


def uploads(world: World) -> dict[str, Any]:
    """A valid body for the API's multipart writes, so that it is the permission that refuses them."""
    pdf = io.BytesIO(files.pdf())
    pdf.name = "beleid.pdf"
    return {
        "api/v1/documents/<uuid>/versions": {"file": pdf},
        "api/v1/declarations/imports": {
            "file": csv_file(DECLARATION_HEADER, []),
            "authority": str(world.authority.uuid),
            "kind": "declarations",
        },
    }


def test_an_auditor_writes_nothing(world):
    """The API answers every write with a refusal. The admin and the portal answer a PUT, PATCH or DELETE
    (and a POST to a page that only shows) like a GET; there the proof is that nothing changed, and a
    POST to an add, change or delete page is a 403."""
    client = client_as(world.auditor)
    urls = Filler(world, "b")
    data = {"post": "yes", "reason": "Controle", "_save": "Opslaan", "name": "x"}
    multipart = uploads(world)
    before = snapshot()
    refused_wrongly = []
    for pattern in PATTERNS:
        if pattern.route in PUBLIC | SESSION | AUDITOR_EXPORTS:
            continue
        url = urls.url(pattern)
        if urls.placeholder:  # another app's view of a row that does not exist: nothing to write to
            continue
        for method in WRITE_METHODS:
            if method == "post" and pattern.route in multipart:
                body = multipart[pattern.route]
                body["file"].seek(0)
                response = client.post(url, body)
            else:
                response = request(client, method, url, {**data, **BODIES.get(pattern.route, {})})
            refused = response.status_code in REFUSED or is_login_redirect(response)
            edit_page = pattern.route.endswith(("/add/", "/change/", "/delete/"))
            if (
                (pattern.area == "api" and not refused)
                or (method == "post" and edit_page and response.status_code != 403)
                or response.status_code >= 500
            ):
                refused_wrongly.append(f"{method.upper()} {url} -> {response.status_code}")
        after = snapshot()
        changed = {k: (before[k], after[k]) for k in after if before.get(k) != after[k]}
        if changed:
            refused_wrongly.append(f"{url} changed {changed}")
            before = after
    assert not refused_wrongly, "\n".join(refused_wrongly)


def officer_reads(pattern: Pattern) -> bool:
    """Pages and reads of ours that every officer opens: changelists, change pages, histories, our own
    admin views, every API read and download (adding, deleting and taking a named transition depend on
    the model and the state, and are tested where they live)."""
    route = pattern.route
    ours = route.startswith((*OUR_ADMIN, "api/v1/", "documents/"))
    return (
        ours
        and route not in PUBLIC
        and not route.endswith(("/add/", "/delete/"))
        and "/transitions/" not in route
        and "/ikz-request/" not in route  # answers an information request, of which the world has none
    )


def test_an_officer_reaches_every_page_and_every_read(world):
    client = client_as(world.officer)
    urls = Filler(world, "b")
    reads = [pattern for pattern in PATTERNS if officer_reads(pattern)]
    assert len(reads) > 150
    unreachable = []
    for pattern in reads:
        url = with_query(pattern, urls.url(pattern))
        response = client.get(url)
        ok = response.status_code in (200, 405) or (  # 405: an action that only answers POST
            response.status_code == 302 and "login" not in response.get("Location", "")
        )
        if not ok:
            unreachable.append(f"GET {url} -> {response.status_code}")
    assert not unreachable, "\n".join(unreachable)

"""Conditions in the admin: condition sets, the evaluation panel with adjustments, re-evaluation, history
and waivers, the four-eyes decision on waivers, and evidence recorded through the services."""

import datetime

import pytest

from django.urls import reverse

from audit.models import AuditEvent
from compliance.conditions.subjects import effective_conditions
from compliance.models import (
    ConditionAdjustment,
    ConditionEvaluation,
    ConditionRequirement,
    OfficerJudgement,
    ProviderAnnualFigures,
    ProviderDeclaration,
    Waiver,
    WaiverStatus,
)
from core import clock
from tests import factories
from tests.admin.helpers import change_url, evaluated_agreement, messages_of, requested_waiver
from tests.compliance.factories import AnnualFiguresFactory, DocumentFactory, agreement_with, condition
from tests.factories import today

pytestmark = pytest.mark.django_db


def panel_url(obj, name: str) -> str:
    return reverse(f"admin:{obj._meta.app_label}_{obj._meta.model_name}_{name}", args=[obj.pk])


def codes(conditions) -> set[str]:
    return {c.code for c in conditions}


def latest_outcomes(subject) -> dict[str, str]:
    return {
        (e.condition.code): e.outcome
        for e in ConditionEvaluation.objects.filter(subject_uuid=subject.uuid).order_by("evaluated_at", "id")
    }


def message_tags(response) -> list[str]:
    return [m.tags for m in messages_of(response)]


# --------------------------------------------------------------------------- condition sets


def test_procedure_page_shows_the_condition_set_read_only_with_a_form(client_for, officer):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    response = client_for(officer).get(change_url(procedure))
    # then
    inline = next(
        f for f in response.context["inline_admin_formsets"] if f.opts.model is ConditionRequirement
    )
    assert not inline.has_add_permission and not inline.has_change_permission
    assert {form.original.condition.code for form in inline} == {
        "fair_pay_tariff",
        "anti_discrimination_policy",
    }
    form = response.context["condition_set_panel"]["form"]
    assert "meldcode" in codes(form.fields["add"].queryset)
    assert "fair_pay_tariff" not in codes(form.fields["add"].queryset)
    assert codes(form.fields["remove"].queryset) == {"fair_pay_tariff", "anti_discrimination_policy"}


def test_officer_changes_the_condition_set_of_a_procedure(client_for, officer):
    # given
    procedure = factories.ready_to_open_procedure()
    # when
    response = client_for(officer).post(
        panel_url(procedure, "condition_set"),
        {
            "add": [condition("meldcode").pk, condition("cao_applied").pk],
            "remove": [condition("anti_discrimination_policy").pk],
            "reason": "Afspraak bestuurlijk overleg",
        },
    )
    # then
    assert response.status_code == 302
    assert set(procedure.condition_requirements.values_list("condition__code", flat=True)) == {
        "fair_pay_tariff",
        "meldcode",
        "cao_applied",
    }
    event = AuditEvent.objects.get(event="procedure.condition_set_changed")
    assert (event.actor, event.subject_uuid, event.reason) == (
        officer,
        procedure.uuid,
        "Afspraak bestuurlijk overleg",
    )
    assert event.data == {"added": ["cao_applied", "meldcode"], "removed": ["anti_discrimination_policy"]}


def test_an_open_procedure_keeps_its_fair_pay_condition(client_for, officer):
    # given
    procedure = factories.ready_to_open_procedure(status="open")
    # when
    response = client_for(officer).post(
        panel_url(procedure, "condition_set"), {"remove": [condition("fair_pay_tariff").pk]}, follow=True
    )
    # then
    assert "guard_failed" in message_tags(response)[0]
    assert "condition_set_incomplete" in str(messages_of(response)[0])
    assert procedure.condition_requirements.filter(condition__code="fair_pay_tariff").exists()
    assert not AuditEvent.objects.exists()


def test_officer_changes_the_condition_set_of_a_coalition(client_for, officer):
    # given
    coalition = factories.MembershipFactory(lead=True, active=True).coalition
    # when
    client_for(officer).post(panel_url(coalition, "condition_set"), {"add": [condition("meldcode").pk]})
    # then
    assert list(coalition.condition_requirements.values_list("condition__code", flat=True)) == ["meldcode"]
    event = AuditEvent.objects.get(event="coalition.condition_set_changed")
    assert event.data == {"added": ["meldcode"], "removed": []}


def test_auditor_sees_the_condition_set_but_cannot_change_it(client_for, auditor):
    # given
    procedure = factories.ready_to_open_procedure()
    client = client_for(auditor)
    # when
    page = client.get(change_url(procedure))
    post = client.post(panel_url(procedure, "condition_set"), {"add": [condition("meldcode").pk]})
    # then
    assert page.status_code == 200
    assert "condition_set_panel" not in page.context
    assert post.status_code == 403
    assert procedure.condition_requirements.count() == 2
    assert not AuditEvent.objects.exists()


# --------------------------------------------------------------------------- the evaluation panel


@pytest.mark.parametrize("role", ["officer", "auditor"])
@pytest.mark.parametrize("kind", ["agreement", "membership", "application"])
def test_evaluation_panel_renders(client_for, request, role, kind):
    # given
    subject = make_subject(kind)
    # when
    response = client_for(request.getfixturevalue(role)).get(change_url(subject))
    # then
    assert response.status_code == 200
    panel = response.context["conditions_panel"]
    assert [(r["condition"].code, r["evaluation"].outcome) for r in panel["rows"]] == [
        ("anti_discrimination_policy", "pending")
    ]
    assert b'id="conditions-panel"' in response.content
    forms = {"evaluate_url", "adjust_form", "waiver_form"} & set(panel)
    if role == "auditor":
        assert forms == set()
    else:
        assert forms == (
            {"evaluate_url", "waiver_form"} if kind == "application" else {*forms, "adjust_form"}
        )


def make_subject(kind: str):
    """An agreement, membership or application whose condition set holds the anti-discrimination policy,
    evaluated once (pending: no policy delivered)."""
    from compliance.conditions.services import conditions_evaluate

    if kind == "agreement":
        subject = agreement_with("anti_discrimination_policy")
    elif kind == "membership":
        subject = factories.MembershipFactory(admitted=True)
        factories.require(subject.coalition, "anti_discrimination_policy")
    else:
        procedure = factories.ProcedureFactory(open=True)
        factories.require(procedure, "anti_discrimination_policy")
        subject = factories.ApplicationFactory(procedure=procedure, submitted=True)
    conditions_evaluate(subject=subject)
    return subject


def test_evidence_in_the_panel_shows_the_document_checksum(client_for, auditor):
    # given
    agreement = agreement_with("anti_discrimination_policy")
    document = DocumentFactory(provider=agreement.provider, accepted=True, sha256="c0ffee" * 10 + "abcd")
    from compliance.conditions.services import conditions_evaluate

    conditions_evaluate(subject=agreement)
    # when
    response = client_for(auditor).get(change_url(agreement))
    # then
    assert document.sha256.encode() in response.content
    assert change_url(document).encode() in response.content


def test_re_evaluate_now_stores_a_manual_evaluation(client_for, officer):
    # given
    agreement = agreement_with("anti_discrimination_policy")
    DocumentFactory(provider=agreement.provider, accepted=True)
    # when
    response = client_for(officer).post(panel_url(agreement, "conditions_evaluate"), follow=True)
    # then
    evaluation = ConditionEvaluation.objects.get(subject_uuid=agreement.uuid)
    assert (evaluation.outcome, evaluation.trigger) == ("satisfied", "manual")
    assert message_tags(response) == ["success"]
    assert response.context["conditions_panel"]["rows"][0]["evaluation"] == evaluation


def test_officer_adds_a_condition_to_one_agreement(client_for, officer):
    # given
    agreement = agreement_with("anti_discrimination_policy")
    # when
    response = client_for(officer).post(
        panel_url(agreement, "conditions_adjust"),
        {"condition": condition("meldcode").pk, "action": "add", "reason": "Jeugdhulp met verblijf"},
    )
    # then
    assert response.status_code == 302
    assert codes(effective_conditions(agreement)) == {"anti_discrimination_policy", "meldcode"}
    event = AuditEvent.objects.get(event="condition.added")
    assert (event.subject_uuid, event.data, event.reason) == (
        agreement.uuid,
        {"condition": "meldcode"},
        "Jeugdhulp met verblijf",
    )


def test_officer_removes_an_inherited_condition_from_one_membership(client_for, officer):
    # given
    membership = make_subject("membership")
    # when
    client_for(officer).post(
        panel_url(membership, "conditions_adjust"),
        {
            "condition": condition("anti_discrimination_policy").pk,
            "action": "remove",
            "reason": "Koepelbeleid",
        },
    )
    # then
    assert effective_conditions(membership) == []
    adjustment = ConditionAdjustment.objects.get(membership=membership)
    assert (adjustment.action, adjustment.decided_by) == ("remove", officer)
    assert AuditEvent.objects.filter(event="condition.removed", subject_uuid=membership.uuid).exists()


@pytest.mark.parametrize(
    ("code", "action"), [("anti_discrimination_policy", "add"), ("meldcode", "remove")], ids=["add", "remove"]
)
def test_adjustment_that_changes_nothing_is_refused(client_for, officer, code, action):
    # given
    agreement = agreement_with("anti_discrimination_policy")
    # when
    response = client_for(officer).post(
        panel_url(agreement, "conditions_adjust"),
        {"condition": condition(code).pk, "action": action, "reason": "x"},
        follow=True,
    )
    # then
    assert message_tags(response) == ["invalid error"]
    assert not ConditionAdjustment.objects.exists()
    assert not AuditEvent.objects.exists()


def test_panel_shows_what_was_true_on_an_earlier_date(client_for, auditor):
    # given an evaluation three days ago (policy missing), then the policy accepted and evaluated now
    from compliance.conditions.services import conditions_evaluate

    agreement = agreement_with("anti_discrimination_policy")
    conditions_evaluate(subject=agreement)
    ConditionEvaluation.objects.filter(subject_uuid=agreement.uuid).update(
        evaluated_at=clock.now() - datetime.timedelta(days=3)
    )
    DocumentFactory(provider=agreement.provider, accepted=True)
    conditions_evaluate(subject=agreement)
    client = client_for(auditor)
    # when
    then = client.get(
        change_url(agreement), {"conditions_as_of": (today() - datetime.timedelta(days=2)).isoformat()}
    )
    before = client.get(
        change_url(agreement), {"conditions_as_of": (today() - datetime.timedelta(days=5)).isoformat()}
    )
    # then
    panel = then.context["conditions_panel"]
    assert [r["evaluation"].outcome for r in panel["as_of_rows"]] == ["pending"]
    assert [r["evaluation"].outcome for r in panel["rows"]] == ["satisfied"]
    assert before.context["conditions_panel"]["as_of_rows"] == []
    assert b'id="conditions-as-of"' in then.content


def test_an_invalid_date_shows_no_history(client_for, auditor):
    # given
    agreement = evaluated_agreement()
    # when
    response = client_for(auditor).get(change_url(agreement), {"conditions_as_of": "gisteren"})
    # then
    assert response.status_code == 200
    assert "as_of_rows" not in response.context["conditions_panel"]


# --------------------------------------------------------------------------- waivers


def request_waiver_through_the_panel(client, subject, *, days: int = 60):
    return client.post(
        panel_url(subject, "conditions_waiver"),
        {
            "condition": condition("anti_discrimination_policy").pk,
            "provider": subject.provider.pk,
            "reason": "Beleid in ontwikkeling, oplevering Q1",
            "valid_until": (today() + datetime.timedelta(days=days)).isoformat(),
        },
        follow=True,
    )


def test_waiver_requested_and_approved_by_a_second_officer_counts(
    client_for, officer, second_officer, django_capture_on_commit_callbacks
):
    # given
    agreement = make_subject("agreement")
    # when the first officer requests it on the agreement's page
    response = request_waiver_through_the_panel(client_for(officer), agreement)
    waiver = Waiver.objects.get()
    # then it awaits approval and does not count yet
    assert message_tags(response) == ["success"]
    assert (waiver.status, waiver.requested_by, waiver.subject_uuid) == ("pending", officer, agreement.uuid)
    assert latest_outcomes(agreement) == {"anti_discrimination_policy": "pending"}
    # when a second officer approves it on the waiver's page (re-evaluation follows the commit)
    with django_capture_on_commit_callbacks(execute=True):
        decided = client_for(second_officer).post(
            reverse("admin:compliance_waiver_decide", args=[waiver.pk]), {"decision": "approve"}, follow=True
        )
    # then
    waiver.refresh_from_db()
    assert (waiver.status, waiver.decided_by) == (WaiverStatus.APPROVED, second_officer)
    assert message_tags(decided) == ["success"]
    assert latest_outcomes(agreement) == {"anti_discrimination_policy": "waived"}
    assert [e.event for e in AuditEvent.objects.order_by("id")] == ["waiver.requested", "waiver.approved"]


def test_the_requester_cannot_approve_their_own_waiver(client_for, officer):
    # given
    waiver = requested_waiver(by=officer)
    client = client_for(officer)
    # when
    page = client.get(change_url(waiver))
    response = client.post(
        reverse("admin:compliance_waiver_decide", args=[waiver.pk]), {"decision": "approve"}, follow=True
    )
    # then
    assert page.context["waiver_decision"]["own_request"]
    assert b'id="four-eyes-note"' in page.content
    assert b'id="waiver-decision-form"' not in page.content
    assert message_tags(response) == ["four_eyes_required error"]
    waiver.refresh_from_db()
    assert waiver.status == WaiverStatus.PENDING
    assert not AuditEvent.objects.filter(event="waiver.approved").exists()


def test_rejecting_a_waiver_needs_a_reason(client_for, second_officer):
    # given
    waiver = requested_waiver()
    client = client_for(second_officer)
    url = reverse("admin:compliance_waiver_decide", args=[waiver.pk])
    # when
    without = client.post(url, {"decision": "reject"}, follow=True)
    waiver.refresh_from_db()
    status_without = waiver.status
    with_reason = client.post(url, {"decision": "reject", "reason": "Geen goede grond"}, follow=True)
    # then
    assert message_tags(without) == ["reason_required error"]
    assert status_without == WaiverStatus.PENDING
    assert message_tags(with_reason) == ["success"]
    waiver.refresh_from_db()
    assert (waiver.status, waiver.decision_reason) == (WaiverStatus.REJECTED, "Geen goede grond")


def test_second_officer_sees_the_decision_form(client_for, second_officer):
    # given
    waiver = requested_waiver()
    # when
    response = client_for(second_officer).get(change_url(waiver))
    # then
    assert b'id="waiver-decision-form"' in response.content
    assert not response.context["has_change_permission"]


def test_a_waiver_is_never_edited_through_its_form(client_for, second_officer):
    # given
    waiver = requested_waiver()
    # when
    response = client_for(second_officer).post(
        change_url(waiver), {"status": "approved", "valid_until": "2099-12-31", "reason": "anders"}
    )
    # then
    assert response.status_code == 403
    waiver.refresh_from_db()
    assert (waiver.status, waiver.reason) == ("pending", "Beleid wordt herschreven na fusie")


def test_waiver_requested_on_an_application(client_for, officer):
    # given
    application = make_subject("application")
    # when
    response = request_waiver_through_the_panel(client_for(officer), application)
    # then
    assert message_tags(response) == ["success"]
    waiver = Waiver.objects.get()
    assert (waiver.subject_type, waiver.subject_uuid, waiver.provider) == (
        "contracting.application",
        application.uuid,
        application.provider,
    )


def test_a_waiver_ending_in_the_past_is_refused(client_for, officer):
    # given
    agreement = make_subject("agreement")
    # when
    response = request_waiver_through_the_panel(client_for(officer), agreement, days=-1)
    # then
    assert message_tags(response) == ["invalid_transition error"]
    assert not Waiver.objects.exists()


# --------------------------------------------------------------------------- auditors post nothing


def test_auditor_cannot_post_any_of_the_subject_forms(client_for, auditor):
    # given
    agreement = make_subject("agreement")
    waiver = requested_waiver()
    audit_before = AuditEvent.objects.count()
    evaluations_before = ConditionEvaluation.objects.count()
    client = client_for(auditor)
    # when
    responses = [
        client.post(panel_url(agreement, "conditions_evaluate")),
        client.post(
            panel_url(agreement, "conditions_adjust"),
            {"condition": condition("meldcode").pk, "action": "add", "reason": "x"},
        ),
        request_waiver_through_the_panel(client, agreement),
        client.post(reverse("admin:compliance_waiver_decide", args=[waiver.pk]), {"decision": "approve"}),
    ]
    # then
    assert [r.status_code for r in responses] == [403, 403, 403, 403]
    assert ConditionEvaluation.objects.count() == evaluations_before
    assert not ConditionAdjustment.objects.exists()
    assert Waiver.objects.get().status == WaiverStatus.PENDING
    assert AuditEvent.objects.count() == audit_before


def test_panel_forms_only_take_posts(client_for, officer):
    # given
    agreement = make_subject("agreement")
    # when
    response = client_for(officer).get(panel_url(agreement, "conditions_evaluate"))
    # then
    assert response.status_code == 405


# --------------------------------------------------------------------------- evidence through the services


def test_declaration_added_in_the_admin_is_recorded_by_the_service(client_for, officer):
    # given
    agreement = agreement_with("confidential_advisor")
    client = client_for(officer)
    # when
    response = client.post(
        "/admin/compliance/providerdeclaration/add/",
        {
            "provider": agreement.provider.pk,
            "condition": condition("confidential_advisor").pk,
            "statement": "Wij hebben een externe vertrouwenspersoon.",
            "signed_by_name": "J. de Vries",
            "signed_by_role": "bestuurder",
            "signed_on": today().isoformat(),
        },
    )
    client.post(panel_url(agreement, "conditions_evaluate"))
    # then
    assert response.status_code == 302
    declaration = ProviderDeclaration.objects.get()
    assert (declaration.recorded_by, declaration.provider) == (officer, agreement.provider)
    assert AuditEvent.objects.get(event="declaration.recorded").subject_uuid == declaration.uuid
    assert latest_outcomes(agreement) == {"confidential_advisor": "satisfied"}


def test_declaration_form_offers_only_conditions_decided_by_declaration(client_for, officer):
    # when
    response = client_for(officer).get("/admin/compliance/providerdeclaration/add/")
    # then
    offered = codes(response.context["adminform"].form.fields["condition"].queryset)
    assert offered == {"cao_applied", "confidential_advisor", "discrimination_training"}


def test_a_recorded_declaration_is_not_editable(client_for, officer):
    # given
    from tests.compliance.factories import DeclarationFactory

    declaration = DeclarationFactory()
    # when
    page = client_for(officer).get(change_url(declaration))
    post = client_for(officer).post(change_url(declaration), {"statement": "anders"})
    # then
    assert not page.context["has_change_permission"]
    assert post.status_code == 403


def test_judgement_added_in_the_admin_is_recorded_by_the_service(client_for, officer):
    # given
    provider = factories.ProviderFactory()
    # when
    response = client_for(officer).post(
        "/admin/compliance/officerjudgement/add/",
        {
            "provider": provider.pk,
            "condition": condition("local_presence").pk,
            "verdict": "satisfied",
            "reasoning": "Locatie in de wijk, werkt samen met het wijkteam.",
        },
    )
    # then
    assert response.status_code == 302
    judgement = OfficerJudgement.objects.get()
    assert (judgement.judged_by, judgement.judged_on) == (officer, today())
    assert AuditEvent.objects.get(event="judgement.recorded").data["verdict"] == "satisfied"


def test_auditor_cannot_add_evidence(client_for, auditor):
    # given
    provider = factories.ProviderFactory()
    client = client_for(auditor)
    # when
    declaration = client.post(
        "/admin/compliance/providerdeclaration/add/",
        {"provider": provider.pk, "condition": condition("confidential_advisor").pk, "statement": "x"},
    )
    judgement = client.post(
        "/admin/compliance/officerjudgement/add/",
        {"provider": provider.pk, "condition": condition("local_presence").pk, "verdict": "satisfied"},
    )
    figures = client.post("/admin/compliance/providerannualfigures/add/", {"provider": provider.pk})
    # then
    assert (declaration.status_code, judgement.status_code, figures.status_code) == (403, 403, 403)
    assert not AuditEvent.objects.exists()


def test_annual_figures_saved_in_the_admin_are_audited_and_re_evaluate(
    client_for, officer, django_capture_on_commit_callbacks
):
    # given an agreement whose flex-contract condition waits for figures
    agreement = agreement_with("flex_contracts_limited")
    year = today().year - 1
    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(officer).post(
            "/admin/compliance/providerannualfigures/add/",
            {
                "provider": agreement.provider.pk,
                "year": year,
                "wnt_class": "III",
                "flex_contract_share_pct": "35",
            },
        )
    # then
    assert response.status_code == 302
    figures = ProviderAnnualFigures.objects.get()
    event = AuditEvent.objects.get(event="annual_figures.changed")
    assert (event.subject_uuid, event.data["created"], event.data["values"]["flex_contract_share_pct"]) == (
        figures.uuid,
        True,
        "35.00",
    )
    evaluation = ConditionEvaluation.objects.get(subject_uuid=agreement.uuid)
    assert (evaluation.outcome, evaluation.trigger) == ("violated", "evidence")


def test_changing_annual_figures_records_what_changed(client_for, officer):
    # given
    figures = AnnualFiguresFactory(flex_contract_share_pct=12)
    data = {
        name: getattr(figures, name)
        for name in (
            "wnt_class",
            "highest_executive_pay",
            "flex_contract_share_pct",
            "revenue",
            "personnel_costs",
            "profit",
        )
    }
    # when
    response = client_for(officer).post(change_url(figures), {**data, "flex_contract_share_pct": "8"})
    # then
    assert response.status_code == 302
    figures.refresh_from_db()
    assert str(figures.flex_contract_share_pct) == "8.00"
    event = AuditEvent.objects.get(event="annual_figures.changed")
    assert (event.data["created"], event.data["values"]) == (False, {"flex_contract_share_pct": "8.00"})


# --------------------------------------------------------------------------- the provider page


@pytest.mark.parametrize("role", ["officer", "auditor"])
def test_provider_page_shows_evidence_and_current_evaluations(client_for, request, role):
    # given
    from tests.compliance.factories import DeclarationFactory, JudgementFactory

    agreement = evaluated_agreement("anti_discrimination_policy")
    provider = agreement.provider
    DeclarationFactory(provider=provider)
    JudgementFactory(provider=provider)
    AnnualFiguresFactory(provider=provider)
    DocumentFactory(provider=provider, accepted=True)
    from compliance.conditions.services import conditions_evaluate

    conditions_evaluate(subject=agreement)  # a newer evaluation: only that one is current
    # when
    response = client_for(request.getfixturevalue(role)).get(change_url(provider))
    # then
    inlines = {f.opts.model._meta.model_name: list(f) for f in response.context["inline_admin_formsets"]}
    assert len(inlines["providerdeclaration"]) == 1
    assert len(inlines["officerjudgement"]) == 1
    assert len(inlines["providerannualfigures"]) == 1
    assert [f.original.outcome for f in inlines["conditionevaluation"]] == ["satisfied"]
    assert reverse("admin:compliance_provider_missing", args=[provider.pk]).encode() in response.content

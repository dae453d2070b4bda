"""The trail is checked against its head and its anchors: each way of tampering is found, with its own
problem code (audit.services.PROBLEMS). The tampering is done as someone with write access to the
database would do it (tests/audit/tampering.py)."""

import pytest

from audit.anchors import anchor_from_argument
from audit.models import AuditAnchor
from audit.services import GENESIS, AuditTrailBroken, Head, audit_anchor_create, audit_record, verify_trail
from tests.audit import tampering

pytestmark = pytest.mark.django_db


def codes(report) -> list[str]:
    return [problem.code for problem in report.problems]


@pytest.fixture
def trail():
    return [audit_record(actor=None, event="test.recorded", data={"n": n}) for n in range(30)]


@pytest.fixture
def anchored_trail():
    """20 events, the daily anchor, 10 more events."""
    events = [audit_record(actor=None, event="test.recorded", data={"n": n}) for n in range(20)]
    anchor, created = audit_anchor_create()
    assert created and (anchor.event_count, anchor.event_id, anchor.hash) == (
        20,
        events[-1].pk,
        events[-1].hash,
    )
    return events + [audit_record(actor=None, event="test.recorded", data={"n": n}) for n in range(20, 30)]


def test_an_untouched_trail_verifies_against_its_head(trail):
    # when
    report = verify_trail()
    # then
    assert codes(report) == []
    assert report.events == 30
    assert report.head == Head(hash=trail[-1].hash, event_count=30, event_id=trail[-1].pk)


def test_an_empty_trail_without_a_head_verifies():
    report = verify_trail()
    assert (codes(report), report.events, report.head) == ([], 0, Head(hash=GENESIS))


def test_a_changed_event_is_found(trail):
    # when
    tampering.change_event(trail[10].pk, reason="Anders")
    # then
    report = verify_trail()
    assert [(p.code, p.event_id) for p in report.problems] == [("hash_mismatch", trail[10].pk)]


def test_an_event_deleted_in_the_middle_is_found(trail):
    # when
    tampering.delete_events(trail[10].pk)
    # then
    report = verify_trail()
    assert [(p.code, p.event_id) for p in report.problems] == [
        ("prev_hash_mismatch", trail[11].pk),
        ("count_mismatch", trail[-1].pk),
    ]


def test_events_deleted_at_the_end_are_found(trail):
    # when the last 10 events are deleted
    tampering.delete_events(*[event.pk for event in trail[20:]])
    # then
    report = verify_trail()
    assert [(p.code, p.event_id) for p in report.problems] == [("events_missing_at_end", trail[19].pk)]
    assert report.events == 20


def test_every_event_deleted_is_found(trail):
    # when
    tampering.delete_all_events()
    # then
    report = verify_trail()
    assert codes(report) == ["trail_emptied"]
    assert report.events == 0


def test_a_forged_event_appended_behind_the_heads_back_is_found(trail):
    # when
    forged = tampering.forge_event()
    # then
    report = verify_trail()
    assert [(p.code, p.event_id) for p in report.problems] == [("events_after_head", forged.pk)]


def test_a_forged_event_with_the_head_moved_along_without_the_key_is_found(trail):
    # when
    forged = tampering.forge_event()
    tampering.move_head(event_count=31, last_event_id=forged.pk, last_hash=forged.hash, with_key=False)
    # then
    assert codes(verify_trail()) == ["head_signature_invalid"]


def test_a_rewrite_from_a_point_with_the_head_moved_along_is_found_by_the_daily_anchor(anchored_trail):
    # when someone who also holds the key changes event 9, re-hashes every event after it and moves the head
    tampering.rehash_from(anchored_trail[8].pk, reason="Anders", with_key=True)
    # then every link and the head hold, but the anchor's hash is no longer at its position
    report = verify_trail()
    assert [(p.code, p.event_id) for p in report.problems] == [("anchor_mismatch", anchored_trail[19].pk)]


def test_a_rewrite_without_the_key_breaks_the_head_signature_as_well(anchored_trail):
    tampering.rehash_from(anchored_trail[8].pk, reason="Anders", with_key=False)
    assert codes(verify_trail()) == ["anchor_mismatch", "head_signature_invalid"]


def test_a_rewrite_after_the_last_anchor_leaves_the_anchor_holding(anchored_trail):
    # given a rewrite of events made after the anchor, by someone with the key
    tampering.rehash_from(anchored_trail[25].pk, reason="Anders", with_key=True)
    # then the anchor (event 20) still holds: it vouches only for the trail up to itself
    report = verify_trail()
    assert codes(report) == []
    assert [(c.event_id, c.position) for c in report.confirmed] == [(anchored_trail[19].pk, 20)]


def test_a_rewrite_is_found_by_the_anchor_file_when_the_anchor_rows_are_gone(settings, tmp_path):
    # given the daily anchor written to the table and to the file outside the database
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors" / "audit-anchors.jsonl")
    events = [audit_record(actor=None, event="test.recorded", data={"n": n}) for n in range(20)]
    audit_anchor_create()
    events.append(audit_record(actor=None, event="test.recorded"))
    # when the chain is rewritten, the head re-signed and the anchor rows deleted
    tampering.rehash_from(events[3].pk, reason="Anders", with_key=True)
    tampering.delete_anchors()
    # then
    report = verify_trail()
    assert codes(report) == ["anchor_mismatch"]
    assert "audit-anchors.jsonl" in report.problems[0].detail


def test_a_changed_anchor_row_is_found(anchored_trail):
    # when the position the anchor names is changed (or anything else it signs)
    anchor = AuditAnchor.objects.get()
    tampering.change_anchor(anchor.pk, event_count=21)
    # then
    assert codes(verify_trail()) == ["anchor_signature_invalid", "anchor_mismatch"]


def test_an_anchor_from_an_export_proves_its_head_is_still_at_its_position(trail):
    # given the anchor printed in an export made after 20 events
    printed = anchor_from_argument(f"20:{trail[19].hash}")
    # then
    report = verify_trail([printed])
    assert codes(report) == []
    assert [(c.anchor, c.event_id, c.position) for c in report.confirmed] == [(printed, trail[19].pk, 20)]


def test_an_anchor_from_an_export_is_gone_after_a_rewrite(trail):
    printed = anchor_from_argument(f"20:{trail[19].hash}")
    # when
    tampering.rehash_from(trail[5].pk, reason="Anders", with_key=True)
    # then
    report = verify_trail([printed])
    assert codes(report) == ["anchor_mismatch"]
    assert report.confirmed == []


def test_an_anchor_at_the_wrong_position_is_found(trail):
    report = verify_trail([anchor_from_argument(f"21:{trail[19].hash}")])
    assert [(p.code, p.event_id) for p in report.problems] == [("anchor_mismatch", trail[19].pk)]


def test_a_missing_head_is_found(trail):
    tampering.delete_head()
    assert codes(verify_trail()) == ["head_missing"]


def test_the_daily_anchor_is_not_written_for_a_broken_trail(trail):
    tampering.delete_events(trail[-1].pk)
    with pytest.raises(AuditTrailBroken) as broken:
        audit_anchor_create()
    assert codes(broken.value.report) == ["events_missing_at_end"]
    assert not AuditAnchor.objects.exists()


def test_the_daily_anchor_is_written_once_per_head(trail):
    first, created = audit_anchor_create()
    again, created_again = audit_anchor_create()
    assert created and not created_again and again == first
    audit_record(actor=None, event="test.later")
    later, created_later = audit_anchor_create()
    assert created_later and later.event_count == 31

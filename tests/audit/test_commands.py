"""``verify_audit_trail`` (with ``--anchor`` / ``--anchor-file``) and the daily ``anchor_audit_trail``."""

import io
import json

import pytest

from django.core.management import CommandError, call_command

from audit.models import AuditAnchor, AuditEvent
from audit.services import audit_record
from tests.audit import tampering

pytestmark = pytest.mark.django_db


def run(*args, **options) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, **options)
    return out.getvalue()


@pytest.fixture
def trail():
    return [audit_record(actor=None, event="test.recorded", data={"n": n}) for n in range(12)]


def test_an_intact_trail_is_reported_with_its_head(trail):
    out = run("verify_audit_trail")
    assert (
        f"Audit trail intact: 12 events verified; head 12:{trail[-1].hash} (event id={trail[-1].pk})" in out
    )


def test_an_empty_trail_whose_head_says_otherwise_is_broken(trail):
    # given every event deleted ("0 events verified" used to pass)
    tampering.delete_all_events()
    # then
    with pytest.raises(CommandError, match="trail_emptied"):
        run("verify_audit_trail")


def test_events_deleted_at_the_end_fail_the_command(trail):
    tampering.delete_events(*[event.pk for event in trail[-3:]])
    with pytest.raises(CommandError, match=f"events_missing_at_end at event id={trail[-4].pk}"):
        run("verify_audit_trail")


def test_anchor_proves_an_exports_head_is_still_in_the_chain(trail):
    out = run("verify_audit_trail", anchor=[f"8:{trail[7].hash}"])
    assert f"Anchor 8:{trail[7].hash} (--anchor) holds: event id={trail[7].pk} at position 8." in out


def test_anchor_fails_after_a_rewrite(trail):
    tampering.rehash_from(trail[2].pk, reason="Anders", with_key=True)
    with pytest.raises(CommandError, match="anchor_mismatch"):
        run("verify_audit_trail", anchor=[f"8:{trail[7].hash}"])


def test_anchor_that_is_no_anchor_is_refused(trail):
    with pytest.raises(CommandError, match="not an anchor"):
        run("verify_audit_trail", anchor=["12:abc"])


def test_anchor_file_without_an_anchor_is_refused(trail, tmp_path):
    path = tmp_path / "leeg.txt"
    path.write_text("niets\n")
    with pytest.raises(CommandError, match="No audit-trail anchor found"):
        run("verify_audit_trail", anchor_file=[str(path)])


def test_the_daily_anchor_goes_to_the_table_and_the_file(trail, settings, tmp_path):
    # given
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    # when
    out = run("anchor_audit_trail")
    # then
    anchor = AuditAnchor.objects.get()
    assert (anchor.event_count, anchor.event_id, anchor.hash) == (12, trail[-1].pk, trail[-1].hash)
    assert f"Anchor 12:{trail[-1].hash}" in out
    (line,) = (tmp_path / "anchors.jsonl").read_text().splitlines()
    assert json.loads(line) | {"signature": ""} == {
        "createdAt": anchor.created_at.isoformat(),
        "eventId": trail[-1].pk,
        "eventCount": 12,
        "hash": trail[-1].hash,
        "signature": "",
    }
    # and the anchor file can be given to the check on another machine
    assert "holds" in run("verify_audit_trail", anchor_file=[settings.AUDIT_ANCHOR_FILE])
    # a second run the same day adds nothing while the head has not moved
    assert "Head unchanged" in run("anchor_audit_trail")
    assert AuditAnchor.objects.count() == 1


def test_a_changed_line_of_the_anchor_file_is_found(trail, settings, tmp_path):
    settings.AUDIT_ANCHOR_FILE = str(tmp_path / "anchors.jsonl")
    run("anchor_audit_trail")
    # when someone edits the file to match a rewritten chain, without the key
    tampering.rehash_from(trail[2].pk, reason="Anders", with_key=True)
    line = json.loads((tmp_path / "anchors.jsonl").read_text())
    line["hash"] = AuditEvent.objects.order_by("-id").first().hash
    (tmp_path / "anchors.jsonl").write_text(json.dumps(line) + "\n")
    # then
    with pytest.raises(CommandError, match="anchor_signature_invalid"):
        run("verify_audit_trail")


def test_the_daily_anchor_refuses_a_broken_trail(trail):
    tampering.change_event(trail[3].pk, reason="Anders")
    with pytest.raises(CommandError, match="no anchor written"):
        run("anchor_audit_trail")
    assert not AuditAnchor.objects.exists()

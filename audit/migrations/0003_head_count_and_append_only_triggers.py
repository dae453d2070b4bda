# The head of the chain gets its count, newest event and signature from the events already recorded (the
# chain as it stands is taken as it is: run verify_audit_trail before migrating). Then the database
# itself refuses changes to the trail:
#
# - PostgreSQL: UPDATE, DELETE and TRUNCATE on the events and the anchors are refused by triggers, as is a
#   DELETE of the head or an UPDATE that lowers its count. A TRUNCATE by a superuser is let through (tests
#   and `seed_demo --reset` empty the whole database with `flush`; a superuser could drop the trigger
#   anyway): the application's role must not be a superuser. Tests that tamper disable a trigger inside
#   their own transaction.
# - SQLite (development, the demo): UPDATE of events and anchors is refused. DELETE cannot be: `flush`
#   empties tables with DELETE. Note: SQLite drops a table's triggers when a migration rebuilds it; a later
#   migration that alters these tables must create them again.

from django.conf import settings
from django.db import migrations
from django.utils.crypto import salted_hmac

EVENTS = "compliance_auditevent"
HEAD = "compliance_auditchainhead"
ANCHORS = "audit_auditanchor"
GENESIS = "0" * 64

# Each step can run again (seed_demo --reset runs the RunPython steps of every migration after a flush).
POSTGRES = f"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND (SELECT rolsuper FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: % on % refused', TG_OP, TG_TABLE_NAME;
END
$$;
CREATE OR REPLACE FUNCTION audit_head_forward_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.event_count >= OLD.event_count THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'The audit trail is append-only: the head of the chain cannot move back';
END
$$;
DROP TRIGGER IF EXISTS audit_event_append_only ON {EVENTS};
CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON {EVENTS}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_event_no_truncate ON {EVENTS};
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON {EVENTS}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_anchor_append_only ON {ANCHORS};
CREATE TRIGGER audit_anchor_append_only BEFORE UPDATE OR DELETE ON {ANCHORS}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON {ANCHORS};
CREATE TRIGGER audit_anchor_no_truncate BEFORE TRUNCATE ON {ANCHORS}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_head_forward_only ON {HEAD};
CREATE TRIGGER audit_head_forward_only BEFORE UPDATE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_head_forward_only();
DROP TRIGGER IF EXISTS audit_head_no_delete ON {HEAD};
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON {HEAD}
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
DROP TRIGGER IF EXISTS audit_head_no_truncate ON {HEAD};
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON {HEAD}
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""
POSTGRES_REVERSE = f"""
DROP TRIGGER IF EXISTS audit_head_no_truncate ON {HEAD};
DROP TRIGGER IF EXISTS audit_head_no_delete ON {HEAD};
DROP TRIGGER IF EXISTS audit_head_forward_only ON {HEAD};
DROP TRIGGER IF EXISTS audit_anchor_no_truncate ON {ANCHORS};
DROP TRIGGER IF EXISTS audit_anchor_append_only ON {ANCHORS};
DROP TRIGGER IF EXISTS audit_event_no_truncate ON {EVENTS};
DROP TRIGGER IF EXISTS audit_event_append_only ON {EVENTS};
DROP FUNCTION IF EXISTS audit_head_forward_only();
DROP FUNCTION IF EXISTS audit_refuse_change();
"""
SQLITE = [
    f"CREATE TRIGGER IF NOT EXISTS audit_event_no_update BEFORE UPDATE ON {EVENTS} "
    "BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused'); END",
    f"CREATE TRIGGER IF NOT EXISTS audit_anchor_no_update BEFORE UPDATE ON {ANCHORS} "
    "BEGIN SELECT RAISE(ABORT, 'The audit trail is append-only: UPDATE refused'); END",
]
SQLITE_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_anchor_no_update",
    "DROP TRIGGER IF EXISTS audit_event_no_update",
]


def fill_head(apps, schema_editor):
    AuditEvent = apps.get_model("audit", "AuditEvent")
    AuditChainHead = apps.get_model("audit", "AuditChainHead")
    newest = AuditEvent.objects.order_by("-id").values_list("id", "hash").first()
    head = AuditChainHead.objects.filter(pk=1).first()
    if newest is None and head is None:
        return
    head = head or AuditChainHead(pk=1)
    head.event_count = AuditEvent.objects.count()
    head.last_event_id, head.last_hash = newest if newest is not None else (None, GENESIS)
    # audit.services.head_signature, as it is when this migration is written
    value = f"{head.event_count}|{head.last_event_id}|{head.last_hash}"
    head.signature = salted_hmac(
        "audit.head", value, secret=settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()
    head.save()


def create_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES, params=None)  # no parameters: the % in RAISE stay as they are
    elif vendor == "sqlite":
        for statement in SQLITE:
            schema_editor.execute(statement)


def drop_triggers(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        for statement in SQLITE_REVERSE:
            schema_editor.execute(statement)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_anchors_and_login_windows")]

    operations = [
        migrations.RunPython(fill_head, migrations.RunPython.noop),
        migrations.RunPython(create_triggers, drop_triggers),
    ]

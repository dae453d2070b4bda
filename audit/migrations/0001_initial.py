# The audit trail, moved out of compliance. The tables already exist (created by
# compliance.0001_initial): this migration only takes them into the audit app's model state, and
# hands the content types (and so every permission granted on them, and the admin's log entries)
# from compliance to audit.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models

MODELS = ["auditevent", "auditchainhead"]


def move_content_types(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if ContentType.objects.filter(app_label="audit", model=model).exists():
            continue
        ContentType.objects.filter(app_label="compliance", model=model).update(app_label="audit")


def move_content_types_back(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    for model in MODELS:
        if not ContentType.objects.filter(app_label="compliance", model=model).exists():
            ContentType.objects.filter(app_label="audit", model=model).update(app_label="compliance")


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
        ("contenttypes", "0002_remove_content_type_name"),
        ("compliance", "0010_audit_moves_to_its_own_app"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="AuditChainHead",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("last_hash", models.CharField(max_length=64)),
                    ],
                    options={
                        "verbose_name": "audit chain head",
                        "db_table": "compliance_auditchainhead",
                    },
                ),
                migrations.CreateModel(
                    name="AuditEvent",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("occurred_at", models.DateTimeField(db_index=True, verbose_name="time")),
                        ("actor_name", models.CharField(blank=True, max_length=150, verbose_name="actor name")),
                        ("event", models.CharField(db_index=True, max_length=80, verbose_name="event")),
                        ("subject_type", models.CharField(blank=True, max_length=80, verbose_name="subject type")),
                        (
                            "subject_uuid",
                            models.UUIDField(blank=True, db_index=True, null=True, verbose_name="subject"),
                        ),
                        (
                            "subject_repr",
                            models.CharField(blank=True, max_length=255, verbose_name="subject description"),
                        ),
                        ("from_state", models.CharField(blank=True, max_length=40, verbose_name="from state")),
                        ("to_state", models.CharField(blank=True, max_length=40, verbose_name="to state")),
                        ("reason", models.TextField(blank=True, verbose_name="reason")),
                        ("data", models.JSONField(blank=True, default=dict, verbose_name="data")),
                        ("prev_hash", models.CharField(max_length=64, verbose_name="previous hash")),
                        ("hash", models.CharField(max_length=64, unique=True, verbose_name="hash")),
                        (
                            "actor",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                                verbose_name="actor",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name": "audit event",
                        "verbose_name_plural": "audit events",
                        "ordering": ["-id"],
                        "db_table": "compliance_auditevent",
                        "indexes": [
                            models.Index(
                                fields=["subject_type", "subject_uuid", "id"], name="compliance__subject_b6ffe2_idx"
                            )
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(move_content_types, move_content_types_back),
    ]

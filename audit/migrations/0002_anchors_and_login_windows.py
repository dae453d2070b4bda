from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.CreateModel(
            name="AuditAnchor",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("created_at", models.DateTimeField(verbose_name="created at")),
                ("event_id", models.BigIntegerField(verbose_name="newest event")),
                ("event_count", models.BigIntegerField(verbose_name="number of events")),
                ("hash", models.CharField(max_length=64, verbose_name="hash")),
                ("signature", models.CharField(max_length=64, verbose_name="signature")),
            ],
            options={
                "verbose_name": "audit anchor",
                "verbose_name_plural": "audit anchors",
                "ordering": ["-id"],
            },
        ),
        migrations.CreateModel(
            name="LoginFailureWindow",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("bucket", models.CharField(max_length=80, unique=True, verbose_name="bucket")),
                ("window_start", models.DateTimeField(verbose_name="window start")),
                ("attempts", models.PositiveIntegerField(default=0, verbose_name="attempts")),
                ("last_attempt_at", models.DateTimeField(verbose_name="last attempt")),
            ],
            options={
                "verbose_name": "failed-login window",
                "verbose_name_plural": "failed-login windows",
            },
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="event_count",
            field=models.BigIntegerField(default=0, verbose_name="number of events"),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="last_event_id",
            field=models.BigIntegerField(blank=True, null=True, verbose_name="newest event"),
        ),
        migrations.AddField(
            model_name="auditchainhead",
            name="signature",
            field=models.CharField(blank=True, max_length=64, verbose_name="signature"),
        ),
    ]

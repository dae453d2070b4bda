# The audit trail moves to the audit app. Only Django's model state changes here: the tables
# compliance_auditevent and compliance_auditchainhead stay, with every event and hash in them
# (audit.0001_initial takes them over under the same names).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0009_clock_defaults"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="AuditEvent"),
                migrations.DeleteModel(name="AuditChainHead"),
            ],
            database_operations=[],
        ),
    ]

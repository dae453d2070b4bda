from django.db import migrations


def forwards(apps, schema_editor):
    from workspace.reference_data import load_lead_times

    load_lead_times(apps)


class Migration(migrations.Migration):
    dependencies = [("workspace", "0001_calendar")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

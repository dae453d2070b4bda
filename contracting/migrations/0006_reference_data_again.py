from django.db import migrations


def load(apps, schema_editor):
    from contracting.reference_data import load_reference_data

    load_reference_data(apps)


class Migration(migrations.Migration):
    dependencies = [
        ("contracting", "0005_indexation_methods"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]

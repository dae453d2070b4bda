from django.db import migrations


def forwards(apps, schema_editor):
    from compliance.conditions.library import load_library

    load_library(apps)


class Migration(migrations.Migration):
    dependencies = [("compliance", "0002_conditions")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]

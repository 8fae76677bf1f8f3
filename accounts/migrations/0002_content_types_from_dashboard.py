"""Content types (and so permissions and admin history) follow the model out of `dashboard`."""

from django.db import migrations


def _relabel(apps, old, new):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    if not content_types.filter(app_label=new, model="user").exists():
        content_types.filter(app_label=old, model="user").update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "dashboard", "accounts")


def backwards(apps, schema_editor):
    _relabel(apps, "accounts", "dashboard")


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_initial"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

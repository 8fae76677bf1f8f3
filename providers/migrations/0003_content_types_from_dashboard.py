"""Content types (and so permissions and admin history) follow the model out of `dashboard`."""

from django.db import migrations


def _relabel(apps, old, new):
    content_types = apps.get_model("contenttypes", "ContentType").objects
    if not content_types.filter(app_label=new, model="providerprofile").exists():
        content_types.filter(app_label=old, model="providerprofile").update(app_label=new)


def forwards(apps, schema_editor):
    _relabel(apps, "dashboard", "providers")


def backwards(apps, schema_editor):
    _relabel(apps, "providers", "dashboard")


class Migration(migrations.Migration):
    dependencies = [
        ("providers", "0002_provider_base_urls_accept_service_names"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]

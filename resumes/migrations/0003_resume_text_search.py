"""A full-text index on the resume text, so search finds words inside resumes (PostgreSQL only;
other databases search the text with a plain substring match, see resumes.selectors)."""

from django.db import migrations

INDEX = "resume_text_search"
# Must match the expression selectors.resume_list searches with, or the index goes unused.
EXPRESSION = "to_tsvector('simple'::regconfig, COALESCE(text, ''))"


def create_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON resumes_resume USING gin ({EXPRESSION})"
        )


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("resumes", "0002_parse_attempts_and_search")]

    operations = [migrations.RunPython(create_index, drop_index)]

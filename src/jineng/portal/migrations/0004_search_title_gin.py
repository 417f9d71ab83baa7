"""PostgreSQL: a GIN index on the titles' words too, so "the title holds the words" (the first
rank of the public search) is found by the index instead of computing each match's title
vector (a common word in 300,000 class texts). SQLite needs none: its FTS5 table already has
the title column. Not in the model's Meta: the index exists on PostgreSQL only."""

from django.db import migrations

INDEX = "portal_search_title_gin"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f'CREATE INDEX IF NOT EXISTS "{INDEX}" ON "portal_searchdocument" USING gin '
            "(to_tsvector('simple'::regconfig, \"title_tokens\"))")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f'DROP INDEX IF EXISTS "{INDEX}"')


class Migration(migrations.Migration):

    dependencies = [
        ("portal", "0003_search_fts_kind"),
    ]

    operations = [
        migrations.RunPython(create, drop),
    ]

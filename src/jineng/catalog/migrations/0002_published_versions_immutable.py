"""Nothing published is edited in place, at the database level too: a published version may
only become superseded (its end cut, never lengthened); entries can be inserted, changed (and on
PostgreSQL deleted) only while their version is a draft. SQLite keeps DELETE open because test
databases are emptied with DELETE; the models refuse it. On PostgreSQL, a transaction that sets
`jineng.catalog_purge` to 'on' (services.catalogs_purge: removing the demo province) may
delete."""

from django.db import migrations

ENTRY_TABLES = [
    "catalog_subsidystandardentry",
    "catalog_institutioncatalogentry",
    "catalog_evaluationcatalogentry",
    "catalog_qualificationentry",
    "catalog_urgentoccupationentry",
]
SITES = "catalog_institutioncatalogentry_sites"
FIXED_VERSION_COLUMNS = [
    "catalog_id", "number", "effective_from", "declared_effective_to", "change_note",
    "based_on_id", "created_at", "created_by_id", "submitted_at", "submitted_by_id",
    "published_at", "approved_by_id", "rejected_at", "rejection_reason",
]
PURGING = "coalesce(current_setting('jineng.catalog_purge', true), '') = 'on'"
VERSION_MESSAGE = "published catalog versions cannot be changed; issue a new version"
ENTRY_MESSAGE = "entries can be changed only in a draft catalog version"


def _allowed_supersede(same: str) -> str:
    unchanged = " AND ".join(f"NEW.{c} {same} OLD.{c}" for c in FIXED_VERSION_COLUMNS)
    return (f"OLD.status = 'published' AND NEW.status = 'superseded' AND {unchanged} "
            "AND NEW.effective_to IS NOT NULL "
            "AND (OLD.effective_to IS NULL OR NEW.effective_to <= OLD.effective_to)")


def sqlite_sql() -> list[str]:
    status_of = "(SELECT status FROM catalog_catalogversion WHERE id = {ref}.version_id)"
    statements = [
        f"""CREATE TRIGGER catalog_version_frozen BEFORE UPDATE ON catalog_catalogversion
        FOR EACH ROW WHEN OLD.status IN ('published', 'superseded')
        AND NOT ({_allowed_supersede("IS")})
        BEGIN SELECT RAISE(ABORT, '{VERSION_MESSAGE}'); END;"""
    ]
    for table in ENTRY_TABLES:
        statements.append(
            f"""CREATE TRIGGER {table}_frozen_insert BEFORE INSERT ON {table}
            FOR EACH ROW WHEN {status_of.format(ref="NEW")} IS NOT 'draft'
            BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END;""")
        statements.append(
            f"""CREATE TRIGGER {table}_frozen_update BEFORE UPDATE ON {table}
            FOR EACH ROW WHEN {status_of.format(ref="OLD")} IS NOT 'draft'
            OR {status_of.format(ref="NEW")} IS NOT 'draft'
            BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END;""")
    site_status = ("(SELECT v.status FROM catalog_catalogversion v JOIN "
                   "catalog_institutioncatalogentry e ON e.version_id = v.id "
                   "WHERE e.id = {ref}.institutioncatalogentry_id)")
    for op, ref in (("INSERT", "NEW"), ("UPDATE", "OLD")):
        statements.append(
            f"""CREATE TRIGGER {SITES}_frozen_{op.lower()} BEFORE {op} ON {SITES}
            FOR EACH ROW WHEN {site_status.format(ref=ref)} IS NOT 'draft'
            BEGIN SELECT RAISE(ABORT, '{ENTRY_MESSAGE}'); END;""")
    return statements


def postgres_sql() -> list[str]:
    statements = [
        f"""CREATE OR REPLACE FUNCTION catalog_refuse_frozen_version() RETURNS trigger AS $$
        BEGIN
          IF TG_OP = 'DELETE' THEN
            IF OLD.status <> 'draft' AND NOT {PURGING} THEN
              RAISE EXCEPTION '{VERSION_MESSAGE}';
            END IF;
            RETURN OLD;
          END IF;
          IF OLD.status IN ('published', 'superseded')
             AND NOT ({_allowed_supersede("IS NOT DISTINCT FROM")}) THEN
            RAISE EXCEPTION '{VERSION_MESSAGE}';
          END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
        """CREATE TRIGGER catalog_version_frozen BEFORE UPDATE OR DELETE
        ON catalog_catalogversion FOR EACH ROW EXECUTE FUNCTION catalog_refuse_frozen_version();""",
        f"""CREATE OR REPLACE FUNCTION catalog_refuse_frozen_entry() RETURNS trigger AS $$
        DECLARE st varchar;
        BEGIN
          IF TG_OP = 'DELETE' AND {PURGING} THEN RETURN OLD; END IF;
          IF TG_OP <> 'INSERT' THEN
            SELECT status INTO st FROM catalog_catalogversion WHERE id = OLD.version_id;
            IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{ENTRY_MESSAGE}'; END IF;
          END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          SELECT status INTO st FROM catalog_catalogversion WHERE id = NEW.version_id;
          IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{ENTRY_MESSAGE}'; END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
        f"""CREATE OR REPLACE FUNCTION catalog_refuse_frozen_site() RETURNS trigger AS $$
        DECLARE st varchar; eid bigint;
        BEGIN
          IF TG_OP = 'DELETE' AND {PURGING} THEN RETURN OLD; END IF;
          IF TG_OP = 'INSERT' THEN eid := NEW.institutioncatalogentry_id;
          ELSE eid := OLD.institutioncatalogentry_id; END IF;
          SELECT v.status INTO st FROM catalog_catalogversion v
            JOIN catalog_institutioncatalogentry e ON e.version_id = v.id WHERE e.id = eid;
          IF st IS DISTINCT FROM 'draft' THEN RAISE EXCEPTION '{ENTRY_MESSAGE}'; END IF;
          IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
          RETURN NEW;
        END; $$ LANGUAGE plpgsql;""",
    ]
    for table in ENTRY_TABLES:
        statements.append(
            f"""CREATE TRIGGER {table}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {table}
            FOR EACH ROW EXECUTE FUNCTION catalog_refuse_frozen_entry();""")
    statements.append(
        f"""CREATE TRIGGER {SITES}_frozen BEFORE INSERT OR UPDATE OR DELETE ON {SITES}
        FOR EACH ROW EXECUTE FUNCTION catalog_refuse_frozen_site();""")
    return statements


def drop_sql(vendor: str) -> list[str]:
    if vendor == "sqlite":
        names = ["catalog_version_frozen"]
        for table in ENTRY_TABLES:
            names += [f"{table}_frozen_insert", f"{table}_frozen_update"]
        names += [f"{SITES}_frozen_insert", f"{SITES}_frozen_update"]
        return [f"DROP TRIGGER IF EXISTS {n};" for n in names]
    if vendor == "postgresql":
        drops = ["DROP TRIGGER IF EXISTS catalog_version_frozen ON catalog_catalogversion;"]
        drops += [f"DROP TRIGGER IF EXISTS {t}_frozen ON {t};" for t in [*ENTRY_TABLES, SITES]]
        drops += ["DROP FUNCTION IF EXISTS catalog_refuse_frozen_version();",
                  "DROP FUNCTION IF EXISTS catalog_refuse_frozen_entry();",
                  "DROP FUNCTION IF EXISTS catalog_refuse_frozen_site();"]
        return drops
    return []


def install(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    statements = {"sqlite": sqlite_sql, "postgresql": postgres_sql}.get(vendor, list)()
    for sql in statements:
        schema_editor.execute(sql)


def remove(apps, schema_editor):
    for sql in drop_sql(schema_editor.connection.vendor):
        schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]
    operations = [migrations.RunPython(install, remove)]

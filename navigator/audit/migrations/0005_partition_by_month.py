"""The audit trail, partitioned by month on PostgreSQL, and guarded against TRUNCATE.

A month of entries is then removed, once the retention policy allows, by detaching and dropping
its partition (`navigator.audit.services.audit_month_drop`): 0.1 s, where a DELETE of a month
of a large trail took minutes, was refused by the append-only trigger anyway and returned no
disk. SQLite (development and tests) keeps the plain table of 0001.

The partitioned table keeps the table's name and columns (so the model is unchanged); its
primary key is (id, at), as PostgreSQL requires the partition key in it, and `id` comes from a
sequence (PostgreSQL 16 has no identity columns on partitioned tables). Row triggers on the
parent are cloned onto every partition, present and future, so the append-only rule holds
however a partition is addressed; TRUNCATE triggers are per table, so each partition gets its
own. `audit_partition_create(month)` makes a month's partition (idempotent); it runs with the
owner's rights (SECURITY DEFINER) so the app, which owns nothing, can create months ahead. A
DEFAULT partition catches any entry with no month made for it, so an insert never fails.
"""

from django.conf import settings
from django.db import migrations

FUNCTIONS = r"""
CREATE OR REPLACE FUNCTION audit_event_refuse_truncate() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only: TRUNCATE is refused';
END;
$$ LANGUAGE plpgsql;

CREATE OR REPLACE FUNCTION audit_partition_create(month date) RETURNS text
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, public AS $$
DECLARE
    first_day date := make_date(extract(year FROM month)::int, extract(month FROM month)::int, 1);
    starts timestamptz := first_day::timestamp AT TIME ZONE 'UTC';
    ends timestamptz := (first_day + interval '1 month')::date::timestamp AT TIME ZONE 'UTC';
    name text := 'audit_auditevent_' || to_char(first_day, 'YYYY_MM');
BEGIN
    IF to_regclass('public.' || name) IS NOT NULL THEN
        RETURN name;
    END IF;
    -- Entries already caught by the default partition for this month stay there: the month
    -- cannot be made without moving them, which the append-only rule forbids.
    IF EXISTS (SELECT 1 FROM public.audit_auditevent_default WHERE at >= starts AND at < ends) THEN
        RETURN NULL;
    END IF;
    EXECUTE format(
        'CREATE TABLE public.%I PARTITION OF public.audit_auditevent FOR VALUES FROM (%L) TO (%L)',
        name, starts, ends);
    EXECUTE format(
        'CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON public.%I '
        'FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate()', name);
    RETURN name;
END;
$$;
REVOKE ALL ON FUNCTION audit_partition_create(date) FROM PUBLIC;
"""

PARTITION = r"""
ALTER TABLE audit_auditevent RENAME TO audit_auditevent_unpartitioned;
CREATE TABLE audit_auditevent (LIKE audit_auditevent_unpartitioned INCLUDING DEFAULTS)
    PARTITION BY RANGE (at);
CREATE TABLE audit_auditevent_default PARTITION OF audit_auditevent DEFAULT;
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent_default
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate();
SELECT audit_partition_create(month::date) FROM generate_series(
    date_trunc('month', coalesce(
        (SELECT min(at) FROM audit_auditevent_unpartitioned), now()) AT TIME ZONE 'UTC'),
    date_trunc('month', now() AT TIME ZONE 'UTC') + interval '3 months',
    interval '1 month') AS month;
INSERT INTO audit_auditevent SELECT * FROM audit_auditevent_unpartitioned;
DROP TABLE audit_auditevent_unpartitioned;

CREATE SEQUENCE audit_auditevent_id_seq OWNED BY audit_auditevent.id;
SELECT setval('audit_auditevent_id_seq', coalesce(max(id), 0) + 1, false) FROM audit_auditevent;
ALTER TABLE audit_auditevent ALTER COLUMN id SET DEFAULT nextval('audit_auditevent_id_seq');
ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_pkey PRIMARY KEY (id, at);
ALTER TABLE audit_auditevent ADD CONSTRAINT audit_auditevent_actor_id_fk_accounts_user_id
    FOREIGN KEY (actor_id) REFERENCES accounts_user (id) DEFERRABLE INITIALLY DEFERRED;
CREATE INDEX audit_patient_at ON audit_auditevent (patient_id, at DESC);

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_event_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_event_refuse_truncate();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(FUNCTIONS, params=None)
        schema_editor.execute(PARTITION, params=None)


class Migration(migrations.Migration):
    # One transaction: the trail is never without its guard, nor half copied.
    atomic = True
    dependencies = [
        ("audit", "0004_lean_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]
    # Not reversible: going back would mean copying the trail into a plain table again.
    operations = [migrations.RunPython(forwards)]

-- The database's two roles, made idempotently by a superuser (docker-compose's `roles` service,
-- .ci/run): an owner that migrations run as, and the app's role, which owns nothing.
--   psql -v db=navigator -v owner=navigator_owner -v owner_password=... \
--        -v app=navigator_app -v app_password=... -f deploy/postgres/roles.sql
-- An empty password leaves the role's password as it is (CI trusts local connections).
-- Afterwards: migrate as the owner, then `manage.py grant_app_role <app>` (README, "Database roles").
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I', :'owner')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner') \gexec
SELECT format('CREATE ROLE %I', :'app')
WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app') \gexec

SELECT format('ALTER ROLE %I LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS', r)
FROM unnest(ARRAY[:'owner', :'app']) AS r \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'owner', :'owner_password')
WHERE :'owner_password' <> '' \gexec
SELECT format('ALTER ROLE %I PASSWORD %L', :'app', :'app_password')
WHERE :'app_password' <> '' \gexec

-- The owner owns the database, its public schema and everything in it (a deployment that ran
-- as one role before hands its tables, views and functions over); the app role owns nothing.
SELECT format('ALTER DATABASE %I OWNER TO %I', :'db', :'owner') \gexec
SELECT format('ALTER SCHEMA public OWNER TO %I', :'owner') \gexec
REVOKE CREATE ON SCHEMA public FROM PUBLIC;
SELECT format('ALTER TABLE public.%I OWNER TO %I', c.relname, :'owner')
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p', 'v', 'm')
  AND pg_get_userbyid(c.relowner) <> :'owner' \gexec
SELECT format('ALTER FUNCTION public.%I(%s) OWNER TO %I',
              p.proname, pg_get_function_identity_arguments(p.oid), :'owner')
FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
WHERE n.nspname = 'public' AND pg_get_userbyid(p.proowner) <> :'owner' \gexec

-- One login role per service, owning its schema and nothing else: the kpi role cannot read intake's
-- tables, and no service can create schemas or objects elsewhere. Idempotent: run it on a new or an
-- existing database (it also hands over tables created earlier by the admin role).
--
--   psql -v ON_ERROR_STOP=1 -v intake_password=... -v kpi_password=... -v notifier_password=... \
--        -d bdhvs -f deploy/postgres/roles.sql
--
-- Run as a superuser (or the database owner with CREATEROLE). A missing password variable stops it.
\set ON_ERROR_STOP on

SELECT format('CREATE ROLE %I LOGIN', name)
FROM (VALUES ('intake'), ('kpi'), ('notifier')) AS services(name)
WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = name) \gexec

ALTER ROLE intake LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'intake_password';
ALTER ROLE kpi LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'kpi_password';
ALTER ROLE notifier LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'notifier_password';

-- Only these roles (and the owner) may connect; nobody else may create in public.
REVOKE ALL ON DATABASE :"DBNAME" FROM PUBLIC;
GRANT CONNECT, TEMPORARY ON DATABASE :"DBNAME" TO intake, kpi, notifier;
REVOKE CREATE ON SCHEMA public FROM PUBLIC;

-- Each schema belongs to its service, so that service's migrations create and alter its tables.
CREATE SCHEMA IF NOT EXISTS intake AUTHORIZATION intake;
CREATE SCHEMA IF NOT EXISTS kpi AUTHORIZATION kpi;
CREATE SCHEMA IF NOT EXISTS notifier AUTHORIZATION notifier;
ALTER SCHEMA intake OWNER TO intake;
ALTER SCHEMA kpi OWNER TO kpi;
ALTER SCHEMA notifier OWNER TO notifier;
REVOKE ALL ON SCHEMA intake, kpi, notifier FROM PUBLIC;

-- Tables, sequences and views migrated before the roles existed (by the admin role) change hands.
SELECT format('ALTER TABLE %I.%I OWNER TO %I', n.nspname, c.relname, n.nspname)
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE n.nspname IN ('intake', 'kpi', 'notifier')
  AND c.relkind IN ('r', 'p', 'v', 'm', 'S')
  AND pg_get_userbyid(c.relowner) <> n.nspname
  AND NOT (c.relkind = 'S' AND EXISTS (  -- sequences owned by a column follow their table
    SELECT 1 FROM pg_depend d WHERE d.objid = c.oid AND d.deptype IN ('a', 'i')))
\gexec

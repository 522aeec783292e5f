#!/bin/sh
# docker-entrypoint-initdb.d hook of the postgres image (first start on an empty volume): create the
# service roles. To apply roles.sql to an existing database, run the same psql command by hand.
set -eu
psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname "$POSTGRES_DB" \
  -v intake_password="${INTAKE_DB_PASSWORD:?}" \
  -v kpi_password="${KPI_DB_PASSWORD:?}" \
  -v notifier_password="${NOTIFIER_DB_PASSWORD:?}" \
  -f /bdhvs/roles.sql

#!/bin/sh
# Apply each service's migrations with that service's own database role.
# INTAKE_DATABASE_URL, KPI_DATABASE_URL and NOTIFIER_DATABASE_URL are required; a failure stops the
# job with a non-zero status, so the services (which wait for it) do not start on an old schema.
set -eu
# The settings classes want these even to migrate; migrations touch neither NATS nor SMTP.
export NATS_URL="${NATS_URL:-nats://unused:4222}" SMTP_HOST="${SMTP_HOST:-unused}"
DATABASE_URL="${INTAKE_DATABASE_URL:?set INTAKE_DATABASE_URL}" python -m intake migrate
DATABASE_URL="${KPI_DATABASE_URL:?set KPI_DATABASE_URL}" python -m kpi migrate
DATABASE_URL="${NOTIFIER_DATABASE_URL:?set NOTIFIER_DATABASE_URL}" python -m notifier migrate
echo "migrations applied: intake, kpi, notifier"

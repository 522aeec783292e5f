#!/bin/sh
# Alertmanager reads no environment variables: write SMTP_HOST, SMTP_PORT, SMTP_STARTTLS,
# ALERT_EMAIL_TO and ALERT_EMAIL_FROM into its configuration, then start it. A missing one stops here.
set -eu
: "${SMTP_HOST:?}" "${SMTP_PORT:?}" "${SMTP_STARTTLS:?}" "${ALERT_EMAIL_TO:?}" "${ALERT_EMAIL_FROM:?}"
config="${ALERTMANAGER_CONFIG:-/alertmanager/alertmanager.yml}"
escape() { printf '%s' "$1" | sed 's/[|&\\]/\\&/g'; }
sed -e "s|\${SMTP_HOST}|$(escape "$SMTP_HOST")|g" \
    -e "s|\${SMTP_PORT}|$(escape "$SMTP_PORT")|g" \
    -e "s|\${SMTP_STARTTLS}|$(escape "$SMTP_STARTTLS")|g" \
    -e "s|\${ALERT_EMAIL_TO}|$(escape "$ALERT_EMAIL_TO")|g" \
    -e "s|\${ALERT_EMAIL_FROM}|$(escape "$ALERT_EMAIL_FROM")|g" \
    "$(dirname "$0")/alertmanager.yml" > "$config"
exec "${ALERTMANAGER_BIN:-/bin/alertmanager}" --config.file="$config" --storage.path=/alertmanager "$@"

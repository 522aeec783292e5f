"""store_revision: a submission's writes in one round trip

Revision ID: 0007
Revises: 0006

`intake.store_revision(...)` does, in one call and in the caller's transaction, what a submission
did in five statements (`adapters/submission.py` calls it): claim the retry key (or say who holds
it, and then write nothing), read the unit's previous figures, create the report or bump its
revision (the row lock serialises concurrent resubmissions), store the revision and stage its
event in the outbox. The event's body comes from the service with the report id and revision of a
first revision; the function puts in the stored ones. When the stored timeliness is not the one
the service assumed (a later revision of a report whose first revision decided otherwise), it
stages nothing and says so, and the service stages the event itself.

The history rule stays in the service: it runs on the returned previous figures, and a report
that needs confirmation is rolled back with its transaction.
"""

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SIGNATURE = (
    "intake.store_revision(uuid, text, text, uuid, uuid, text, text, text, date, timestamptz,"
    " timestamptz, boolean, jsonb, text[], integer, text, text, text, jsonb, text, text)"
)

FUNCTION = """
CREATE FUNCTION intake.store_revision(
    p_token_id uuid, p_key text, p_fingerprint text,
    p_event_id uuid, p_report_id uuid,
    p_unit text, p_form text, p_period text, p_as_of date,
    p_received_at timestamptz, p_deadline timestamptz, p_on_time boolean,
    p_values jsonb, p_indicators text[], p_lookback integer,
    p_submitted_by text, p_catalogue_version text,
    p_subject text, p_headers jsonb, p_body_head text, p_body_tail text
) RETURNS TABLE (
    claim text, claim_event_id uuid, claim_same boolean,
    report_id uuid, revision integer, first_received_at timestamptz, deadline timestamptz,
    on_time boolean, staged boolean,
    previous_codes text[], previous_as_of date[], previous_periods text[],
    previous_numerators bigint[], previous_denominators bigint[]
)
LANGUAGE plpgsql VOLATILE AS $fn$
#variable_conflict use_column
BEGIN
    IF p_token_id IS NOT NULL THEN
        INSERT INTO intake.idempotency_keys (token_id, key, request_sha256, created_at, event_id)
        VALUES (p_token_id, p_key, p_fingerprint, p_received_at, p_event_id)
        ON CONFLICT DO NOTHING;
        IF NOT FOUND THEN  -- taken (a concurrent claim waited for its transaction to end)
            claim := 'taken';
            SELECT k.event_id, k.request_sha256 = p_fingerprint INTO claim_event_id, claim_same
            FROM intake.idempotency_keys k WHERE k.token_id = p_token_id AND k.key = p_key;
            RETURN NEXT;
            RETURN;
        END IF;
        claim := 'new';
    END IF;

    -- The unit's latest figure of each indicator among its last reports before this as-of day.
    WITH recent AS (
        SELECT r.period, r.as_of, v."values", row_number() OVER (ORDER BY r.as_of DESC) AS n
        FROM intake.reports r
        JOIN intake.report_revisions v ON v.report_id = r.id AND v.revision = r.latest_revision
        WHERE r.unit_code = p_unit AND r.as_of < p_as_of
        ORDER BY r.as_of DESC
        LIMIT p_lookback
    ), latest AS (
        SELECT DISTINCT ON (f.key) f.key, recent.as_of, recent.period,
               (f.value ->> 'numerator')::bigint AS numerator,
               (f.value ->> 'denominator')::bigint AS denominator
        FROM recent CROSS JOIN LATERAL jsonb_each(recent."values") AS f
        WHERE f.key = ANY (p_indicators)
        ORDER BY f.key, recent.n
    )
    SELECT coalesce(array_agg(key), '{}'), coalesce(array_agg(as_of), '{}'),
           coalesce(array_agg(period), '{}'), coalesce(array_agg(numerator), '{}'),
           coalesce(array_agg(denominator), '{}')
    INTO previous_codes, previous_as_of, previous_periods, previous_numerators, previous_denominators
    FROM latest;

    -- Timeliness is decided by the first revision and kept by later ones.
    INSERT INTO intake.reports AS r
        (id, unit_code, form, period, as_of, first_received_at, deadline, on_time, latest_revision)
    VALUES (p_report_id, p_unit, p_form, p_period, p_as_of, p_received_at, p_deadline, p_on_time, 1)
    ON CONFLICT ON CONSTRAINT uq_reports_unit_form_period
    DO UPDATE SET latest_revision = r.latest_revision + 1
    RETURNING r.id, r.latest_revision, r.first_received_at, r.deadline, r.on_time
    INTO report_id, revision, first_received_at, deadline, on_time;

    INSERT INTO intake.report_revisions
        (report_id, revision, "values", received_at, submitted_by, event_id, catalogue_version)
    VALUES (report_id, revision, p_values, p_received_at, p_submitted_by, p_event_id, p_catalogue_version);

    staged := deadline = p_deadline AND on_time = p_on_time;
    IF staged THEN
        INSERT INTO intake.outbox (id, subject, headers, payload)
        VALUES (p_event_id, p_subject, p_headers, convert_to(
            p_body_head || '"report_id":"' || report_id || '","revision":' || revision || ','
            || p_body_tail, 'UTF8'));
    END IF;
    RETURN NEXT;
END
$fn$
"""


def upgrade() -> None:
    op.execute(FUNCTION)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION {SIGNATURE}")

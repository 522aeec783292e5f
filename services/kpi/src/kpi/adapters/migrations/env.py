from bdhvs_shared.db.migrations import run_env
from kpi.adapters.tables import metadata

run_env(metadata, schema="kpi")

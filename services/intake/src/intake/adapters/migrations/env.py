from bdhvs_shared.db.migrations import run_env
from intake.adapters.tables import metadata

run_env(metadata, schema="intake")

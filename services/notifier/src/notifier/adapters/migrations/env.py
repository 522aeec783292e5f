from bdhvs_shared.db.migrations import run_env
from notifier.adapters.tables import metadata

run_env(metadata, schema="notifier")

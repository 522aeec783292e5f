from bdhvs_local.cli import app

app()

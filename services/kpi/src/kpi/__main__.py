from kpi.entrypoints.cli import app

app()

from kpi.cli import app

app()

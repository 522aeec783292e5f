from intake.entrypoints.cli import app

app()

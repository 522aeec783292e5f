from web.entrypoints.cli import app

app()

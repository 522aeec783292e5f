from notifier.entrypoints.cli import app

app()

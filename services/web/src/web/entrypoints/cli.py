"""`web serve`: the pages, on WEB settings from the environment."""

from __future__ import annotations

import typer

app = typer.Typer(help="BDHVS web: the people's pages.", no_args_is_help=True)


@app.command()
def serve() -> None:
    """Serve the pages (HTTP_HOST, HTTP_PORT; INTAKE_URL, KPI_URL, NOTIFIER_URL; WEB_SECRET)."""
    import uvicorn

    from web.bootstrap import create_app
    from web.settings import WebSettings

    settings = WebSettings()
    uvicorn.run(
        create_app(settings),
        host=settings.http_host,
        port=settings.http_port,
        log_level="warning",
        proxy_headers=True,
    )


@app.command()
def migrate() -> None:
    """Nothing to migrate: the web service owns no data (kept so every service answers `migrate`)."""
    typer.echo("web: no database, nothing to migrate")

"""What drives kpi: HTTP routes, the NATS consumer, polling workers, the CLI, the API documents."""

"""Notifier's ways in: the HTTP API, the NATS consumers, the workers (ticks, dispatchers), the CLI."""

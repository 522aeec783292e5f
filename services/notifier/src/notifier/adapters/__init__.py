"""Notifier's adapters: PostgreSQL, SMTP."""

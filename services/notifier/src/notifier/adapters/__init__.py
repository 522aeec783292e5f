"""Notifier's adapters: PostgreSQL, SMTP, SMS and webhook HTTP, Jinja2 templates, shipped data files."""

"""Notifier's pure rules and models (no I/O imports)."""

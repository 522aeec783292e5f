"""Notifier's HTTP API (FastAPI routers)."""

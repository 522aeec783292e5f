"""Intake's adapters: PostgreSQL tables and repositories."""

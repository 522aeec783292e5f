"""Intake's adapters: PostgreSQL tables and queries, migrations, spreadsheets, the isolated file reader."""

"""KPI's adapters: PostgreSQL tables and queries."""

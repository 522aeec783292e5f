"""KPI's adapters: PostgreSQL tables, queries and locks, NATS streams, the consolidated report files."""

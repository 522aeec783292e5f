"""PostgreSQL helpers shared by the services: engine, outbox, processed events, migrations."""

"""JetStream provisioning, connection and reliable consumption."""

"""The use cases: apply reports (one by one, in batches), roll up, re-judge, consolidate, rebuild, verify."""

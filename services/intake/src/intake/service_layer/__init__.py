"""Intake's use cases: submit a report, import a file, change the catalogue (one module each)."""

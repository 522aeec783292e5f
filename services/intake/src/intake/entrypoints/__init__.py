"""Intake's entry points: HTTP routes, the command line, background workers, the API-document generator."""

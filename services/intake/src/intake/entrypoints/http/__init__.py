"""Intake's HTTP routes (thin: parse, call the service, shape the reply)."""

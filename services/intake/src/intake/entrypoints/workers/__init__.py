"""Intake's background loops (polling workers started by the composition root)."""

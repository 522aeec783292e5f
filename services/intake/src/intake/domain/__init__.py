"""Intake's pure rules: validation with Vietnamese messages, timeliness, who may do what."""

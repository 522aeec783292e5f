"""Notifier's pure rules."""

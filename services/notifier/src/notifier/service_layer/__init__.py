"""Notifier's use cases: alerts and their groups, the deadline ledger, delivery, directory admin."""

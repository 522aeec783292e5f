"""Notifier's polling loops: the alert tick, the ledger tick, one dispatcher per channel."""

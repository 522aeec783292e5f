"""The one error a handler raises for a message that can never be processed (no broker imported)."""

from __future__ import annotations


class PoisonMessage(Exception):
    """The message can never be processed as it is (bad data), so retrying is pointless."""

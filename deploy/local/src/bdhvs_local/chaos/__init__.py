"""`make chaos`: a fault-injection campaign against its own stack (see docs/chaos.md)."""

from bdhvs_local.chaos.campaign import Plan, run

__all__ = ["Plan", "run"]

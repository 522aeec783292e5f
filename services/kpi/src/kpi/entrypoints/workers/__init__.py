"""Polling loops and ticks: roll-up worker, daily status tick, consolidation tick, attainment gauges."""

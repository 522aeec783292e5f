"""KPI's HTTP read API."""

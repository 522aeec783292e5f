"""KPI rules and models as pure functions (KPI_RULES.md): no I/O, no framework imports."""

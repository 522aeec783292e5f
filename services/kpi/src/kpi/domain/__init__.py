"""KPI rules and models as pure functions (docs/kpi-rules.md): no I/O, no framework imports."""

"""`make authz`: every commune token against every other unit, on every endpoint naming one."""

"""Who is calling: intake owns the API tokens; kpi and notifier ask it (token introspection).

`caller` is pure; `introspection` (HTTP) and `routes` (FastAPI) are imported where used.
"""

from bdhvs_shared.auth.caller import Caller, Role

__all__ = ["Caller", "Role"]

"""Who is changing the directory, for the audit log: an admin's intake token.

Routes take `actor: Actor`; the name recorded is the caller's label (`Caller.label`: a person as
`Name (account)`, an API token as `its name (admin:<token id>)`).
Reading the directory is open to operators too (see the router); changing it is for admins.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends

from bdhvs_shared.auth import Caller, Role
from bdhvs_shared.auth.routes import require_roles

_admin_only = require_roles(Role.ADMIN)


async def current_actor(caller: Annotated[Caller, Depends(_admin_only)]) -> str:
    return caller.label


Actor = Annotated[str, Depends(current_actor)]

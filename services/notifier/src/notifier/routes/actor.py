"""Who is changing the directory, for the audit log.

Routes take `actor: Actor`; only this dependency knows where the name comes from. Until the
notifier checks intake's tokens, it is the `X-Actor` header, required and length-limited, so no
change is ever stored without a name.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Header

from notifier.directory_admin import DirectoryRejected
from notifier.domain.directory import Problem


async def current_actor(
    x_actor: Annotated[
        str | None, Header(description="Who makes the change (audit log), e.g. operator:cds.sokhcn")
    ] = None,
) -> str:
    actor = (x_actor or "").strip()
    if not actor or len(actor) > 100 or "\x00" in actor:
        raise DirectoryRejected(
            [
                Problem(
                    "auth.actor_missing", "X-Actor", "Cần cho biết ai thực hiện thay đổi (tối đa 100 ký tự)."
                )
            ],
            401,
        )
    return actor


Actor = Annotated[str, Depends(current_actor)]

"""The catalogue the notifier follows: loaded at start, then switched when an admin publishes a new
version (the message texts and the deadline ledger take it)."""

from __future__ import annotations

from nats.js import JetStreamContext

from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.catalogue_follower import CatalogueFollower
from notifier.adapters.messages import Messages
from notifier.domain.ledger import ledger_forms
from notifier.service_layer.ledger import DeadlineLedger
from notifier.settings import NotifierSettings


async def follow_catalogue(
    settings: NotifierSettings, js: JetStreamContext, messages: Messages, ledger: DeadlineLedger
) -> CatalogueFollower:
    """Load the published catalogue now, then follow it: texts and the ledger switch to a new version."""

    def switch(new: Catalogue) -> None:  # an admin published a new catalogue version
        messages.catalogue = ledger.catalogue = new
        ledger.forms = ledger_forms(new, settings.ledger.forms)

    follower = CatalogueFollower(js, lambda: messages.catalogue, switch, settings.catalogue_poll_seconds)
    await follower.run_once()
    follower.start()
    return follower

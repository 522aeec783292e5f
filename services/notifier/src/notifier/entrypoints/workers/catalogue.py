"""The catalogue the notifier follows: loaded at start, then switched when an admin publishes a new
version (the message texts, the deadline ledger and the alerts' province take it)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol

from nats.js import JetStreamContext

from bdhvs_shared.catalogue import Catalogue
from bdhvs_shared.catalogue_follower import CatalogueFollower
from notifier.adapters.messages import Messages
from notifier.domain.alerts import AlertPolicy
from notifier.domain.ledger import ledger_forms
from notifier.service_layer.ledger import DeadlineLedger
from notifier.settings import NotifierSettings


class UsesAlertPolicy(Protocol):
    """The alert service and the alert groups: their policy names the province (the catalogue's)."""

    policy: AlertPolicy


def catalogue_switch(
    forms: Sequence[str], messages: Messages, ledger: DeadlineLedger, alerts: Sequence[UsesAlertPolicy]
) -> Callable[[Catalogue], None]:
    """What an admin's new catalogue version changes: the texts, the ledger's forms (LEDGER_FORMS:
    `forms`), the alerts' province."""

    def switch(new: Catalogue) -> None:
        messages.catalogue = ledger.catalogue = new
        ledger.forms = ledger_forms(new, forms)
        for user in alerts:
            user.policy = replace(user.policy, province=new.province.code)

    return switch


async def follow_catalogue(
    settings: NotifierSettings,
    js: JetStreamContext,
    messages: Messages,
    ledger: DeadlineLedger,
    alerts: Sequence[UsesAlertPolicy],
) -> CatalogueFollower:
    """Load the published catalogue now, then follow it: texts, the ledger and the alerts' province
    switch to a new version."""
    switch = catalogue_switch(settings.ledger.forms, messages, ledger, alerts)
    follower = CatalogueFollower(js, lambda: messages.catalogue, switch, settings.catalogue_poll_seconds)
    await follower.run_once()
    follower.start()
    return follower

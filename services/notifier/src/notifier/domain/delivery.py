"""How a notification goes out, the same for alerts and the deadline ledger (pure)."""

from __future__ import annotations

from dataclasses import dataclass

from notifier.domain.quiet_hours import QuietHours


@dataclass(frozen=True)
class DeliveryPolicy:
    """The channels this notifier sends by, and the SMS rules every queued notification follows."""

    channels: tuple[str, ...] = ("email",)  # configured channels: email always, SMS and webhooks if set up
    keep_diacritics: bool = False  # SMS with Vietnamese diacritics (UCS-2) rather than without
    quiet_hours: QuietHours | None = None  # SMS created in them wait for their end

    def quiet_for(self, channel: str) -> QuietHours | None:
        """The quiet hours a channel keeps: only SMS has them."""
        return self.quiet_hours if channel == "sms" else None

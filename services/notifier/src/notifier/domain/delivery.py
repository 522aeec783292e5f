"""How a notification goes out, the same for alerts and the deadline ledger (pure)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bdhvs_shared.catalogue import Workdays
from notifier.domain.quiet_hours import QuietHours, next_allowed
from notifier.domain.working_hours import WorkingHours, next_working_moment


@dataclass(frozen=True)
class DeliveryPolicy:
    """The channels this notifier sends by, and the rules every queued notification follows."""

    channels: tuple[str, ...] = ("email",)  # configured channels: email always, SMS and webhooks if set up
    keep_diacritics: bool = False  # SMS with Vietnamese diacritics (UCS-2) rather than without
    quiet_hours: QuietHours | None = None  # SMS created in them wait for their end
    working_days_only: bool = False  # nothing goes out on a day off (the catalogue's calendar)
    working_hours: WorkingHours | None = None  # …nor outside these hours of a working day
    alerts_any_time: bool = False  # below-target alerts go out whatever the day and hour

    def quiet_for(self, channel: str) -> QuietHours | None:
        """The quiet hours a channel keeps: only SMS has them."""
        return self.quiet_hours if channel == "sms" else None

    def earliest(
        self, now: datetime, channel: str, workdays: Workdays | None, alert: bool = False
    ) -> datetime:
        """When a notification queued `now` may first go out: the next working moment (unless it is
        an alert and alerts go out any time), then past the channel's quiet hours."""
        when = now
        if self.working_days_only and workdays is not None and not (alert and self.alerts_any_time):
            when = next_working_moment(now, workdays, self.working_hours)
        return next_allowed(when, self.quiet_for(channel))

"""The chaos campaign's count of crashes mid-send (C) and of duplicates no cut attempt accounts for,
and the lines that show where each duplicate came from."""

from __future__ import annotations

from collections import Counter

from bdhvs_local.chaos.attribution import explain
from bdhvs_local.chaos.check import unexplained_duplicates
from bdhvs_local.chaos.faults import Fault
from bdhvs_local.chaos.mid_send import cut_per_notification
from bdhvs_local.chaos.receivers import Arrival


def test_one_kill_that_cuts_three_channels_attempts_counts_three_and_a_committed_one_none() -> None:
    # the notifier runs one dispatcher per channel: a kill can land while all three are sending
    kills = [{"701": "n-email", "702": "n-sms", "703": "n-webhook"}, {"710": "n-email-2"}]
    never = {"701", "702", "703"}  # 710 committed between the look and the kill
    assert cut_per_notification(kills, never) == Counter({"n-email": 1, "n-sms": 1, "n-webhook": 1})


def test_a_duplicate_is_explained_only_by_a_cut_attempt_of_its_own_notification() -> None:
    received = {"email": Counter({"k-a": 2, "k-b": 1}), "sms": Counter({"n-c": 3})}
    ids = {("email", "k-a"): "n-a", ("email", "k-b"): "n-b", ("sms", "n-c"): "n-c"}
    assert unexplained_duplicates(received, ids, Counter({"n-a": 1, "n-c": 2})) == 0
    assert unexplained_duplicates(received, ids, Counter({"n-a": 1, "n-c": 1})) == 1
    # a cut attempt of another notification does not account for this one's re-send
    assert unexplained_duplicates(received, ids, Counter({"n-b": 1, "n-c": 2})) == 1


def test_the_explanation_lists_the_arrivals_and_only_the_faults_around_the_first() -> None:
    arrivals = [Arrival(100.0, 100.1, "ok", True), Arrival(160.0, 160.0, "ok", True)]
    timeline = [
        Fault(50.0, 56.0, "pause kpi"),  # over before the delivery began
        Fault(95.0, 97.0, "sms 5xx"),
        Fault(100.1, 100.1, "kill notifier mid-send"),
        Fault(150.0, 150.0, "restart PostgreSQL"),  # long after: not its cause
    ]
    lines = explain("webhook", "k-1", "n-1", arrivals, timeline, ["12:00:00.000 sending notification"])
    text = "\n".join(lines)
    assert "kill notifier mid-send" in text and "sms 5xx" in text
    assert "pause kpi" not in text and "restart PostgreSQL" not in text
    assert text.count("arrived") == 2 and "notifier 12:00:00.000 sending notification" in text

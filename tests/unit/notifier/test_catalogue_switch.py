"""The notifier's catalogue switch (`entrypoints/workers/catalogue.py`): a catalogue an admin
publishes changes the texts, the ledger's forms and the province the alerts group and mute by —
the province is the catalogue's (province.yaml), no setting of its own."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bdhvs_shared.catalogue import catalogue_from_texts, load_catalogue
from bdhvs_shared.catalogue.loader import default_directory, read_files
from bdhvs_shared.clock import FixedClock
from notifier.adapters.messages import Messages
from notifier.domain.alerts import AlertPolicy
from notifier.domain.ledger import LedgerPolicy, ledger_forms
from notifier.entrypoints.workers.catalogue import catalogue_switch
from notifier.service_layer.alert_groups import AlertGroups
from notifier.service_layer.alerts import AlertService
from notifier.service_layer.ledger import DeadlineLedger
from support.notifier_fakes import FakeDatabase

CLOCK = FixedClock(datetime(2026, 3, 15, 9, tzinfo=ZoneInfo("Asia/Ho_Chi_Minh")))


def test_another_provinces_catalogue_moves_the_alerts_to_its_province() -> None:
    packaged = load_catalogue()
    files = {name: data.decode("utf-8") for name, data in read_files(default_directory()).items()}
    files["province.yaml"] = files["province.yaml"].replace('code: "24"', 'code: "42"')
    another = catalogue_from_texts(files)
    db, messages = FakeDatabase(), Messages(packaged)
    policy = AlertPolicy(packaged.province.code)
    service = AlertService(db.transaction, CLOCK, policy)
    groups = AlertGroups(db.transaction, messages, CLOCK, policy, lambda v, r: f"https://ack/{v}")
    forms = ledger_forms(packaged, ["monthly"])
    ledger = DeadlineLedger(db.transaction, packaged, messages, CLOCK, LedgerPolicy(), forms)

    catalogue_switch(["monthly"], messages, ledger, [service, groups])(another)

    assert (service.policy.province, groups.policy.province) == ("42", "42")
    assert groups.policy.repeat_interval == policy.repeat_interval  # the rest of the policy kept
    assert messages.catalogue is ledger.catalogue is another
    assert [f.code for f in ledger.forms] == ["monthly"]

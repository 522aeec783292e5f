"""Routing rules and the contact checks (pure): who gets which kind, by which channels."""

from __future__ import annotations

from notifier.adapters.directory_files import default_rules
from notifier.domain.contacts import Contact, channels_for
from notifier.domain.directory import check_contact
from notifier.domain.directory_csv import parse_directory
from notifier.domain.routing import KINDS, Rule, check_rules, route

ALL = ("email", "sms", "webhook")
CLERK = Contact("Văn phòng", "vp@x.example", "84912345678", None, ("email",), role="clerk")
CHAIRMAN = Contact("Chủ tịch", "ct@x.example", "84987654321", None, ("email",), role="chairman")


def test_tiers_try_the_clerk_first_then_the_chairman() -> None:
    rules = [Rule("deadline_reminder", "clerk", ALL, 1), Rule("deadline_reminder", "chairman", ALL, 2)]
    assert [r.contact for r in route(rules, [CHAIRMAN, CLERK], ALL)] == [CLERK]
    assert [r.contact for r in route(rules, [CHAIRMAN], ALL)] == [CHAIRMAN]
    retired = Contact("Cũ", "old@x.example", role="clerk", active=False)
    assert [r.contact for r in route(rules, [retired, CHAIRMAN], ALL)] == [CHAIRMAN]
    assert route([], [CLERK], ALL) == []


def test_a_rules_channels_meet_the_contacts_preferences_and_win_when_they_do_not() -> None:
    both = Contact("A", "a@x.example", "84912345678", None, ("sms", "email"))
    assert channels_for(both, ALL, ALL) == ("sms", "email")
    assert channels_for(both, ("email",), ALL) == ("email",)
    # Prefers email, the rule says SMS only: SMS (the rule decides what the kind needs).
    assert channels_for(CHAIRMAN, ("sms",), ALL) == ("sms",)
    # The rule's only channel is off: email rather than nothing.
    assert channels_for(CHAIRMAN, ("sms",), ("email",)) == ("email",)
    hook = Contact("H", None, None, "https://h.example/in", ("webhook",))
    assert channels_for(hook, ("sms",), ALL) == ()
    (recipient,) = route([Rule("kpi_below_target", "chairman", ("sms",))], [CHAIRMAN], ALL)
    assert recipient.deliveries() == [("sms", "84987654321")]


def test_rule_sets_are_checked_whole_and_the_default_set_is_valid() -> None:
    assert check_rules(default_rules()) == []
    assert {r.kind for r in default_rules()} == set(KINDS)
    codes = [p.code for p in check_rules([Rule("nope", "mayor", ("email",), 0), Rule("nope", "mayor")])]
    assert codes == [
        "routing.kind_unknown",
        "routing.role_unknown",
        "routing.tier_invalid",
        "routing.kind_unknown",
        "routing.role_unknown",
        "routing.duplicate",
    ]
    assert [p.code for p in check_rules([])] == ["routing.empty"]


def test_a_contact_is_normalised_or_refused_with_every_problem() -> None:
    fields, problems = check_contact(
        {
            "unit_code": "09313",
            "role": "chairman",
            "name": " Chủ tịch ",
            "phone": "0912 345 678",
            "channels": "",
        },
        {"09313", "24"},
    )
    assert problems == [] and fields is not None
    assert (fields.name, fields.phone, fields.channels, fields.email) == (
        "Chủ tịch",
        "84912345678",
        "sms",
        None,
    )
    _, problems = check_contact(
        {"unit_code": "99999", "role": "mayor", "name": "", "email": "a@", "phone": "12", "channels": "fax"},
        {"09313"},
    )
    assert [(p.code, p.field) for p in problems] == [
        ("contact.unit_unknown", "unit_code"),
        ("contact.role_unknown", "role"),
        ("contact.name_missing", "name"),
        ("contact.email_invalid", "email"),
        ("contact.phone_invalid", "phone"),
        ("contact.channel_unknown", "channels"),
    ]
    assert all(p.message and p.message[0].isupper() for p in problems)


def test_a_csv_is_read_whole_with_the_line_and_column_of_each_problem() -> None:
    text = (
        "\ufeffunit_code,role,name,email,phone,channels,active\n"
        '09313,chairman,Chủ tịch,ct@x.example,0912345678,"sms,email",\n'
        "09313,clerk,Văn phòng,vp@x.example,091,,no\n"
        "24,department_operator,Sở,,,,maybe\n"
    )
    rows, problems = parse_directory(text, {"09313", "24"})
    assert [(p.line, p.column, p.code) for p in problems] == [
        (3, "phone", "contact.phone_invalid"),
        (4, "active", "contact.active_invalid"),
        (4, "email", "contact.no_address"),
    ]
    assert [r.role for r in rows] == ["chairman"]
    _, missing = parse_directory("unit_code,name\n09313,x\n", {"09313"})
    assert [(p.line, p.column, p.code) for p in missing] == [
        (1, "role", "csv.column_missing"),
        (1, "email", "csv.column_missing"),
    ]

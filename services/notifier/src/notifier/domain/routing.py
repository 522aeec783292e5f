"""Routing rules: which notification kinds go to which roles of a unit, by which channels (pure).

A rule is (kind, role, channels, tier). For a kind, the tiers are tried in order: the first tier
in which the unit has at least one active contact that can be reached wins, so "the clerk, or the
chairman when the unit has no clerk" is two tiers. A contact's channels are the rule's channels
intersected with its preferences (see `contacts.channels_for` for when they do not meet).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from itertools import groupby

from notifier.domain.contacts import CHANNELS, ROLES, Contact, channels_for, parse_channels

# The notification kinds a rule may name. A new kind is one more line here (and its templates).
KINDS = (
    "deadline_reminder",
    "deadline_overdue",
    "deadline_escalation",
    "deadline_summary",
    "operator_consolidation_reminder",
    "kpi_below_target",
    "kpi_repeat",
    "kpi_recovered",
)


@dataclass(frozen=True)
class Rule:
    kind: str
    role: str
    channels: tuple[str, ...] = CHANNELS
    tier: int = 1  # 1 first; a higher tier is asked only when no lower tier reaches anyone


@dataclass(frozen=True)
class Recipient:
    contact: Contact
    channels: tuple[str, ...]

    def deliveries(self) -> list[tuple[str, str]]:
        """(channel, address) pairs, in the order chosen."""
        return [(c, address) for c in self.channels if (address := self.contact.address(c))]


@dataclass(frozen=True)
class RuleProblem:
    index: int  # 0-based position of the rule in what was given (a CSV line is index + 2)
    field: str
    code: str
    message: str


def check_rules(rules: Sequence[Rule]) -> list[RuleProblem]:
    """Unknown kinds or roles, bad tiers, duplicate (kind, role), an empty set: Vietnamese messages."""
    problems: list[RuleProblem] = []
    if not rules:
        problems.append(
            RuleProblem(
                0,
                "rules",
                "routing.empty",
                "Cần ít nhất một quy tắc: không có quy tắc thì không ai nhận tin.",
            )
        )
    seen: set[tuple[str, str]] = set()
    for i, rule in enumerate(rules):
        problems += [RuleProblem(i, field, code, message) for field, code, message in _rule_problems(rule)]
        if (rule.kind, rule.role) in seen:
            problems.append(
                RuleProblem(
                    i, "role", "routing.duplicate", f"Đã có quy tắc cho {rule.kind} và vai trò {rule.role}."
                )
            )
        seen.add((rule.kind, rule.role))
    return problems


def _rule_problems(rule: Rule) -> list[tuple[str, str, str]]:
    """(field, code, message) of what is wrong with one rule on its own."""
    problems = []
    if rule.kind not in KINDS:
        problems.append(
            (
                "kind",
                "routing.kind_unknown",
                f"Loại thông báo “{rule.kind[:40]}” không có trong danh sách: {', '.join(KINDS)}.",
            )
        )
    if rule.role not in ROLES:
        problems.append(
            (
                "role",
                "routing.role_unknown",
                f"Vai trò “{rule.role[:40]}” không hợp lệ; dùng một trong: {', '.join(ROLES)}.",
            )
        )
    if not rule.channels or any(c not in CHANNELS for c in rule.channels):
        problems.append(
            (
                "channels",
                "routing.channel_unknown",
                f"Kênh phải là một hoặc nhiều trong: {', '.join(CHANNELS)}.",
            )
        )
    if not 1 <= rule.tier <= 9:
        problems.append(("tier", "routing.tier_invalid", "Thứ tự ưu tiên (tier) phải từ 1 đến 9."))
    return problems


def route(rules: Iterable[Rule], contacts: Iterable[Contact], enabled: Collection[str]) -> list[Recipient]:
    """The recipients of one kind in one unit: `rules` are that kind's rules, `contacts` the unit's."""
    active = [c for c in contacts if c.active]
    ordered = sorted(rules, key=lambda r: r.tier)
    for _, tier in groupby(ordered, key=lambda r: r.tier):
        by_role = {r.role: r for r in tier}
        chosen = [
            Recipient(c, channels)
            for c in active
            if (rule := by_role.get(c.role)) and (channels := channels_for(c, rule.channels, enabled))
        ]
        if chosen:
            return chosen
    return []


def read_rules(text: str) -> list[Rule]:
    """Rules from CSV text with the columns kind, role, channels, tier (the shipped default file)."""
    rows = csv.DictReader(io.StringIO(text))
    return [
        Rule(r["kind"].strip(), r["role"].strip(), parse_channels(r["channels"]), int(r["tier"] or 1))
        for r in rows
    ]

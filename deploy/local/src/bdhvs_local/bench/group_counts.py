"""Intake's group commit during a run, read from its `/metrics` before and after (issue 14 item 2):
how many transactions the run's reports took, and how many groups fell back to one by one."""

from __future__ import annotations

from dataclasses import dataclass

import httpx
from prometheus_client.parser import text_string_to_metric_families


@dataclass(frozen=True)
class GroupCounts:
    transactions: float = 0.0  # groups committed, a lone report included (bdhvs_group_commit_size_count)
    reports: float = 0.0  # reports in them (bdhvs_group_commit_size_sum)
    fallbacks: float = 0.0  # groups rolled back and written again one by one, every reason

    def __sub__(self, before: GroupCounts) -> GroupCounts:
        return GroupCounts(
            self.transactions - before.transactions,
            self.reports - before.reports,
            self.fallbacks - before.fallbacks,
        )


def parse(text: str) -> GroupCounts:
    """The counters in an exposition text; zeros when intake exports none (group commit off)."""
    values: dict[str, float] = {}
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name.startswith("bdhvs_group_commit_"):
                values[sample.name] = values.get(sample.name, 0.0) + sample.value
    return GroupCounts(
        values.get("bdhvs_group_commit_size_count", 0.0),
        values.get("bdhvs_group_commit_size_sum", 0.0),
        values.get("bdhvs_group_commit_fallbacks_total", 0.0),
    )


async def read(intake: str) -> GroupCounts:
    async with httpx.AsyncClient(timeout=10.0) as client:
        answer = await client.get(f"{intake}/metrics")
        answer.raise_for_status()
        return parse(answer.text)


def line(counts: GroupCounts, reports: int) -> str:
    """What the throughput run's reports cost in intake's transactions."""
    if not counts.transactions:
        return "intake group commit (throughput run): off (one transaction per report)"
    return (
        f"intake group commit (throughput run): {counts.reports:.0f} reports of {reports} in "
        f"{counts.transactions:.0f} transactions ({counts.reports / counts.transactions:.2f} per "
        f"transaction), {counts.fallbacks:.0f} groups written again one by one"
    )

"""The relay publishes runs of distinct subjects together; a subject's messages stay in order."""

from __future__ import annotations

from types import SimpleNamespace

from hypothesis import given
from hypothesis import strategies as st

from bdhvs_shared.db.outbox import distinct_subject_runs


def rows(subjects: list[str]) -> list[SimpleNamespace]:
    return [SimpleNamespace(subject=s, n=i) for i, s in enumerate(subjects)]


def test_a_repeated_subject_starts_a_new_run() -> None:
    runs = distinct_subject_runs(rows(["a", "b", "a", "c", "b", "b"]))
    assert [[r.subject for r in run] for run in runs] == [["a", "b"], ["a", "c", "b"], ["b"]]


@given(st.lists(st.sampled_from("abcd")))
def test_runs_keep_the_order_and_never_repeat_a_subject(subjects: list[str]) -> None:
    runs = distinct_subject_runs(rows(subjects))
    assert [r.n for run in runs for r in run] == list(range(len(subjects)))
    assert all(len({r.subject for r in run}) == len(run) for run in runs)
    assert all(run for run in runs)

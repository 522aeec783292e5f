"""`make bench`'s line on intake's group commit: read from two `/metrics` texts, printed per run."""

from __future__ import annotations

from bdhvs_local.bench.group_counts import GroupCounts, line, parse

BEFORE = """\
# TYPE bdhvs_group_commit_size histogram
bdhvs_group_commit_size_bucket{le="1.0"} 3.0
bdhvs_group_commit_size_bucket{le="+Inf"} 4.0
bdhvs_group_commit_size_count 4.0
bdhvs_group_commit_size_sum 7.0
# TYPE bdhvs_group_commit_fallbacks counter
bdhvs_group_commit_fallbacks_total{reason="needs_confirmation"} 1.0
bdhvs_group_commit_fallbacks_total{reason="key_reused"} 0.0
bdhvs_group_commit_fallbacks_total{reason="error"} 0.0
"""
AFTER = (
    BEFORE.replace("_count 4.0", "_count 254.0")
    .replace("_sum 7.0", "_sum 1007.0")
    .replace('"error"} 0.0', '"error"} 2.0')
)


def test_the_run_is_what_the_counters_moved_by_with_every_fallback_reason_summed() -> None:
    run = parse(AFTER) - parse(BEFORE)
    assert run == GroupCounts(transactions=250.0, reports=1000.0, fallbacks=2.0)
    assert line(run, 1000) == (
        "intake group commit (throughput run): 1000 reports of 1000 in 250 transactions "
        "(4.00 per transaction), 2 groups written again one by one"
    )


def test_an_intake_without_group_commit_counts_nothing_and_says_so() -> None:
    run = parse("# TYPE up gauge\nup 1.0\n") - parse("")
    assert run == GroupCounts()
    assert line(run, 1000) == "intake group commit (throughput run): off (one transaction per report)"

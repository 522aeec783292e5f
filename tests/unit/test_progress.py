"""bdhvs_shared.progress (issue 15, item 6): plain lines when not on a terminal, with the count, the
rate and the time left, at most one per interval, and a last line at the end."""

from __future__ import annotations

import io

from bdhvs_shared.progress import NO_PROGRESS, LineProgress, RichProgress, duration, progress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_plain_lines_give_count_share_rate_and_time_left_at_most_once_per_interval() -> None:
    out, clock = io.StringIO(), Clock()
    shown = LineProgress("dựng lại", 5000, out, unit="sự kiện", interval=5.0, clock=clock)
    shown.update(0)
    for second in range(1, 11):
        clock.now = 100.0 + second
        shown.update(250 * second)  # 250 a second
    shown.close()
    assert out.getvalue().splitlines() == [
        "dựng lại: 0/5000 sự kiện (0%), 0/s, chưa ước tính được",
        "dựng lại: 1250/5000 sự kiện (25%), 250/s, còn khoảng 0:00:15",
        "dựng lại: 2500/5000 sự kiện (50%), 250/s, còn khoảng 0:00:10",
        "dựng lại: xong 2500 sự kiện trong 0:00:10",
    ]


def test_without_a_total_the_lines_count_and_rate_only_and_advance_adds_up() -> None:
    out, clock = io.StringIO(), Clock()
    shown = LineProgress("sao lưu KPI", None, out, unit="tin", interval=0.0, clock=clock)
    clock.now = 102.0
    shown.advance(100)
    shown.advance(100)
    shown.update(300, total=600)  # the total becomes known
    shown.close()
    assert out.getvalue().splitlines() == [
        "sao lưu KPI: 100 tin, 50/s",
        "sao lưu KPI: 200 tin, 100/s",
        "sao lưu KPI: 300/600 tin (50%), 150/s, còn khoảng 0:00:02",
        "sao lưu KPI: xong 300 tin trong 0:00:02",
    ]


def test_progress_writes_lines_to_a_pipe_and_a_bar_to_a_terminal() -> None:
    pipe = io.StringIO()
    with progress("khôi phục", 10, unit="tin", out=pipe) as shown:
        assert isinstance(shown, LineProgress)
        shown.advance(10)
    lines = pipe.getvalue().splitlines()
    assert len(lines) == 2 and lines[0].startswith("khôi phục: 10/10 tin (100%), ")
    assert lines[-1].startswith("khôi phục: xong 10 tin trong 0:00:0")
    terminal = Terminal()
    with progress("khôi phục", 10, unit="tin", out=terminal) as shown:
        assert isinstance(shown, RichProgress)
        shown.advance(10)
    assert "10/10" in terminal.getvalue()


def test_durations_and_the_silent_progress() -> None:
    assert [duration(s) for s in (0, 11.4, 3723)] == ["0:00:00", "0:00:11", "1:02:03"]
    NO_PROGRESS.update(5, 10)
    NO_PROGRESS.advance()

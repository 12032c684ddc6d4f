"""The adviser's day benchmark runs at a small scale: every step through the pages, the
outcome checked (nothing lost, lateness, every reaction answered, one letter per person, the
nota), and the table with the targets printed."""

from __future__ import annotations

from tests.benchmarks import advisers_day


def test_the_day_runs_at_a_twentieth_of_its_size(app):
    steps, world = advisers_day.run_day(app, scale=0.05)
    assert [step.name.split(".")[0] for step in steps] == [str(n) for n in range(1, 13)]
    assert all(step.person.submissions for step in steps if step.path != "not available")
    printed = advisers_day.report(steps, markdown=True)
    assert "day total:" in printed and "| target | measured | |" in printed
    assert len(world.emails) == 10 and len(world.letters) == 5

from fractions import Fraction

import pytest

from mkdocs_specplan.core.effort import EffortError, parse_effort


@pytest.mark.parametrize(
    "text,low,high",
    [
        ("3 d", 3, 3),
        ("3d", 3, 3),
        ("2 w", 10, 10),
        ("2 weeks", 10, 10),
        ("1.5 w", 8, 8),  # 7.5 rounds up
        ("1 sprint", 10, 10),
        ("1-2 sprints", 10, 20),
        ("2 - 3 Weeks", 10, 15),
        ("1 mo", 20, 20),
        ("1.5 months", 30, 30),
        ("12 h", 2, 2),  # 1.5 d rounds up
        ("8 hours", 1, 1),
        ("0.3 w", 2, 2),
        ("1 day", 1, 1),
    ],
)
def test_working_days(text, low, high):
    effort = parse_effort(text)
    assert (effort.low_days, effort.high_days) == (low, high)
    assert effort.is_range == (low != high)


def test_sprint_length_is_configurable():
    assert parse_effort("2 sprints", sprint_days=15).high_days == 30


def test_exact_fractions():
    effort = parse_effort("1.1 w")
    assert effort.high == Fraction(11, 10) and effort.high_days == 6


@pytest.mark.parametrize("text", ["2 wekes", "soon", "3", "w", "2-1 w", "-2 d"])
def test_not_an_effort(text):
    with pytest.raises(EffortError) as info:
        parse_effort(text)
    assert f'"{text}"' in str(info.value)

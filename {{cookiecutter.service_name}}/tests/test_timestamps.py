"""Timestamps as the API writes them (core/timestamps.py)."""

from datetime import UTC, datetime, timedelta, timezone

from {{ cookiecutter.package_name }}.core.timestamps import in_utc, to_rfc3339


def test_timestamps_are_rfc3339_in_utc_with_four_digit_years() -> None:
    assert to_rfc3339(datetime(999, 1, 2, 3, 4, 5)) == "0999-01-02T03:04:05.000000Z"
    offset = datetime(2026, 1, 2, 3, 4, 5, 7, tzinfo=timezone(timedelta(hours=2)))
    assert to_rfc3339(offset) == "2026-01-02T01:04:05.000007Z"


def test_a_moment_outside_the_years_utc_can_hold_has_no_utc_form() -> None:
    assert in_utc(datetime(1, 1, 1, tzinfo=timezone(timedelta(hours=1)))) is None
    assert in_utc(datetime(9999, 12, 31, 23, 30, tzinfo=timezone(timedelta(hours=-1)))) is None
    assert in_utc(datetime(2026, 1, 2)) == datetime(2026, 1, 2, tzinfo=UTC)

"""Calendar periods: the start of the day, week (Monday) or month holding each date.

Periods are naive timestamps on the UTC calendar (corpus dates are UTC), so they compare
directly with ``pd.Timestamp("2022-02-24")``.

Example:
    >>> import pandas as pd
    >>> d = pd.Series(pd.to_datetime(["2022-02-24 23:30", "2022-02-27 08:00"], utc=True))
    >>> period_start(d, "week").dt.strftime("%Y-%m-%d").tolist()
    ['2022-02-21', '2022-02-21']
    >>> [p.strftime("%Y-%m-%d") for p in period_range("2022-01-15", "2022-03-02", "month")]
    ['2022-01-01', '2022-02-01', '2022-03-01']
"""

from __future__ import annotations

from typing import Any, Literal

import pandas as pd

Period = Literal["day", "week", "month"]
PERIODS: tuple[str, ...] = ("day", "week", "month")
_FREQ = {"day": "D", "week": "W-MON", "month": "MS"}


def check_period(period: str | None, *, allow_none: bool = True) -> None:
    if period is None and allow_none:
        return
    if period not in PERIODS:
        raise ValueError(f"period must be one of {PERIODS}, got {period!r}")


def _naive_utc(ts: Any) -> pd.Timestamp:
    t = pd.Timestamp(ts)
    return t.tz_convert("UTC").tz_localize(None) if t.tzinfo is not None else t


def period_start(dates: pd.Series, period: Period) -> pd.Series:
    """Start (naive UTC timestamp) of the period holding each date; weeks start on Monday."""
    check_period(period, allow_none=False)
    d = pd.to_datetime(dates, utc=True).dt.tz_localize(None).dt.normalize()
    if period == "day":
        out = d
    elif period == "week":
        out = d - pd.to_timedelta(d.dt.weekday, unit="D")
    else:
        out = d - pd.to_timedelta(d.dt.day - 1, unit="D")
    return out.astype("datetime64[us]")


def period_of(ts: Any, period: Period) -> pd.Timestamp:
    """Start of the period holding one timestamp."""
    return period_start(pd.Series([_naive_utc(ts)]), period).iloc[0]


def period_range(start: Any, end: Any, period: Period) -> pd.DatetimeIndex:
    """Every period from the one holding ``start`` to the one holding ``end``, none skipped."""
    first, last = period_of(start, period), period_of(end, period)
    freq = "7D" if period == "week" else _FREQ[period]  # first is a Monday; "7D" is vectorised
    return pd.date_range(first, last, freq=freq, name="period").astype("datetime64[us]")

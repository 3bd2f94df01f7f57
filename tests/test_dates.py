"""analysis.dates: every supported format against hand-written expected UTC timestamps."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from analysis.dates import parse_date

UTC = "UTC"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        # RFC 822: offsets converted to UTC by hand (16:33 at +02:00 is 14:33 UTC)
        ("Fri, 23 Sep 2022 16:33:08 +0200", "2022-09-23 14:33:08"),
        ("Sat, 01 Jan 2022 00:30:00 +0100", "2021-12-31 23:30:00"),
        ("Fri, 23 Sep 2022 16:33:08 GMT", "2022-09-23 16:33:08"),
        # ISO 8601
        ("2022-09-23T16:33:08Z", "2022-09-23 16:33:08"),
        ("2022-02-28T18:30:00+01:00", "2022-02-28 17:30:00"),
        ("2022-09-23", "2022-09-23 00:00:00"),
        # day-first numeric (French usage): 03/04 is the 3rd of April
        ("22/02/2022", "2022-02-22 00:00:00"),
        ("03/04/2022", "2022-04-03 00:00:00"),
        ("22.02.2022 14:30", "2022-02-22 14:30:00"),
        ("22-02-22", "2022-02-22 00:00:00"),
        # written French dates
        ("mercredi 22 mars 2023", "2023-03-22 00:00:00"),
        ("1er février 2022", "2022-02-01 00:00:00"),
        ("22 mars 2023 à 14h30", "2023-03-22 14:30:00"),
        ("lundi 7 févr. 2022", "2022-02-07 00:00:00"),
        ("15 AOÛT 2022", "2022-08-15 00:00:00"),
        ("International, mercredi 22 mars 2023 1234 mots, p. 3", "2023-03-22 00:00:00"),
        # written English
        ("March 22, 2023", "2023-03-22 00:00:00"),
    ],
)
def test_formats(value: str, expected: str) -> None:
    assert parse_date(value) == pd.Timestamp(expected, tz=UTC)


@pytest.mark.parametrize("value", [None, "", "   ", "pas une date", "31/02/2022", "2022-13-45", "il y a 3 jours", float("nan")])
def test_unusable_values_give_none(value: object) -> None:
    assert parse_date(value) is None


def test_result_is_utc_aware() -> None:
    ts = parse_date("Fri, 23 Sep 2022 16:33:08 +0200")
    assert ts is not None and str(ts.tz) == UTC


def test_python_and_pandas_objects() -> None:
    assert parse_date(dt.date(2022, 2, 24)) == pd.Timestamp("2022-02-24", tz=UTC)
    aware = dt.datetime(2022, 2, 24, 5, 0, tzinfo=dt.timezone(dt.timedelta(hours=2)))
    assert parse_date(aware) == pd.Timestamp("2022-02-24 03:00", tz=UTC)
    assert parse_date(pd.NaT) is None
    # Unix time: 1645678800 s = 2022-02-24 05:00:00 UTC (checked with `date -u -d @1645678800`)
    assert parse_date(1645678800) == pd.Timestamp("2022-02-24 05:00:00", tz=UTC)
    assert parse_date(1645678800000) == pd.Timestamp("2022-02-24 05:00:00", tz=UTC)


def test_dateparser_fallback_handles_other_written_forms() -> None:
    # a numeric date inside a sentence is left to dateparser (the fast parser wants it alone)
    assert parse_date("le 03/12/2021", fallback=False) is None
    assert parse_date("le 03/12/2021") == pd.Timestamp("2021-12-03", tz=UTC)
    assert parse_date("December the 3rd, 2021") == pd.Timestamp("2021-12-03", tz=UTC)
    assert parse_date("2 janv 2022", fallback=False) == pd.Timestamp("2022-01-02", tz=UTC)

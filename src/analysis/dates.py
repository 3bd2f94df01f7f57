"""Parse the dates found in French news data into UTC timestamps.

Handled, fastest first:

* RFC 822 / RFC 2822 (RSS ``pubDate``): ``Fri, 23 Sep 2022 16:33:08 +0200``;
* ISO 8601 (Atom ``updated``, JSON, Parquet): ``2022-09-23T16:33:08+02:00``, ``2022-09-23``;
* day-first numeric dates (French usage): ``22/02/2022``, ``22.02.2022 14:30``, ``22-02-22``;
* written French (and English) dates, with or without weekday, ``1er`` and time:
  ``mercredi 22 mars 2023``, ``1er février 2022``, ``22 mars 2023 à 14h30``,
  ``lundi 7 févr. 2022``, ``March 22, 2023``; also found inside a longer line such as the
  Europresse header ``mercredi 22 mars 2023 1234 mots, p. 3``;
* anything else goes to :mod:`dateparser` (French then English, day first) as a last resort.

A date with an explicit offset is converted to UTC. A date without one (``22 mars 2023``) is
taken as UTC, so its calendar day is preserved (it is *not* shifted from Paris time).

Example:
    >>> parse_date("Fri, 23 Sep 2022 16:33:08 +0200")
    Timestamp('2022-09-23 14:33:08+0000', tz='UTC')
    >>> parse_date("1er février 2022")
    Timestamp('2022-02-01 00:00:00+0000', tz='UTC')
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import unicodedata
from functools import lru_cache

import pandas as pd

__all__ = ["parse_date", "MONTHS"]

#: Month names and abbreviations (French and English, accents stripped, lower case) → month.
MONTHS: dict[str, int] = {}
for _num, _names in enumerate(
    [
        "janvier jan janv january",
        "fevrier fev fevr february feb",
        "mars mar march",
        "avril avr april apr",
        "mai may",
        "juin jun june",
        "juillet juil jul july",
        "aout aug august",
        "septembre sep sept september",
        "octobre oct october",
        "novembre nov november",
        "decembre dec december",
    ],
    start=1,
):
    for _name in _names.split():
        MONTHS[_name] = _num

_MONTH_RE = "|".join(sorted(MONTHS, key=len, reverse=True))
_TIME_RE = r"(?:\s*(?:a|at|,|-)?\s*(?P<H>\d{1,2})\s*(?:h|:)\s*(?P<M>\d{2})?(?:\s*:\s*(?P<S>\d{2}))?(?!\d))?"
# "mercredi 22 mars 2023", "1er fevrier 2022", "22 mars 2023 a 14h30"
_WRITTEN_DMY = re.compile(
    rf"(?<!\d)(?P<d>\d{{1,2}})\s*(?:er)?\s+(?P<m>{_MONTH_RE})\.?,?\s+(?P<y>\d{{4}})(?!\d){_TIME_RE}"
)
# "March 22, 2023"
_WRITTEN_MDY = re.compile(rf"\b(?P<m>{_MONTH_RE})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})(?!\d){_TIME_RE}")
# "22/02/2022", "22.02.2022 14:30", "22-02-22"
_NUMERIC_DMY = re.compile(
    r"^\s*(?P<d>\d{1,2})[/.\-](?P<m>\d{1,2})[/.\-](?P<y>\d{4}|\d{2})"
    r"(?:[ T,]+(?P<H>\d{1,2})[:h](?P<M>\d{2})(?::(?P<S>\d{2}))?)?\s*$"
)
_ISO_LIKE = re.compile(r"^\s*\d{4}-\d{2}-\d{2}")
_RFC_LIKE = re.compile(r"^\s*(?:[A-Za-z]{3},\s*)?\d{1,2}\s+[A-Za-z]{3}\s+\d{2,4}\s+\d")


def _strip_accents(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _utc(value: dt.datetime) -> pd.Timestamp:
    ts = pd.Timestamp(value)
    if ts.tzinfo is None:
        return ts.tz_localize("UTC")
    return ts.tz_convert("UTC")


def _build(y: int, m: int, d: int, hh: str | None = None, mm: str | None = None, ss: str | None = None) -> pd.Timestamp | None:
    if y < 100:
        y += 2000 if y < 70 else 1900
    try:
        return _utc(dt.datetime(y, m, d, int(hh or 0), int(mm or 0), int(ss or 0)))
    except ValueError:
        return None


def _from_match(match: re.Match[str]) -> pd.Timestamp | None:
    g = match.groupdict()
    month = g["m"]
    m = MONTHS[month] if not month.isdigit() else int(month)
    return _build(int(g["y"]), m, int(g["d"]), g.get("H"), g.get("M"), g.get("S"))


def parse_date(value: object, *, fallback: bool = True) -> pd.Timestamp | None:
    """Parse one date value into a UTC :class:`pandas.Timestamp`, or None when unusable.

    Args:
        value: a string (any format listed in the module docstring), a ``datetime``/``Timestamp``,
            or a number (Unix time in seconds, or milliseconds when above 10^11).
        fallback: try :mod:`dateparser` when the fast parsers fail (slow: about 1 ms per call).

    Returns:
        The timestamp in UTC, or None (empty, unparseable or impossible date).

    Example:
        >>> parse_date("22/02/2022").isoformat()
        '2022-02-22T00:00:00+00:00'
        >>> parse_date("mercredi 22 mars 2023 1234 mots, p. 3").day
        22
        >>> parse_date("pas une date") is None
        True
    """
    if value is None or value is pd.NaT:
        return None
    if isinstance(value, pd.Timestamp):
        return None if pd.isna(value) else _utc(value.to_pydatetime())
    if isinstance(value, dt.datetime):
        return _utc(value)
    if isinstance(value, dt.date):
        return _utc(dt.datetime(value.year, value.month, value.day))
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        if value != value:  # NaN
            return None
        seconds = value / 1000 if abs(value) > 1e11 else value
        try:
            return pd.Timestamp(seconds, unit="s", tz="UTC")
        except (ValueError, OverflowError):
            return None
    text = str(value).strip()
    if not text:
        return None
    return _parse_string(text, fallback)


@lru_cache(maxsize=65536)
def _parse_string(text: str, fallback: bool) -> pd.Timestamp | None:
    # RFC 822 (RSS)
    if _RFC_LIKE.match(text):
        try:
            return _utc(email.utils.parsedate_to_datetime(text))
        except (TypeError, ValueError, IndexError):
            pass
    # ISO 8601
    if _ISO_LIKE.match(text):
        iso = text.replace(" UTC", "+00:00")
        try:
            return _utc(dt.datetime.fromisoformat(iso))
        except ValueError:
            try:
                return _utc(pd.Timestamp(iso).to_pydatetime())
            except (ValueError, TypeError):
                pass
    # numeric, day first
    match = _NUMERIC_DMY.match(text)
    if match:
        return _from_match(match)
    # written dates, French or English
    folded = _strip_accents(text).lower()
    match = _WRITTEN_DMY.search(folded) or _WRITTEN_MDY.search(folded)
    if match:
        return _from_match(match)
    if not fallback or not any(c.isdigit() for c in text):
        return None
    return _dateparser(text)


def _dateparser(text: str) -> pd.Timestamp | None:
    import dateparser  # slow import, only when needed

    try:
        parsed = dateparser.parse(
            text,
            languages=["fr", "en"],
            settings={
                "DATE_ORDER": "DMY",
                "REQUIRE_PARTS": ["day", "month", "year"],
                # absolute dates only: "il y a 3 jours" would depend on the day of the run
                "PARSERS": ["custom-formats", "absolute-time"],
            },
        )
    except Exception:  # dateparser raises assorted errors on garbage
        return None
    return None if parsed is None else _utc(parsed)

"""Term trends over calendar periods: bucketing, normalisation, smoothing, change points.

Every period between the first and the last date is present, with zeros where nothing was
published or the term is absent (``total == 0`` marks a period without any document). Values
are normalised by corpus volume: a raw count that rises because more was published is not a
trend.

Example:
    >>> from analysis.tables import Corpus  # doctest: +SKIP
    >>> t = term_trend(Corpus("data/processed/lemonde"), ["ukraine", "russie"], period="week")  # doctest: +SKIP
    >>> change_points(t[t.term == "ukraine"], n_bkps=1)  # doctest: +SKIP
    [Timestamp('2022-02-21 00:00:00')]
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.frequency import By, Group, doc_keys, group_doc_counts
from analysis.periods import Period, check_period, period_range, period_start
from analysis.tables import Corpus

Normalise = Literal["per_10k", "doc_share", "count"]
TREND_COLUMNS = ["period", "term", "count", "total", "value"]


def bucket(dates: pd.Series, period: Period = "week") -> pd.Series:
    """Start of the calendar period holding each date (naive UTC; weeks start on Monday)."""
    return period_start(dates, period)


def _range(corpus: Corpus, period: Period, start: Any, end: Any) -> pd.DatetimeIndex:
    dates = corpus.corpus["date"]
    lo = start if start is not None else (dates.min() if len(dates) else None)
    hi = end if end is not None else (dates.max() if len(dates) else None)
    if lo is None or hi is None:
        return pd.DatetimeIndex([], dtype="datetime64[us]", name="period")
    return period_range(lo, hi, period)


def trend_from_doc_counts(
    corpus: Corpus,
    doc_counts: pd.DataFrame,
    names: Iterable[str],
    *,
    period: Period = "week",
    normalise: Normalise = "per_10k",
    group: Group | None = None,
    start: Any = None,
    end: Any = None,
    drop_punct: bool = True,
) -> pd.DataFrame:
    """Turn per-document counts (``doc_id``, ``term``, ``count``) into a complete period series.

    ``normalise``: ``per_10k`` → value = 10,000 × count / tokens of the period; ``doc_share``
    → count = documents with at least one occurrence, total = documents of the period, value =
    count / total; ``count`` → value = count (total = tokens, for reference). Periods with
    ``total == 0`` get value 0.
    """
    check_period(period, allow_none=False)
    if normalise not in ("per_10k", "doc_share", "count"):
        raise ValueError(f"normalise must be 'per_10k', 'doc_share' or 'count', got {normalise!r}")
    names = list(dict.fromkeys(names))
    keys = doc_keys(corpus, period=period, group=group)
    cell = list(keys.columns)
    periods = _range(corpus, period, start, end)
    dc = doc_counts
    if normalise == "doc_share":
        dc = dc.assign(count=(dc["count"] > 0).astype("int64"))
        base = pd.Series(1, index=keys.index, dtype="int64")
    else:
        base = corpus.doc_totals(drop_punct=drop_punct).reindex(keys.index, fill_value=0)
    dc = dc.merge(keys, left_on="doc_id", right_index=True, how="inner")
    counts = dc.groupby(["term", *cell], sort=False)["count"].sum()
    totals = keys.assign(total=base.to_numpy()).groupby(cell, sort=False)["total"].sum()
    # complete grid: every period (and group) x every term
    grid_levels: list[Any] = [names, periods]
    grid_names = ["term", "period"]
    if group is not None:
        grid_levels.append(sorted(keys[group].unique().tolist()))
        grid_names.append(group)
    grid = pd.MultiIndex.from_product(grid_levels, names=grid_names)
    out = pd.DataFrame(index=grid).reset_index()
    out = out.merge(counts.rename("count").reset_index(), on=["term", *cell], how="left")
    out = out.merge(totals.rename("total").reset_index(), on=cell, how="left")
    out[["count", "total"]] = out[["count", "total"]].fillna(0).astype("int64")
    if normalise == "per_10k":
        out["value"] = np.where(out["total"] > 0, 1e4 * out["count"] / out["total"].where(out["total"] > 0, 1), 0.0)
    elif normalise == "doc_share":
        out["value"] = np.where(out["total"] > 0, out["count"] / out["total"].where(out["total"] > 0, 1), 0.0)
    else:
        out["value"] = out["count"].astype("float64")
    extra = [group] if group else []
    order = {n: i for i, n in enumerate(names)}
    out = out.assign(_o=out["term"].map(order)).sort_values(["_o", *extra, "period"], kind="stable").drop(columns="_o")
    out = out[["period", "term", *extra, "count", "total", "value"]].reset_index(drop=True)
    out["term"] = out["term"].astype("str")
    out["period"] = out["period"].astype("datetime64[us]")
    out.attrs.update({"analysis": "trend", "corpus": corpus.name, "period": period, "normalise": normalise, "group": group})
    return out


def term_trend(
    corpus: Corpus,
    terms: str | Iterable[str] | Mapping[str, Iterable[str]],
    *,
    period: Period = "week",
    normalise: Normalise = "per_10k",
    by: By = "lemma",
    group: Group | None = None,
    start: Any = None,
    end: Any = None,
    drop_punct: bool = True,
) -> pd.DataFrame:
    """Frequency of terms (or term groups) per calendar period, normalised by volume.

    Args:
        corpus: the corpus (restricted to ``start``/``end`` for counting when given).
        terms: a term, a list of terms, or ``{"group name": [entries...]}`` (dictionary method;
            matching rules in :func:`analysis.frequency.group_doc_counts`).
        period: ``day``, ``week`` (from Monday) or ``month``.
        normalise: ``per_10k`` (per 10,000 tokens of the period, punctuation excluded),
            ``doc_share`` (share of the period's documents mentioning the term) or ``count``.
        by: match lemmas or surface forms.
        group: also split by ``source`` or ``section``.
        start, end: range of periods shown (default: the corpus's first and last dates); the
            series covers every period of the range, empty ones as zeros.

    Returns:
        Long frame ``period`` (start of the period), ``term``, [``group``], ``count``,
        ``total``, ``value``, ordered by term (as given) then period.

    Example:
        >>> term_trend(c, {"négociation": ["négociation", "pourparlers", "cessez-le-feu"]}, period="month")  # doctest: +SKIP
    """
    if start is not None or end is not None:
        corpus = corpus.filter(start=start, end=end)
    if isinstance(terms, str):
        terms = [terms]
    from analysis.frequency import _entries

    gmap = _entries(terms)
    dc = group_doc_counts(corpus, gmap, by=by)
    return trend_from_doc_counts(corpus, dc, list(gmap), period=period, normalise=normalise, group=group, start=start, end=end, drop_punct=drop_punct)


def doc_share(
    corpus: Corpus,
    terms: str | Iterable[str] | Mapping[str, Iterable[str]] | None = None,
    *,
    pattern: str | None = None,
    period: Period = "week",
    by: By = "lemma",
    group: Group | None = None,
    fields: Literal["text", "title", "both"] = "both",
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Share of articles mentioning a term per period (count = articles, total = articles).

    Give ``terms`` (matched in ``tokens``, i.e. the text) or a regular expression ``pattern``
    (case-insensitive, searched in the title and/or text of ``corpus.parquet``).

    Returns:
        As :func:`term_trend` with ``normalise="doc_share"``; for a pattern, ``term`` is the
        pattern.
    """
    if (terms is None) == (pattern is None):
        raise ValueError("give exactly one of terms= or pattern=")
    if terms is not None:
        return term_trend(corpus, terms, period=period, normalise="doc_share", by=by, group=group, start=start, end=end)
    if start is not None or end is not None:
        corpus = corpus.filter(start=start, end=end)
    docs = corpus.corpus
    if fields == "both":
        text = docs["title"].fillna("").astype(str) + "\n" + docs["text"].fillna("").astype(str)
    else:
        text = docs[fields].fillna("").astype(str)
    hit = text.str.contains(pattern, case=False, regex=True)
    dc = pd.DataFrame({"doc_id": docs.loc[hit, "doc_id"].to_numpy(), "term": pattern, "count": 1})
    return trend_from_doc_counts(corpus, dc, [pattern], period=period, normalise="doc_share", group=group, start=start, end=end)


def smooth(
    df: pd.DataFrame,
    *,
    method: Literal["rolling", "lowess"] = "rolling",
    window: int = 3,
    frac: float = 0.3,
    column: str = "value",
    by: str | list[str] | None = None,
) -> pd.DataFrame:
    """Add a ``smoothed`` column to a trend frame, per term (and group).

    ``rolling``: centred moving average over ``window`` periods (shorter at the edges).
    ``lowess``: statsmodels LOWESS (Cleveland 1979) with span ``frac`` of the periods, 3
    robustifying iterations, on the period index (equally spaced periods).

    Returns:
        A copy of ``df`` with ``smoothed``.
    """
    if method not in ("rolling", "lowess"):
        raise ValueError(f"method must be 'rolling' or 'lowess', got {method!r}")
    if by is None:
        by = [c for c in ("term", "entity", "source", "section") if c in df.columns]
    by = [by] if isinstance(by, str) else list(by)
    out = df.sort_values([*by, "period"], kind="stable").copy() if "period" in df.columns else df.copy()
    if method == "rolling":
        if window < 1:
            raise ValueError("window must be >= 1")
        roll = (lambda s: s.rolling(window, center=True, min_periods=1).mean())
        out["smoothed"] = out.groupby(by, sort=False)[column].transform(roll) if by else roll(out[column])
    else:
        from statsmodels.nonparametric.smoothers_lowess import lowess

        def _lo(s: pd.Series) -> pd.Series:
            y = s.to_numpy(dtype="float64")
            if len(y) < 3:
                return pd.Series(y, index=s.index)
            return pd.Series(lowess(y, np.arange(len(y), dtype="float64"), frac=frac, it=3, return_sorted=False), index=s.index)

        out["smoothed"] = out.groupby(by, sort=False)[column].transform(_lo) if by else _lo(out[column])
    out.attrs.update(df.attrs)
    out.attrs["smoothing"] = f"{method} (window={window})" if method == "rolling" else f"lowess (frac={frac})"
    return out.sort_index()


def change_points(
    series: pd.Series | pd.DataFrame,
    *,
    n_bkps: int | None = None,
    penalty: float | None = None,
    model: Literal["l2", "rbf", "l1"] = "l2",
    min_size: int = 2,
    column: str = "value",
) -> list[pd.Timestamp]:
    """Dates where the mean (``l2``) or distribution (``rbf``) of a series changes (ruptures).

    With ``n_bkps`` the exact dynamic-programming search (``ruptures.Dynp``) finds that many
    change points; with ``penalty`` PELT chooses how many. Both are deterministic. Default:
    one change point.

    Args:
        series: values indexed by period, or a trend frame of one term (``period``, ``value``).
        n_bkps: number of change points.
        penalty: PELT penalty (used when ``n_bkps`` is None).
        model: ruptures cost model.
        min_size: minimum number of periods in a segment.

    Returns:
        The first period of each new segment, in order (empty when the series is too short).
    """
    import ruptures as rpt

    if isinstance(series, pd.DataFrame):
        keys = [c for c in ("term", "entity") if c in series.columns]
        if any(series[k].nunique() > 1 for k in keys):
            raise ValueError("change_points needs a single series: select one term first")
        series = series.set_index("period")[column]
    s = series.sort_index().astype("float64")
    y = s.to_numpy().reshape(-1, 1)
    if n_bkps is None and penalty is None:
        n_bkps = 1
    if len(y) < 2 * min_size or (n_bkps is not None and len(y) < (n_bkps + 1) * min_size):
        return []
    if n_bkps is not None:
        algo = rpt.Dynp(model=model, min_size=min_size, jump=1).fit(y)
        bkps = algo.predict(n_bkps=n_bkps)
    else:
        algo = rpt.Pelt(model=model, min_size=min_size, jump=1).fit(y)
        bkps = algo.predict(pen=penalty)
    return [pd.Timestamp(s.index[i]) for i in bkps if i < len(s)]

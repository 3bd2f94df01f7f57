"""Bucketing, normalised trends (empty periods as zeros), smoothing and change points."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import toy_corpus

from analysis.trends import bucket, change_points, doc_share, smooth, term_trend

WEEKS = pd.date_range("2022-01-03", "2022-02-21", freq="W-MON")


@pytest.fixture(scope="module")
def c():
    return toy_corpus()


def test_bucket_calendar():
    d = pd.Series(pd.to_datetime(["2022-01-09 23:59", "2022-01-10 00:00", "2022-02-28 12:00"], utc=True))
    assert bucket(d, "week").tolist() == [pd.Timestamp("2022-01-03"), pd.Timestamp("2022-01-10"), pd.Timestamp("2022-02-28")]
    assert bucket(d, "month").tolist() == [pd.Timestamp("2022-01-01"), pd.Timestamp("2022-01-01"), pd.Timestamp("2022-02-01")]
    assert bucket(d, "day").tolist()[0] == pd.Timestamp("2022-01-09")
    with pytest.raises(ValueError, match="period"):
        bucket(d, "year")


def test_weekly_per_10k_with_empty_weeks(c):
    t = term_trend(c, ["guerre", "absent"], period="week")
    assert list(t.columns) == ["period", "term", "count", "total", "value"]
    g = t[t.term == "guerre"].set_index("period")
    assert list(g.index) == list(WEEKS)  # 8 weeks, none skipped
    assert g.loc["2022-01-03", "count"] == 1 and g.loc["2022-01-03", "total"] == 16  # d1 (10) + d2 (6)
    assert g.loc["2022-01-03", "value"] == pytest.approx(1e4 / 16)
    assert (g.loc["2022-01-10", ["count", "total", "value"]] == 0).all()  # nothing published that week
    assert g.loc["2022-02-21", "value"] == pytest.approx(1e4 / 19)
    a = t[t.term == "absent"]
    assert len(a) == 8 and (a["count"] == 0).all() and (a["value"] == 0).all() and a["total"].sum() == 44


def test_doc_share_and_count(c):
    s = term_trend(c, "ukraine", period="month", normalise="doc_share").set_index("period")
    assert (s.loc["2022-01-01", "count"], s.loc["2022-01-01", "total"]) == (2, 3)
    assert s.loc["2022-02-01", "value"] == pytest.approx(1 / 2)
    n = term_trend(c, "ukraine", period="month", normalise="count")
    assert n.value.tolist() == [2.0, 1.0]
    p = doc_share(c, pattern=r"ukrain", period="month").set_index("period")  # title or text, regex
    assert p.loc["2022-01-01", "count"] == 2 and p.loc["2022-02-01", "count"] == 1
    z = doc_share(c, pattern=r"zelensky|poutine", period="month").set_index("period")
    assert z["count"].tolist() == [0, 2]
    with pytest.raises(ValueError):
        doc_share(c)


def test_groups_and_sources(c):
    t = term_trend(c, {"armée": ["soldat", "résistance"]}, period="month", group="source")
    assert len(t) == 4  # 2 months x 2 sources, zeros included
    lm = t[(t.source == "Le Monde")].set_index("period")
    assert lm.loc["2022-01-01", "count"] == 2 and lm.loc["2022-02-01", "count"] == 1
    assert lm.loc["2022-01-01", "total"] == 19  # d1 + d3


def test_one_period_one_document_and_range(c):
    one = term_trend(c, "guerre", period="month", start="2022-02-24", end="2022-02-24")
    assert len(one) == 1 and one.iloc[0]["count"] == 1 and one.iloc[0]["total"] == 12
    wide = term_trend(c, "guerre", period="month", start="2021-12-01", end="2022-04-30")
    assert wide.period.tolist() == list(pd.date_range("2021-12-01", "2022-04-01", freq="MS"))
    assert wide.set_index("period").loc["2021-12-01", "value"] == 0
    empty = term_trend(c.filter(start="2030-01-01"), "guerre")
    assert empty.empty


def test_smooth_rolling_and_lowess():
    df = pd.DataFrame({"period": pd.date_range("2022-01-03", periods=5, freq="W-MON"), "term": "x", "value": [0.0, 3.0, 6.0, 3.0, 0.0]})
    r = smooth(df, method="rolling", window=3)
    assert r.smoothed.tolist() == pytest.approx([1.5, 3.0, 4.0, 3.0, 1.5])  # centred, shorter at the edges
    lin = df.assign(value=np.arange(5) * 2.0 + 1)
    lo = smooth(lin, method="lowess", frac=0.8)
    assert lo.smoothed.to_numpy() == pytest.approx(lin.value.to_numpy())  # a line is its own LOWESS fit
    two = pd.concat([df, df.assign(term="y", value=df.value * 2)])
    assert smooth(two).groupby("term").smoothed.max().tolist() == pytest.approx([4.0, 8.0])


def test_change_points_step():
    idx = pd.date_range("2022-01-03", periods=20, freq="W-MON")
    y = pd.Series([1.0] * 8 + [5.0] * 12, index=idx) + np.tile([0.1, -0.1], 10)
    assert change_points(y, n_bkps=1) == [idx[8]]
    assert change_points(y, penalty=3.0) == [idx[8]]
    assert change_points(y, n_bkps=1, model="rbf") == [idx[8]]
    assert change_points(y, n_bkps=1) == change_points(y, n_bkps=1)  # deterministic
    assert change_points(y.iloc[:3], n_bkps=1) == []  # too short
    frame = pd.DataFrame({"period": idx, "term": "t", "value": y.to_numpy()})
    assert change_points(frame, n_bkps=1) == [idx[8]]

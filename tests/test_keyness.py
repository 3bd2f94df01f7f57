"""Keyness statistics checked against hand-computed 2x2 tables and scipy.stats.chi2_contingency."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import toy_corpus
from scipy.stats import chi2, chi2_contingency

from analysis.keyness import KEYNESS_COLUMNS, compare, keyness


def hand_g2(a, b, c, d):
    obs = [a, b, c - a, d - b]
    n = c + d
    exp = [c * (a + b) / n, d * (a + b) / n, c * (n - a - b) / n, d * (n - a - b) / n]
    return 2 * sum(o * math.log(o / e) for o, e in zip(obs, exp) if o > 0)


def test_hand_computed_table():
    k = keyness(pd.Series({"w": 10}), pd.Series({"w": 5}), target_total=1000, reference_total=1000).iloc[0]
    # E = 7.5 / 7.5 / 992.5 / 992.5
    g2 = 2 * (10 * math.log(10 / 7.5) + 5 * math.log(5 / 7.5) + 990 * math.log(990 / 992.5) + 995 * math.log(995 / 992.5))
    x2 = 2 * 2.5**2 / 7.5 + 2 * 2.5**2 / 992.5
    assert k.g2 == pytest.approx(g2) and k.chi2 == pytest.approx(x2)
    assert k.p_value == pytest.approx(chi2.sf(g2, 1)) and k.chi2_p_value == pytest.approx(chi2.sf(x2, 1))
    assert k.log_ratio == pytest.approx(1.0) and k.direction == "target"
    assert (k.target_per_10k, k.reference_per_10k) == (pytest.approx(100.0), pytest.approx(50.0))
    yk = keyness(pd.Series({"w": 10}), pd.Series({"w": 5}), target_total=1000, reference_total=1000, yates=True).iloc[0]
    assert yk.chi2 == pytest.approx(2 * 2.0**2 / 7.5 + 2 * 2.0**2 / 992.5) and yk.g2 == pytest.approx(g2)


@pytest.mark.parametrize("yates", [False, True])
def test_against_scipy(yates):
    rng = np.random.default_rng(7)
    a = rng.integers(0, 60, 40)
    b = rng.integers(0, 60, 40)
    terms = [f"t{i}" for i in range(40)]
    c, d = 5000, 8000
    k = keyness(pd.Series(a, index=terms), pd.Series(b, index=terms), target_total=c, reference_total=d, yates=yates).set_index("term")
    for t, ai, bi in zip(terms, a, b):
        if ai + bi == 0:
            continue
        table = [[ai, bi], [c - ai, d - bi]]
        g2, p, _, _ = chi2_contingency(table, correction=False, lambda_="log-likelihood")
        x2, xp, _, _ = chi2_contingency(table, correction=yates)
        assert k.loc[t, "g2"] == pytest.approx(g2, rel=1e-9, abs=1e-9)
        assert k.loc[t, "p_value"] == pytest.approx(p, rel=1e-7)
        assert k.loc[t, "chi2"] == pytest.approx(x2, rel=1e-9, abs=1e-9)
        assert k.loc[t, "chi2_p_value"] == pytest.approx(xp, rel=1e-7)
        assert k.loc[t, "g2"] == pytest.approx(hand_g2(ai, bi, c, d), rel=1e-9, abs=1e-9)


def test_zero_adjustment_direction_sorting_and_totals():
    k = keyness(pd.Series({"x": 0, "y": 30, "z": 5}), pd.Series({"x": 4, "z": 10}), target_total=100, reference_total=200)
    assert list(k.columns) == KEYNESS_COLUMNS
    assert k.g2.is_monotonic_decreasing
    row = k.set_index("term")
    assert row.loc["x", "log_ratio"] == pytest.approx(math.log2((0.5 / 100) / (4 / 200)))
    assert row.loc["y", "log_ratio"] == pytest.approx(math.log2((30 / 100) / (0.5 / 200)))
    assert row.loc["z", "direction"] == "equal" and row.loc["z", "g2"] == pytest.approx(0.0, abs=1e-12)
    assert row.loc["x", "direction"] == "reference" and row.loc["y", "reference_count"] == 0
    assert (k.target_total == 100).all() and (k.reference_total == 200).all()
    assert set(keyness(pd.Series({"x": 1, "y": 30}), pd.Series({"x": 1}), min_count=3).term) == {"y"}
    with pytest.raises(ValueError, match="total"):
        keyness(pd.Series({"x": 50}), pd.Series({"x": 1}), target_total=10)


def test_compare_periods_on_toy():
    c = toy_corpus()
    k = compare(c, target=("2022-02-01", "2022-02-28"), reference=("2022-01-01", "2022-01-31"))
    assert (k.target_total == 19).all() and (k.reference_total == 25).all()  # d4+d5 = 12+7; d1+d2+d3 = 10+6+9
    p = k.set_index("term").loc["poutine"]
    assert (p.target_count, p.reference_count, p.direction) == (2, 0, "target")
    assert p.g2 == pytest.approx(chi2_contingency([[2, 0], [17, 25]], correction=False, lambda_="log-likelihood")[0])
    assert k.attrs["target_documents"] == 2 and k.attrs["reference_documents"] == 3


def test_compare_sources_and_external_corpus():
    c = toy_corpus()
    k = compare(c, target={"sources": ["Libération"]}, reference={"sources": ["Le Monde"]})
    assert (k.target_total == 13).all() and (k.reference_total == 31).all()
    ext = c.filter(sources=["Le Monde"])
    k2 = compare(c, target={"sources": ["Libération"]}, reference=ext)
    pd.testing.assert_frame_equal(k.reset_index(drop=True), k2.reset_index(drop=True))
    with pytest.raises(TypeError):
        compare(c, target="2022", reference=ext)


def test_compare_empty_side():
    c = toy_corpus()
    k = compare(c, target=("2023-01-01", "2023-01-31"), reference=("2022-01-01", "2022-01-31"))
    assert (k.target_count == 0).all() and (k.target_total == 0).all() and k.log_ratio.isna().all()

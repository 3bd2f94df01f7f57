"""Tone over time (bootstrap CIs), extreme documents and entity tone on hand-built tables."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from analysis_fixtures import toy_corpus
from scipy import stats

from analysis.sentiment.tone import bootstrap_mean_ci, cell_rng, entity_tone, extreme_documents, tone_over_time


@pytest.fixture(scope="module")
def c():
    return toy_corpus()


def naive_bootstrap(x, n_boot, ci, rng):
    """Independent re-implementation: one resample per loop iteration."""
    means = [x[rng.integers(0, len(x), size=len(x))].mean() for _ in range(n_boot)]
    return tuple(np.percentile(means, [100 * (1 - ci) / 2, 100 * (1 + ci) / 2]))


def test_bootstrap_matches_naive_and_scipy():
    x = np.random.default_rng(1).normal(-0.2, 0.5, 300)
    lo, hi = bootstrap_mean_ci(x, n_boot=2000, ci=0.95, rng=np.random.default_rng(5), max_cells=10_000)  # small blocks
    nlo, nhi = naive_bootstrap(x, 2000, 0.95, np.random.default_rng(5))
    assert (lo, hi) == pytest.approx((nlo, nhi), abs=1e-12)
    ref = stats.bootstrap((x,), np.mean, n_resamples=5000, confidence_level=0.95, method="percentile", rng=np.random.default_rng(9))
    assert lo == pytest.approx(ref.confidence_interval.low, abs=0.01) and hi == pytest.approx(ref.confidence_interval.high, abs=0.01)
    se = x.std(ddof=1) / np.sqrt(len(x))  # normal approximation, another independent check
    assert lo == pytest.approx(x.mean() - 1.96 * se, abs=0.01)
    assert bootstrap_mean_ci(np.array([0.3]), rng=np.random.default_rng(0)) == (0.3, 0.3)
    assert np.isnan(bootstrap_mean_ci(np.array([]))[0])


def test_tone_by_month_and_source(c):
    t = tone_over_time(c, period="month", by="source", n_boot=500)
    lm = t[(t.source == "Le Monde") & (t.period == pd.Timestamp("2022-01-01"))].iloc[0]
    assert lm.n == 2 and lm["mean"] == pytest.approx((-0.375 + -0.25) / 2)
    assert lm.neg_share == pytest.approx(0.75)  # 3 of the 4 sentences of d1, d3 are <= -0.05
    assert lm.ci_low >= -0.375 - 1e-6 and lm.ci_high <= -0.25 + 1e-6 and lm.ci_low <= lm["mean"] <= lm.ci_high
    x = np.array([-0.375, -0.25])
    key = (str(pd.Timestamp("2022-01-01")), "Le Monde")
    assert (lm.ci_low, lm.ci_high) == pytest.approx(naive_bootstrap(x, 500, 0.95, cell_rng(20220224, key)), abs=1e-6)
    lib = t[(t.source == "Libération") & (t.period == pd.Timestamp("2022-01-01"))].iloc[0]
    assert lib.n == 1 and lib.ci_low == lib.ci_high == pytest.approx(0.375)


def test_sentence_level_empty_periods_and_determinism(c):
    t = tone_over_time(c, period="week", level="sentence", n_boot=200)
    assert len(t) == 8
    w1 = t.set_index("period").loc["2022-01-03"]
    assert w1.n == 4 and w1["mean"] == pytest.approx(0.0) and w1.neg_share == pytest.approx(0.5)
    empty = t.set_index("period").loc["2022-01-10"]
    assert empty.n == 0 and np.isnan(empty["mean"]) and np.isnan(empty.ci_low)
    again = tone_over_time(c, period="week", level="sentence", n_boot=200)
    pd.testing.assert_frame_equal(t, again)
    other = tone_over_time(c, period="week", level="sentence", n_boot=200, seed=1)
    assert not np.allclose(t.ci_low.dropna(), other.ci_low.dropna())
    # a cell's interval does not depend on the other cells computed
    sub = tone_over_time(c.filter(start="2022-01-03", end="2022-01-09"), period="week", level="sentence", n_boot=200)
    assert sub.iloc[0].ci_low == w1.ci_low


def test_overall_one_document_and_empty(c):
    one = tone_over_time(c.filter(doc_ids=["d4"]), period=None)
    assert len(one) == 1 and one.iloc[0]["mean"] == pytest.approx(-0.5) and one.iloc[0].n == 1
    none = tone_over_time(c.filter(start="2030-01-01"), period="week")
    assert none.empty


def test_extreme_documents(c):
    neg = extreme_documents(c, n=2)
    assert neg.doc_id.tolist() == ["d4", "d1"] and neg.iloc[0].text.startswith("Poutine lance")
    pos = extreme_documents(c, n=1, direction="positive")
    assert pos.doc_id.tolist() == ["d2"] and pos.iloc[0].title == "Paix"
    assert set(neg.columns) >= {"title", "text", "date", "source", "tone"}


def test_entity_tone(c):
    e = entity_tone(c, ["Vladimir Poutine", "volodymyr zelensky", "Nobody"], n_boot=300).set_index("entity")
    assert e.loc["Vladimir Poutine", "n"] == 2 and e.loc["Vladimir Poutine", "mean"] == pytest.approx(-0.75)  # -1.0, -0.5
    assert e.loc["volodymyr zelensky", "mean"] == pytest.approx(0.25)  # 0.0 (d4), 0.5 (d5)
    assert e.loc["Vladimir Poutine", "neg_share"] == 1.0
    assert e.loc["Nobody", "n"] == 0 and np.isnan(e.loc["Nobody", "mean"])
    m = entity_tone(c, ["Vladimir Poutine"], period="month")
    assert m.n.tolist() == [0, 2]

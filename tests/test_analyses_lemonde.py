"""Analyses on the real Le Monde 2022 corpus (needs ANALYSIS_TEST_DATA).

The session fixture ``lemonde_processed`` (tests/conftest.py) is the whole corpus, ingested and
annotated once per test session.
"""

from __future__ import annotations

import io

import matplotlib

matplotlib.use("Agg")

import pandas as pd  # noqa: E402
import pytest  # noqa: E402

pytestmark = [pytest.mark.shared, pytest.mark.slow]


@pytest.fixture(scope="module")
def corpus(lemonde_processed):
    from analysis.tables import Corpus

    return Corpus(lemonde_processed, name="lemonde-2022")


def test_ukraine_share_jumps_with_change_point_near_invasion(corpus):
    from analysis.trends import change_points, doc_share

    weekly = doc_share(corpus, "ukraine", period="week", start="2022-01-01", end="2022-04-30").set_index("period")
    before = weekly.loc["2022-01-03":"2022-02-14", "value"].mean()
    after = weekly.loc["2022-02-28":"2022-03-28", "value"].mean()
    assert after > 2 * before, (before, after)
    daily = doc_share(corpus, "ukraine", period="day", start="2022-01-01", end="2022-04-30")
    cps = change_points(daily, n_bkps=1)
    assert len(cps) == 1 and abs(cps[0] - pd.Timestamp("2022-02-24")) <= pd.Timedelta(days=7), cps
    # same question by regular expression on titles and leads
    rx = doc_share(corpus, pattern=r"\bukrain", period="week", start="2022-01-01", end="2022-04-30").set_index("period")
    assert rx.loc["2022-02-28":"2022-03-28", "value"].mean() > 2 * rx.loc["2022-01-03":"2022-02-14", "value"].mean()


def test_keyness_march_vs_january_prints(lemonde_processed, capsys):
    from analysis.cli import main

    rc = main(["keyness", "--processed", str(lemonde_processed), "--target", "2022-03-01:2022-03-31",
               "--reference", "2022-01-01:2022-01-31", "--format", "csv"])
    out = capsys.readouterr().out
    assert rc == 0
    df = pd.read_csv(io.StringIO(out))
    assert len(df) > 100 and df.g2.is_monotonic_decreasing
    top = df[df.direction == "target"].head(20).term.tolist()
    assert {"ukraine", "ukrainien", "russe", "russie", "guerre", "kiev", "invasion"} & set(top), top
    assert df.target_total.nunique() == 1 and df.reference_total.nunique() == 1


def test_entity_network_and_plots(corpus, tmp_path):
    from analysis import plots
    from analysis.entities import cooccurrence, cooccurrence_graph, export_graph, top_entities
    from analysis.sentiment.tone import tone_over_time

    top = top_entities(corpus, label="PER", n=10)
    assert len(top) == 10
    co = cooccurrence(corpus, level="sentence", min_count=5)
    G = cooccurrence_graph(co)
    assert G.number_of_edges() > 10
    export_graph(G, tmp_path / "net.graphml")
    assert (tmp_path / "net.graphml").stat().st_size > 0
    plots.plot_network(G, top=30)
    tone = tone_over_time(corpus.filter(start="2022-01-01", end="2022-12-31"), period="month", n_boot=200)  # a few archive items date from 1991-2021
    assert len(tone) == 12 and (tone.ci_low <= tone["mean"]).all()
    plots.plot_tone(tone)

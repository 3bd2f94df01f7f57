"""Plots return Figures (never pyplot state), label units, and cope with empty or tiny inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.pyplot as plt  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from analysis_fixtures import toy_corpus  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import plots  # noqa: E402
from analysis.entities import cooccurrence, cooccurrence_graph, entity_trend  # noqa: E402
from analysis.frequency import term_frequencies  # noqa: E402
from analysis.keyness import compare  # noqa: E402
from analysis.sentiment.tone import tone_over_time  # noqa: E402
from analysis.trends import change_points, smooth, term_trend  # noqa: E402


@pytest.fixture(scope="module")
def c():
    return toy_corpus()


def texts(fig: Figure) -> str:
    ax = fig.axes[0]
    return " | ".join([ax.get_title(), ax.get_xlabel(), ax.get_ylabel(), *[t.get_text() for t in ax.texts]])


def test_term_trend_labels_events_and_change_points(c):
    t = smooth(term_trend(c, ["guerre", "ukraine"], period="week"))
    cps = change_points(t[t.term == "guerre"], n_bkps=1)
    fig = plots.plot_term_trend(t, events={"2022-02-24": "Invasion"}, change_points=cps)
    s = texts(fig)
    assert isinstance(fig, Figure) and "10 000 tokens" in s and "toy" in s and "2022-01-03 – 2022-02-21" in s and "Invasion" in s
    assert "semaine" in s
    en = plots.plot_term_trend(term_trend(c, "guerre", period="month", normalise="doc_share"), lang="en")
    assert "share of articles (%)" in texts(en) and "month" in texts(en)
    assert plt.get_fignums() == []  # nothing registered with pyplot, nothing shown
    with pytest.raises(ValueError):
        plots.plot_term_trend(t, lang="de")


@pytest.mark.parametrize("lang,msg", [("fr", "pas assez de périodes"), ("en", "not enough periods")])
def test_one_period_and_empty_messages(c, lang, msg):
    one = term_trend(c, "guerre", period="month", start="2022-02-24", end="2022-02-24")
    assert msg in texts(plots.plot_term_trend(one, lang=lang))
    empty = term_trend(c.filter(start="2030-01-01"), "guerre")
    assert ("aucune donnée" if lang == "fr" else "no data") in texts(plots.plot_term_trend(empty, lang=lang))


def test_keyness_both_directions(c):
    k = compare(c, target=("2022-02-01", "2022-02-28"), reference=("2022-01-01", "2022-01-31"))
    fig = plots.plot_keyness(k, n=3)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert len(labels) == 6 and labels[0] in {"poutine", "zelensky"} and "soldat" in labels
    assert "log ratio" in ax.get_xlabel() and "G²" in ax.get_title()
    assert "aucune donnée" in texts(plots.plot_keyness(k.iloc[0:0]))


def test_tone_band_and_empty(c):
    t = tone_over_time(c, period="week", by="source", n_boot=100)
    fig = plots.plot_tone(t)
    ax = fig.axes[0]
    assert len(ax.collections) >= 2 and "compound" in ax.get_ylabel() and "IC bootstrap 95" in ax.get_title()
    one = tone_over_time(c.filter(doc_ids=["d1"]), period="week", n_boot=100)
    assert "pas assez" in texts(plots.plot_tone(one))
    assert "aucune donnée" in texts(plots.plot_tone(tone_over_time(c.filter(start="2030-01-01"))))


def test_entity_trend_network_wordcloud_volume(c, tmp_path):
    fig = plots.plot_entity_trend(entity_trend(c, ["Vladimir Poutine"], period="month"))
    assert "mentions pour 10 000 tokens" in texts(fig)
    G = cooccurrence_graph(cooccurrence(c, level="document", min_count=1))
    net = plots.plot_network(G, top=3)
    assert len([t for t in net.axes[0].texts]) == 3  # one label per node kept
    assert "aucune donnée" in texts(plots.plot_network(cooccurrence_graph(cooccurrence(c, min_count=99))))
    wc = plots.plot_wordcloud(term_frequencies(c))
    assert len(wc.axes[0].images) == 1
    assert "aucune donnée" in texts(plots.plot_wordcloud(term_frequencies(c.filter(start="2030-01-01"))))
    vol = plots.plot_volume(c, period="month", by="source")
    assert "nombre d'articles" in texts(vol) and sum(p.get_height() for p in vol.axes[0].patches) == 5
    assert "aucune donnée" in texts(plots.plot_volume(c.filter(start="2030-01-01")))
    out = plots.save_figure(vol, tmp_path / "v.png")
    assert out.read_bytes()[:4] == b"\x89PNG" and [p.name for p in tmp_path.iterdir()] == ["v.png"]

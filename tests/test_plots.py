"""Plots return Figures (never pyplot state), label units, and cope with empty or tiny inputs."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")

import matplotlib.dates as mdates  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402
from analysis_fixtures import toy_corpus  # noqa: E402
from matplotlib.collections import PolyCollection  # noqa: E402
from matplotlib.container import ErrorbarContainer  # noqa: E402
from matplotlib.figure import Figure  # noqa: E402

from analysis import plots  # noqa: E402
from analysis.entities import cooccurrence, cooccurrence_graph, entity_trend  # noqa: E402
from analysis.frequency import term_frequencies  # noqa: E402
from analysis.keyness import compare  # noqa: E402
from analysis.sentiment.tone import entity_tone, tone_over_time  # noqa: E402
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


def _tone_frame(n_periods, *, gaps=(), by_source=False):
    """Synthetic tone table: weekly periods, mean −0.1, CI ±0.05, n = 0 in ``gaps``."""
    periods = pd.date_range("2022-01-03", periods=n_periods, freq="7D")
    df = pd.DataFrame({"period": periods, "n": [0 if i in gaps else 10 for i in range(n_periods)]})
    df["mean"] = np.where(df["n"] > 0, -0.1, np.nan)
    df["ci_low"], df["ci_high"], df["neg_share"] = df["mean"] - 0.05, df["mean"] + 0.05, 0.4
    if by_source:
        df = pd.concat([df.assign(source="A"), df.assign(source="B")], ignore_index=True)
    df.attrs.update({"analysis": "tone", "corpus": "synthetic", "period": "week", "level": "document", "ci": 0.95})
    return df


def _error_bars(ax):
    return [c for c in ax.containers if isinstance(c, ErrorbarContainer)]


def test_tone_one_interval_representation_and_events():
    many = plots.plot_tone(_tone_frame(10), events={"2022-02-01": "événement", "2023-06-01": "hors champ"})
    ax = many.axes[0]
    assert len([c for c in ax.collections if isinstance(c, PolyCollection)]) == 1  # the band ...
    assert _error_bars(ax) == []  # ... and no error bars on top of it
    s = texts(many)
    assert "événement" in s and "hors champ" not in s  # an event outside the data is left out
    dashed = [ln for ln in ax.get_lines() if ln.get_linestyle() == "--"]
    assert len(dashed) == 1 and pd.Timestamp(dashed[0].get_xdata()[0]) == pd.Timestamp("2022-02-01")
    assert ax.get_xlim()[1] < mdates.date2num(pd.Timestamp("2022-06-01"))  # the axis is not stretched to it
    few = plots.plot_tone(_tone_frame(2))
    assert [c for c in few.axes[0].collections if isinstance(c, PolyCollection)] == [] and len(_error_bars(few.axes[0])) == 1
    # an isolated measured week between two empty ones gets an error bar; the rest is a band
    gap = plots.plot_tone(_tone_frame(9, gaps=(3, 5)))
    bars = _error_bars(gap.axes[0])
    assert len(bars) == 1 and len(bars[0].lines[0].get_xdata()) == 1
    assert plots.plot_tone(_tone_frame(6, by_source=True)).axes[0].get_legend() is not None
    # more than two series: one panel each (shared axes) rather than overlapping bands
    three = pd.concat([_tone_frame(6).assign(source=s) for s in "ABC"], ignore_index=True)
    three.attrs = _tone_frame(6).attrs
    panels = plots.plot_tone(three, events={"2022-01-20": "e"})
    shown = [a for a in panels.axes if a.get_visible()]
    assert [a.get_title(loc="left") for a in shown] == ["A", "B", "C"]
    assert all(len([c for c in a.collections if isinstance(c, PolyCollection)]) == 1 and not _error_bars(a) for a in shown)
    assert "semaine" in panels.get_supxlabel() and "compound" in panels.get_supylabel() and "synthetic" in panels.get_suptitle()
    assert len(plots.plot_tone(three, layout="overlay").axes) == 1


def test_tone_unit_label_follows_the_data(c):
    docs = plots.plot_tone(tone_over_time(c, period="month", n_boot=50))
    assert "par article" in docs.axes[0].get_ylabel() and "articles" in docs.axes[0].get_title()
    sents = plots.plot_tone(tone_over_time(c, period="month", level="sentence", n_boot=50), lang="en")
    assert "per sentence" in sents.axes[0].get_ylabel() and "sentences" in sents.axes[0].get_title()
    ent = entity_tone(c, ["Vladimir Poutine", "Volodymyr Zelensky"], period="month", n_boot=50)
    fig = plots.plot_tone(ent)
    assert "citant l'entité" in fig.axes[0].get_ylabel() and "mentionnant chaque entité" in fig.axes[0].get_title()
    assert "articles" not in fig.axes[0].get_title()
    # one value per entity: dots with error bars, one per entity with sentences, labelled
    overall = entity_tone(c, ["Vladimir Poutine", "Volodymyr Zelensky", "Personne"], n_boot=50)
    dots = plots.plot_tone(overall)
    ax = dots.axes[0]
    assert "citant l'entité" in ax.get_xlabel() and len(_error_bars(ax)) == 2
    assert "2022-01-03 – 2022-02-25" in ax.get_title()  # the period, although there is no period column
    assert [t.get_text() for t in ax.get_yticklabels()] == ["Vladimir Poutine", "Volodymyr Zelensky"]


def test_keyness_x_range_is_tight(c):
    k = compare(c, target=("2022-02-01", "2022-02-28"), reference=("2022-01-01", "2022-01-31"))
    fig = plots.plot_keyness(k, n=3)
    ax = fig.axes[0]
    fig.draw_without_rendering()
    renderer = fig.canvas.get_renderer()
    axes_box = ax.get_window_extent(renderer)
    boxes = [t.get_window_extent(renderer) for t in ax.texts if t.get_text().strip()]
    assert boxes and all(b.x0 >= axes_box.x0 - 1 and b.x1 <= axes_box.x1 + 1 for b in boxes)  # annotations fit
    left = min(b.x0 for b in boxes + [p.get_window_extent(renderer) for p in ax.patches[:6]])
    right = max(b.x1 for b in boxes + [p.get_window_extent(renderer) for p in ax.patches[:6]])
    assert (axes_box.x1 - right) + (left - axes_box.x0) < 0.1 * axes_box.width  # little empty space


def test_volume_events(c):
    vol = plots.plot_volume(c, period="week", by="source", events={"2022-02-24": "invasion"})
    assert "invasion" in texts(vol)


def test_network_layout_is_deterministic_and_places_isolated_nodes(c):
    import networkx as nx

    G = cooccurrence_graph(cooccurrence(c, level="document", min_count=1))
    G.add_node("Isolée", count=10**6, label="LOC")  # synthetic: the most mentioned entity has no edge

    def positions():
        fig = plots.plot_network(G.copy(), top=30)
        return {t.get_text(): t.xy for t in fig.axes[0].texts}

    a, b = positions(), positions()
    assert set(a) == set(G.nodes) and all(np.array_equal(a[n], b[n]) for n in a)  # same input -> same node positions
    linked = [n for n in G.nodes if G.degree(n) > 0]
    assert a["Isolée"][1] < min(a[n][1] for n in linked)  # on the bottom row, outside the layout
    pos = plots.network_layout(nx.relabel_nodes(G, {}, copy=True), seed=1)
    assert np.array_equal(pos["Vladimir Poutine"], plots.network_layout(G, seed=1)["Vladimir Poutine"])
    assert max(np.abs(pos[n]).max() for n in linked) == pytest.approx(1.0)  # scaled to [-1, 1]

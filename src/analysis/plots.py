"""Figures for the analysis tables: one style, colour-blind-safe, French or English labels.

Every function takes the DataFrame an analysis function returned (the analysis records its
corpus, period and normalisation in ``df.attrs``, which the titles and axis labels use) and
returns a :class:`matplotlib.figure.Figure`. Figures are built without ``pyplot`` so nothing is
shown or kept in a global figure list: display the returned figure in a notebook, or save it
with :func:`save_figure`. Colours are the Okabe–Ito palette (Okabe & Ito 2008). Empty or too
short inputs give a figure with an explanatory message instead of an exception.

Example:
    >>> import pandas as pd
    >>> df = pd.DataFrame({"period": pd.to_datetime(["2022-01-03", "2022-01-10"]), "term": "guerre",
    ...                    "count": [3, 9], "total": [1000, 1200], "value": [30.0, 75.0]})
    >>> fig = plot_term_trend(df, events={"2022-01-05": "événement"}, lang="fr")
    >>> fig.axes[0].get_ylabel()
    'occurrences pour 10 000 tokens'
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from analysis.config import SEED
from analysis.storage import atomic_path

Lang = Literal["fr", "en"]

#: Okabe–Ito colour-blind-safe palette, ordered for lines (blue, vermillion, green, ...).
OKABE_ITO = ["#0072B2", "#D55E00", "#009E73", "#E69F00", "#56B4E9", "#CC79A7", "#F0E442", "#000000"]
LABEL_COLOURS = {"PER": "#0072B2", "LOC": "#009E73", "ORG": "#D55E00", "MISC": "#CC79A7"}

STYLE = {
    "axes.prop_cycle": __import__("cycler").cycler(color=OKABE_ITO),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "grid.alpha": 0.3,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "legend.fontsize": 9,
    "legend.frameon": False,
    "figure.dpi": 100,
    "savefig.dpi": 150,
    "savefig.bbox": "tight",
}

TEXT = {
    "fr": {
        "per_10k": "occurrences pour 10 000 tokens",
        "doc_share": "part des articles (%)",
        "count": "nombre d'occurrences (brut)",
        "mentions_per_10k": "mentions pour 10 000 tokens",
        "mentions_count": "nombre de mentions (brut)",
        "day": "jour", "week": "semaine", "month": "mois",
        "period_axis": "période ({p}, début, UTC)",
        "trend": "Fréquence",
        "entity_trend": "Mentions d'entités",
        "no_data": "aucune donnée pour ces paramètres",
        "one_period": "une seule période : pas assez de périodes pour une tendance",
        "change_point": "rupture (ruptures)",
        "keyness": "Mots-clés (G², log ratio)",
        "log_ratio": "log ratio (log2 du rapport des fréquences relatives, cible / référence)",
        "more_target": "plus fréquent dans la cible",
        "more_reference": "plus fréquent dans la référence",
        "tone": "Tonalité moyenne",
        "tone_axis": "ton moyen (compound, −1 à 1)",
        "ci": "IC bootstrap {ci:.0%}",
        "documents": "documents", "sentences": "phrases",
        "network": "Réseau de cooccurrences",
        "wordcloud": "Nuage de mots",
        "volume": "Volume",
        "articles": "nombre d'articles",
        "smoothed": "lissé",
        "raw": "brut",
        "corpus": "corpus",
        "by_count": "taille des mots ∝ nombre d'occurrences",
        "node_size": "taille des nœuds ∝ unités mentionnant l'entité, épaisseur ∝ cooccurrences",
    },
    "en": {
        "per_10k": "occurrences per 10,000 tokens",
        "doc_share": "share of articles (%)",
        "count": "number of occurrences (raw)",
        "mentions_per_10k": "mentions per 10,000 tokens",
        "mentions_count": "number of mentions (raw)",
        "day": "day", "week": "week", "month": "month",
        "period_axis": "period ({p}, start, UTC)",
        "trend": "Frequency",
        "entity_trend": "Entity mentions",
        "no_data": "no data for these parameters",
        "one_period": "a single period: not enough periods for a trend",
        "change_point": "change point (ruptures)",
        "keyness": "Keyness (G², log ratio)",
        "log_ratio": "log ratio (log2 of the relative-frequency ratio, target / reference)",
        "more_target": "more frequent in target",
        "more_reference": "more frequent in reference",
        "tone": "Mean tone",
        "tone_axis": "mean tone (compound, −1 to 1)",
        "ci": "{ci:.0%} bootstrap CI",
        "documents": "documents", "sentences": "sentences",
        "network": "Co-occurrence network",
        "wordcloud": "Word cloud",
        "volume": "Volume",
        "articles": "number of articles",
        "smoothed": "smoothed",
        "raw": "raw",
        "corpus": "corpus",
        "by_count": "word size ∝ number of occurrences",
        "node_size": "node size ∝ units mentioning the entity, edge width ∝ co-occurrences",
    },
}


def _t(lang: str) -> dict[str, str]:
    if lang not in TEXT:
        raise ValueError(f"lang must be 'fr' or 'en', got {lang!r}")
    return TEXT[lang]


def _figure(figsize=(9, 4.5)) -> tuple[Figure, Any]:
    import matplotlib as mpl

    with mpl.rc_context(STYLE):
        fig = Figure(figsize=figsize, layout="constrained")
        ax = fig.add_subplot()
    return fig, ax


def _message(ax, text: str) -> None:
    ax.text(0.5, 0.5, text, transform=ax.transAxes, ha="center", va="center", fontsize=11, color="#444444",
            bbox={"boxstyle": "round", "fc": "#F5F5F5", "ec": "#BBBBBB"})


def _span(periods: pd.Series) -> str:
    p = pd.to_datetime(periods.dropna())
    if p.empty:
        return ""
    a, b = p.min(), p.max()
    return f"{a:%Y-%m-%d}" if a == b else f"{a:%Y-%m-%d} – {b:%Y-%m-%d}"


def _title(what: str, df: pd.DataFrame, *, corpus: str | None, lang: str, period_col: str = "period", suffix: str = "") -> str:
    tx = _t(lang)
    parts = [what]
    name = corpus or df.attrs.get("corpus")
    meta = []
    if name:
        meta.append(f"{tx['corpus']} {name}")
    if period_col in df.columns and len(df):
        span = _span(df[period_col])
        per = df.attrs.get("period")
        meta.append(span + (f" ({tx.get(per, per)})" if per else ""))
    title = parts[0] + (" — " + ", ".join(m for m in meta if m) if meta else "")
    return title + (f" {suffix}" if suffix else "")


def _events(events: Mapping[Any, str] | Iterable[Any]) -> list[tuple[pd.Timestamp, str]]:
    if isinstance(events, Mapping):
        items = list(events.items())
    else:
        items = [(e, "") if not isinstance(e, tuple | list) else (e[0], e[1]) for e in events]
    out = []
    for when, label in items:
        ts = pd.Timestamp(when)
        ts = ts.tz_convert("UTC").tz_localize(None) if ts.tzinfo is not None else ts
        out.append((ts, str(label)))
    return out


def _series_key(df: pd.DataFrame) -> list[str]:
    return [c for c in ("term", "entity", "source", "section") if c in df.columns]


def plot_term_trend(
    df: pd.DataFrame,
    *,
    events: Mapping[Any, str] | Iterable[Any] = (),
    change_points: Iterable[Any] = (),
    lang: Lang = "fr",
    title_suffix: str = "",
    corpus: str | None = None,
    normalise: str | None = None,
    ax=None,
) -> Figure:
    """Line chart of a :func:`analysis.trends.term_trend` frame, one line per term (and group).

    Plots ``smoothed`` when present (raw values as faint points), event markers (dashed, with
    their labels) and change points (dotted vermillion). ``doc_share`` values are shown in %.
    """
    tx = _t(lang)
    fig, ax = _figure() if ax is None else (ax.figure, ax)
    norm = normalise or df.attrs.get("normalise", "per_10k")
    entity = "entity" in df.columns
    if norm == "doc_share":
        ylabel = tx["doc_share"]
    elif entity:
        ylabel = tx["mentions_per_10k"] if norm == "per_10k" else tx["mentions_count"]
    else:
        ylabel = tx.get(norm, norm)
    what = tx["entity_trend"] if entity else tx["trend"]
    period = df.attrs.get("period", "week")
    ax.set_xlabel(tx["period_axis"].format(p=tx.get(period, period)))
    ax.set_ylabel(ylabel)
    ax.set_title(_title(what, df, corpus=corpus, lang=lang, suffix=title_suffix))
    if df.empty or "period" not in df.columns:
        _message(ax, tx["no_data"])
        return fig
    scale = 100.0 if norm == "doc_share" else 1.0
    keys = _series_key(df)
    groups = df.groupby(keys, sort=False) if keys else [("", df)]
    n_periods = df["period"].nunique()
    for i, (key, g) in enumerate(groups):
        g = g.sort_values("period")
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        label = " · ".join(map(str, key)) if isinstance(key, tuple) else str(key)
        if "smoothed" in g.columns:
            ax.plot(g["period"], g["value"] * scale, "o", ms=2.5, alpha=0.35, color=colour)
            ax.plot(g["period"], g["smoothed"] * scale, "-", lw=1.8, color=colour, label=f"{label} ({tx['smoothed']})")
        else:
            ax.plot(g["period"], g["value"] * scale, "-o" if n_periods < 30 else "-", ms=3, lw=1.5, color=colour, label=label)
    ymax = ax.get_ylim()[1]
    for when, label in _events(events):
        ax.axvline(when, color="#555555", ls="--", lw=1)
        if label:
            ax.text(when, ymax, f" {label}", rotation=90, va="top", ha="left", fontsize=8, color="#333333",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1}, zorder=5)
    for j, cp in enumerate(change_points):
        ts = pd.Timestamp(cp)
        ax.axvline(ts.tz_localize(None) if ts.tzinfo else ts, color="#D55E00", ls=":", lw=1.6, label=tx["change_point"] if j == 0 else None)
    if n_periods < 2:
        _message(ax, tx["one_period"])
    ax.set_ylim(bottom=0)
    ax.legend(loc="best")
    ax.tick_params(axis="x", labelrotation=30)
    return fig


def plot_entity_trend(df: pd.DataFrame, **kwargs: Any) -> Figure:
    """Line chart of :func:`analysis.entities.entity_trend` output (options of :func:`plot_term_trend`)."""
    return plot_term_trend(df, **kwargs)


def plot_keyness(df: pd.DataFrame, *, n: int = 15, lang: Lang = "fr", title_suffix: str = "", corpus: str | None = None) -> Figure:
    """Bars of the log ratio of the ``n`` most key terms in each direction (ranked by G²).

    Each bar is annotated with the G² value and both raw counts (target / reference).
    """
    tx = _t(lang)
    fig, ax = _figure(figsize=(9, max(3.5, 0.28 * 2 * n + 1.5)))
    target, reference = df.attrs.get("target"), df.attrs.get("reference")
    what = tx["keyness"] + (f": {target} vs {reference}" if target and reference else "")
    name = corpus or df.attrs.get("corpus")
    ax.set_title(what + (f" — {tx['corpus']} {name}" if name else "") + (f" {title_suffix}" if title_suffix else ""))
    ax.set_xlabel(tx["log_ratio"])
    if df.empty:
        _message(ax, tx["no_data"])
        return fig
    top_t = df[df["direction"] == "target"].nlargest(n, "g2")
    top_r = df[df["direction"] == "reference"].nlargest(n, "g2")
    sel = pd.concat([top_t, top_r], ignore_index=True)  # target terms on top, each by G² descending
    y = np.arange(len(sel))[::-1]
    colours = np.where(sel["direction"] == "target", OKABE_ITO[0], OKABE_ITO[1])
    ax.barh(y, sel["log_ratio"], color=colours)
    ax.set_yticks(y, sel["term"])
    for yi, (lr, g2, a, b) in zip(y, sel[["log_ratio", "g2", "target_count", "reference_count"]].itertuples(index=False), strict=True):
        ax.text(lr, yi, f"  G²={g2:.1f} ({a}/{b})  ", va="center", ha="left" if lr >= 0 else "right", fontsize=7, color="#333333")
    ax.axvline(0, color="#333333", lw=0.8)
    from matplotlib.patches import Patch

    ax.legend(handles=[Patch(color=OKABE_ITO[0], label=tx["more_target"]), Patch(color=OKABE_ITO[1], label=tx["more_reference"])], loc="best")
    lo, hi = ax.get_xlim()
    ax.set_xlim(lo - 0.35 * (hi - lo), hi + 0.35 * (hi - lo))
    ax.grid(axis="y", visible=False)
    return fig


def plot_tone(df: pd.DataFrame, *, lang: Lang = "fr", title_suffix: str = "", corpus: str | None = None) -> Figure:
    """Mean tone per period with its bootstrap confidence band, one line per source."""
    tx = _t(lang)
    fig, ax = _figure()
    level = df.attrs.get("level", "document")
    ci = df.attrs.get("ci", 0.95)
    period = df.attrs.get("period", "week")
    ax.set_title(_title(f"{tx['tone']} ({tx['documents' if level == 'document' else 'sentences']}, {tx['ci'].format(ci=ci)})", df, corpus=corpus, lang=lang, suffix=title_suffix))
    ax.set_ylabel(tx["tone_axis"])
    ax.set_xlabel(tx["period_axis"].format(p=tx.get(period, period)) if "period" in df.columns else "")
    valid = df[df["n"] > 0] if "n" in df.columns else df
    if df.empty or valid.empty or "period" not in df.columns:
        _message(ax, tx["no_data"])
        return fig
    keys = [c for c in ("source", "section", "entity") if c in df.columns]
    groups = df.groupby(keys, sort=False) if keys else [("", df)]
    for i, (key, g) in enumerate(groups):
        g = g.sort_values("period")
        colour = OKABE_ITO[i % len(OKABE_ITO)]
        label = " · ".join(map(str, key)) if isinstance(key, tuple) else (str(key) or None)
        ax.plot(g["period"], g["mean"], "-o", ms=3, lw=1.5, color=colour, label=label)
        ax.fill_between(g["period"], g["ci_low"], g["ci_high"], color=colour, alpha=0.2, lw=0)
        ax.vlines(g["period"], g["ci_low"], g["ci_high"], color=colour, alpha=0.5, lw=1)  # visible for isolated periods
    ax.axhline(0, color="#333333", lw=0.8)
    if valid["period"].nunique() < 2:
        _message(ax, tx["one_period"])
    if keys:
        ax.legend(loc="lower left")
    return fig


def plot_network(G, *, top: int = 30, lang: Lang = "fr", title_suffix: str = "", corpus: str | None = None, seed: int = SEED) -> Figure:
    """The ``top`` entities by mention count and their co-occurrences (seeded spring layout)."""
    import networkx as nx

    tx = _t(lang)
    fig, ax = _figure(figsize=(9, 7))
    name = corpus or G.graph.get("corpus")
    level = G.graph.get("level")
    ax.set_title(tx["network"] + (f" ({level})" if level else "") + (f" — {tx['corpus']} {name}" if name else "") + (f" {title_suffix}" if title_suffix else ""))
    ax.set_xlabel(tx["node_size"])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if G.number_of_nodes() == 0:
        _message(ax, tx["no_data"])
        return fig
    nodes = sorted(G.nodes(data=True), key=lambda kv: (-kv[1].get("count", 0), kv[0]))[:top]
    H = G.subgraph([n for n, _ in nodes]).copy()
    pos = nx.spring_layout(H, seed=seed, weight="weight")
    counts = np.array([H.nodes[n].get("count", 1) for n in H.nodes], dtype="float64")
    sizes = 80 + 1200 * counts / counts.max()
    colours = [LABEL_COLOURS.get(H.nodes[n].get("label"), "#999999") for n in H.nodes]
    weights = np.array([d.get("weight", 1) for _, _, d in H.edges(data=True)], dtype="float64")
    widths = 0.5 + 4 * weights / weights.max() if len(weights) else []
    nx.draw_networkx_edges(H, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.6)
    nx.draw_networkx_nodes(H, pos, ax=ax, node_size=sizes, node_color=colours, alpha=0.9)
    nx.draw_networkx_labels(H, pos, ax=ax, font_size=8)
    from matplotlib.lines import Line2D

    labs = sorted({H.nodes[n].get("label") for n in H.nodes} - {None})
    ax.legend(handles=[Line2D([], [], marker="o", ls="", color=LABEL_COLOURS.get(lab, "#999999"), label=lab) for lab in labs], loc="lower right")
    return fig


def plot_wordcloud(freq_df: pd.DataFrame, *, column: str = "count", max_words: int = 100, lang: Lang = "fr", title_suffix: str = "", corpus: str | None = None, seed: int = SEED) -> Figure:
    """Word cloud of a frequency table (``term`` and ``count``); summed over periods/groups."""
    from wordcloud import WordCloud

    tx = _t(lang)
    fig, ax = _figure(figsize=(9, 4.8))
    name = corpus or freq_df.attrs.get("corpus")
    ax.set_title(tx["wordcloud"] + (f" — {tx['corpus']} {name}" if name else "") + (f" {title_suffix}" if title_suffix else ""))
    ax.set_xlabel(tx["by_count"])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    freq = freq_df.groupby("term")[column].sum() if len(freq_df) else pd.Series(dtype="float64")
    freq = freq[freq > 0]
    if freq.empty:
        _message(ax, tx["no_data"])
        return fig
    palette = OKABE_ITO[:6]

    def colour(word, **_):
        return palette[sum(map(ord, word)) % len(palette)]

    wc = WordCloud(width=900, height=450, background_color="white", max_words=max_words, random_state=seed, color_func=colour, prefer_horizontal=0.95)
    wc.generate_from_frequencies({str(k): float(v) for k, v in freq.items()})
    ax.imshow(wc.to_array(), interpolation="bilinear")
    return fig


def plot_volume(corpus_df, *, period: Literal["day", "week", "month"] = "week", by: Literal["source", "section"] | None = "source", lang: Lang = "fr", title_suffix: str = "", corpus: str | None = None) -> Figure:
    """Articles per period (stacked by source or section): the denominator behind every trend.

    Args:
        corpus_df: a :class:`analysis.tables.Corpus` or a frame with ``date`` (and ``by``).
    """
    from analysis.periods import period_range, period_start

    tx = _t(lang)
    name = corpus
    if hasattr(corpus_df, "corpus") and not isinstance(corpus_df, pd.DataFrame):
        name = name or corpus_df.name
        corpus_df = corpus_df.corpus
    fig, ax = _figure()
    ax.set_ylabel(tx["articles"])
    ax.set_xlabel(tx["period_axis"].format(p=tx.get(period, period)))
    base = tx["volume"] + (f" — {tx['corpus']} {name}" if name else "")
    if corpus_df is None or len(corpus_df) == 0:
        ax.set_title(base + (f" {title_suffix}" if title_suffix else ""))
        _message(ax, tx["no_data"])
        return fig
    p = period_start(corpus_df["date"], period)
    rng = period_range(corpus_df["date"].min(), corpus_df["date"].max(), period)
    span = f"{rng[0]:%Y-%m-%d}" + (f" – {rng[-1]:%Y-%m-%d}" if len(rng) > 1 else "")
    ax.set_title(f"{base}, {span} ({tx.get(period, period)})" + (f" {title_suffix}" if title_suffix else ""))
    if by is not None and by in corpus_df.columns:
        tab = pd.crosstab(p, corpus_df[by].fillna("(none)").to_numpy()).reindex(rng, fill_value=0)
    else:
        tab = p.value_counts().reindex(rng, fill_value=0).to_frame("n")
    width = {"day": 0.9, "week": 6, "month": 27}[period]
    bottom = np.zeros(len(tab))
    for i, col in enumerate(tab.columns):
        ax.bar(tab.index, tab[col].to_numpy(), width=width, bottom=bottom, align="edge", color=OKABE_ITO[i % len(OKABE_ITO)], label=str(col) if by else None)
        bottom += tab[col].to_numpy()
    if by is not None and by in corpus_df.columns:
        ax.legend(loc="upper left")
    if len(tab) < 2:
        _message(ax, tx["one_period"])
    return fig


def save_figure(fig: Figure, path: str | os.PathLike[str], **kwargs: Any) -> Path:
    """Save ``fig`` atomically; the format comes from the file extension (``.png``, ``.svg``, ``.pdf``)."""
    path = Path(path)
    fmt = path.suffix.lstrip(".") or "png"
    with atomic_path(path) as tmp:
        fig.savefig(tmp, format=fmt, **kwargs)
    return path

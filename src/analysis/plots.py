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
        "share_trend": "Part des articles mentionnant chaque terme",
        "entity_trend": "Mentions d'entités",
        "no_data": "aucune donnée pour ces paramètres",
        "one_period": "une seule période : pas assez de périodes pour une tendance",
        "change_point": "rupture (ruptures)",
        "keyness": "Mots-clés (G², log ratio)",
        "log_ratio": "log ratio (log2 du rapport des fréquences relatives, cible / référence)",
        "more_target": "plus fréquent dans la cible",
        "target": "cible", "reference": "référence",
        "more_reference": "plus fréquent dans la référence",
        "tone": "Tonalité moyenne",
        "tone_axis": "ton moyen {unit}\n(compound, −1 à 1)",
        "tone_unit_document": "par article", "tone_unit_sentence": "par phrase",
        "tone_unit_entity": "des phrases citant l'entité",
        "tone_title_document": "moyenne des articles", "tone_title_sentence": "moyenne des phrases",
        "tone_title_entity": "phrases mentionnant chaque entité",
        "group_axis": "{g}",
        "source": "source", "section": "rubrique", "entity": "entité",
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
        "level_sentence": "même phrase", "level_document": "même article",
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
        "share_trend": "Share of articles mentioning each term",
        "entity_trend": "Entity mentions",
        "no_data": "no data for these parameters",
        "one_period": "a single period: not enough periods for a trend",
        "change_point": "change point (ruptures)",
        "keyness": "Keyness (G², log ratio)",
        "log_ratio": "log ratio (log2 of the relative-frequency ratio, target / reference)",
        "more_target": "more frequent in target",
        "target": "target", "reference": "reference",
        "more_reference": "more frequent in reference",
        "tone": "Mean tone",
        "tone_axis": "mean tone {unit}\n(compound, −1 to 1)",
        "tone_unit_document": "per article", "tone_unit_sentence": "per sentence",
        "tone_unit_entity": "of sentences naming the entity",
        "tone_title_document": "mean over articles", "tone_title_sentence": "mean over sentences",
        "tone_title_entity": "sentences mentioning each entity",
        "group_axis": "{g}",
        "source": "source", "section": "section", "entity": "entity",
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
        "level_sentence": "same sentence", "level_document": "same article",
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
    elif df.attrs.get("span"):
        meta.append(str(df.attrs["span"]))
    return _join_title(parts[0], ", ".join(m for m in meta if m), suffix)


#: Titles longer than this many characters put the corpus and period on a second line.
TITLE_WIDTH = 72


def _join_title(what: str, meta: str, suffix: str = "") -> str:
    if not meta:
        return what + (f" {suffix}" if suffix else "")
    sep = "\n" if len(what) + len(meta) + 3 > TITLE_WIDTH else " — "
    return what + sep + meta + (f" {suffix}" if suffix else "")


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


_PERIOD_LENGTH = {"day": pd.DateOffset(days=1), "week": pd.DateOffset(weeks=1), "month": pd.DateOffset(months=1)}


def _draw_events(ax, events: Mapping[Any, str] | Iterable[Any], periods: pd.Series, period: str | None, *, labels: bool = True) -> None:
    """Dashed grey event markers with their labels, for the events inside the plotted periods.

    An event is drawn when it falls between the start of the first period and the end of the
    last one (so 24 February is drawn on a weekly series whose last week starts on the 21st);
    the x range is widened to show it if needed. Events outside the data are left out rather
    than stretching the axis over empty time. Labels are placed at the top of the axes.
    """
    import matplotlib.dates as mdates

    p = pd.to_datetime(pd.Series(periods)).dropna()
    if p.empty:
        return
    if getattr(p.dt, "tz", None) is not None:
        p = p.dt.tz_convert("UTC").dt.tz_localize(None)
    first, last = p.min(), p.max()
    end = last + _PERIOD_LENGTH.get(period or "", pd.DateOffset(days=0))
    lo, hi = ax.get_xlim()
    for when, label in _events(events):
        if not first <= when <= end:
            continue
        x = mdates.date2num(when)
        ax.axvline(when, color="#555555", ls="--", lw=1, zorder=1)
        if label and labels:
            ax.text(when, 0.98, f" {label}", transform=ax.get_xaxis_transform(), rotation=90, va="top", ha="left", fontsize=8,
                    color="#333333", bbox={"fc": "white", "ec": "none", "alpha": 0.8, "pad": 1}, zorder=5)
        lo, hi = min(lo, x), max(hi, x + 0.5)
    ax.set_xlim(lo, hi)


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
    what = tx["entity_trend"] if entity else tx["share_trend"] if norm == "doc_share" else tx["trend"]
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
    _draw_events(ax, events, df["period"], period)
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
    name = corpus or df.attrs.get("corpus")
    what = tx["keyness"] + (f" — {tx['corpus']} {name}" if name else "")
    sides = f"{tx['target']} {target} / {tx['reference']} {reference}" if target and reference else ""
    ax.set_title(what + (f"\n{sides}" if sides else "") + (f" {title_suffix}" if title_suffix else ""))
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
    ax.grid(axis="y", visible=False)
    _fit_annotations(fig, ax, sel["log_ratio"].to_numpy("float64"))
    return fig


def _fit_annotations(fig: Figure, ax, values: np.ndarray, *, margin: float = 0.02) -> None:
    """Set the x range just wide enough for the bars and the text beside their ends.

    The text widths are measured in pixels (they do not change with the x range); the range R
    then solves max(x_i + w_i·R/W) − min(x_j − w_j·R/W) = R(1 − 2·margin) by fixed-point
    iteration (W: axes width in pixels). Falls back to a 35 % padding if nothing can be measured.
    """
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    texts = [t for t in ax.texts if t.get_text().strip()]
    lo0, hi0 = min(0.0, float(np.nanmin(values))), max(0.0, float(np.nanmax(values)))
    try:
        canvas = fig.canvas if hasattr(fig.canvas, "get_renderer") else FigureCanvasAgg(fig)
        fig.draw_without_rendering()
        renderer = canvas.get_renderer()
        width = ax.get_window_extent(renderer).width
        ws = np.array([t.get_window_extent(renderer).width for t in texts])
        xs = np.array([t.get_position()[0] for t in texts], dtype="float64")
        right = np.array([t.get_ha() == "left" for t in texts])
    except Exception:  # pragma: no cover - a backend that cannot measure text
        span = hi0 - lo0 or 1.0
        ax.set_xlim(lo0 - 0.35 * span, hi0 + 0.35 * span)
        return
    span = (hi0 - lo0) or 1.0
    lo, hi = lo0, hi0
    for _ in range(20):
        per_px = span / width
        hi = max(hi0, float(np.max(xs[right] + ws[right] * per_px, initial=hi0)))
        lo = min(lo0, float(np.min(xs[~right] - ws[~right] * per_px, initial=lo0)))
        new = (hi - lo) / (1 - 2 * margin)
        if abs(new - span) < 1e-6 * span:
            break
        span = new
    pad = margin * span
    ax.set_xlim(lo - pad, hi + pad)


def _tone_unit(df: pd.DataFrame) -> str:
    """``entity`` (sentences mentioning an entity), ``sentence`` or ``document``: what a tone value averages."""
    if df.attrs.get("analysis") == "entity_tone" or "entity" in df.columns:
        return "entity"
    return "sentence" if df.attrs.get("level") == "sentence" else "document"


#: A series with at least this many measured periods is drawn as a line with a band.
BAND_MIN_PERIODS = 3


def plot_tone(
    df: pd.DataFrame,
    *,
    events: Mapping[Any, str] | Iterable[Any] = (),
    layout: Literal["auto", "overlay", "panels"] = "auto",
    lang: Lang = "fr",
    title_suffix: str = "",
    corpus: str | None = None,
) -> Figure:
    """Mean tone with its bootstrap confidence interval, from :func:`analysis.sentiment.tone.tone_over_time`
    or :func:`~analysis.sentiment.tone.entity_tone`.

    With a ``period`` column: one line per source (or entity) and ONE representation of the
    interval: a shaded band when the series has at least :data:`BAND_MIN_PERIODS` measured
    periods, error bars otherwise (and on an isolated period between two empty ones, where a
    band has no width). Event markers as in :func:`plot_term_trend`. With ``layout="auto"``,
    more than :data:`MAX_OVERLAID_BANDS` series become small multiples (one panel per source or
    entity, shared axes) instead of overlapping bands. Without a ``period``
    column (one value per source or entity): a dot per group with its error bar. The axis
    and title say what is averaged: articles, sentences, or the sentences mentioning an entity.

    Example:
        >>> df = pd.DataFrame({"entity": ["A", "B"], "n": [40, 25], "mean": [-0.2, 0.1],
        ...                    "ci_low": [-0.3, 0.0], "ci_high": [-0.1, 0.2], "neg_share": [0.5, 0.2]})
        >>> df.attrs["analysis"] = "entity_tone"
        >>> "entité" in plot_tone(df).axes[0].get_xlabel()
        True
    """
    tx = _t(lang)
    unit = _tone_unit(df)
    ci = df.attrs.get("ci", 0.95)
    period = df.attrs.get("period", "week")
    timed = "period" in df.columns
    fig, ax = _figure() if timed else _figure(figsize=(9, max(2.6, 0.45 * max(len(df), 1) + 1.4)))
    what = f"{tx['tone']} ({tx['tone_title_' + unit]}, {tx['ci'].format(ci=ci)})"
    ax.set_title(_title(what, df, corpus=corpus, lang=lang, suffix=title_suffix))
    axis_label = tx["tone_axis"].format(unit=tx["tone_unit_" + unit])
    keys = [c for c in ("source", "section", "entity") if c in df.columns]
    valid = df[df["n"] > 0] if "n" in df.columns else df
    if not timed:
        ax.set_xlabel(axis_label)
        ax.set_ylabel(tx.get(keys[0], keys[0]) if keys else "")
        if valid.empty:
            _message(ax, tx["no_data"])
            return fig
        v = valid.reset_index(drop=True)
        y = np.arange(len(v))[::-1]
        labels = v[keys].astype(str).agg(" · ".join, axis=1) if keys else pd.Series([""] * len(v))
        err = np.vstack([(v["mean"] - v["ci_low"]).to_numpy(), (v["ci_high"] - v["mean"]).to_numpy()])
        for i, yi in enumerate(y):
            ax.errorbar(v["mean"].iloc[i], yi, xerr=err[:, i : i + 1], fmt="o", ms=6, capsize=4, lw=1.5, color=OKABE_ITO[i % len(OKABE_ITO)])
            ax.annotate(f"n = {int(v['n'].iloc[i]):,}".replace(",", "\u202f" if lang == "fr" else ","), (v["ci_high"].iloc[i], yi),
                        xytext=(6, 0), textcoords="offset points", va="center", fontsize=8, color="#444444")
        ax.set_yticks(y, labels.tolist())
        ax.set_ylim(-0.7, len(v) - 0.3)
        ax.axvline(0, color="#333333", lw=0.8)
        ax.grid(axis="y", visible=False)
        return fig
    groups = list(df.groupby(keys, sort=False)) if keys else [("", df)]
    xlabel = tx["period_axis"].format(p=tx.get(period, period))
    if df.empty or valid.empty:
        ax.set_ylabel(axis_label)
        ax.set_xlabel(xlabel)
        _message(ax, tx["no_data"])
        return fig
    panels = layout == "panels" or (layout == "auto" and len(groups) > MAX_OVERLAID_BANDS)
    if panels:
        import matplotlib as mpl

        title = ax.get_title()
        ncols = 2 if len(groups) > 1 else 1
        nrows = -(-len(groups) // ncols)
        with mpl.rc_context(STYLE):
            fig = Figure(figsize=(4.7 * ncols, 2.6 * nrows + 0.8), layout="constrained")
            axes = fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False).ravel()
        fig.suptitle(title, fontsize=11)
        fig.supylabel(axis_label, fontsize=10)
        fig.supxlabel(xlabel, fontsize=10)
        for i, ((key, g), pax) in enumerate(zip(groups, axes)):
            name = " · ".join(map(str, key)) if isinstance(key, tuple) else str(key)
            _tone_series(pax, g, OKABE_ITO[i % len(OKABE_ITO)], None)
            pax.set_title(name, fontsize=10, loc="left", fontweight="bold")
            pax.axhline(0, color="#333333", lw=0.8)
            _draw_events(pax, events, df["period"], period, labels=i == 0)
            pax.tick_params(axis="x", labelrotation=30)
        for pax in axes[len(groups):]:
            pax.set_visible(False)
        return fig
    ax.set_ylabel(axis_label)
    ax.set_xlabel(xlabel)
    for i, (key, g) in enumerate(groups):
        label = " · ".join(map(str, key)) if isinstance(key, tuple) else (str(key) or None)
        _tone_series(ax, g, OKABE_ITO[i % len(OKABE_ITO)], label)
    ax.axhline(0, color="#333333", lw=0.8)
    _draw_events(ax, events, df["period"], period)
    if valid["period"].nunique() < 2:
        _message(ax, tx["one_period"])
    if keys:
        ax.legend(loc="best")
    ax.tick_params(axis="x", labelrotation=30)
    return fig


#: More series than this are drawn as small multiples (one panel each): overlaid bands blur.
MAX_OVERLAID_BANDS = 2


def _tone_series(ax, g: pd.DataFrame, colour: str, label: str | None) -> None:
    """One tone series: line + band, or error bars where a band makes no sense."""
    g = g.sort_values("period")
    measured = g["n"].to_numpy() > 0 if "n" in g.columns else g["mean"].notna().to_numpy()
    mean = g["mean"].where(measured)
    band = measured.sum() >= BAND_MIN_PERIODS
    if band:
        ax.plot(g["period"], mean, "-o" if len(g) < 30 else "-", ms=3, lw=1.6, color=colour, label=label)
        ax.fill_between(g["period"], g["ci_low"].where(measured), g["ci_high"].where(measured), color=colour, alpha=0.2, lw=0)
        prev = np.r_[False, measured[:-1]]
        nxt = np.r_[measured[1:], False]
        lone = measured & ~prev & ~nxt  # a band has no width there
    else:
        ax.plot(g["period"], mean, "-", lw=1, color=colour, alpha=0.6)
        lone = measured
    if lone.any():
        sel = g[lone]
        ax.errorbar(sel["period"], sel["mean"], yerr=np.vstack([sel["mean"] - sel["ci_low"], sel["ci_high"] - sel["mean"]]),
                    fmt="o", ms=4, capsize=3, lw=1.2, color=colour, label=None if band else label)


#: Entities labelled in a larger font in :func:`plot_network` (the others get a small label).
NETWORK_MAIN_LABELS = 12


def network_layout(H, *, seed: int = SEED) -> dict[Any, np.ndarray]:
    """Deterministic node positions for :func:`plot_network`, in [-1, 1] × [-1.3, 1].

    The nodes that have an edge are placed by a Kamada–Kawai layout (unweighted path lengths:
    global structure, no randomness), then spread by a seeded spring layout started from it
    with a repulsion ``k`` twice networkx's default, and a fisheye (radius ↦ √radius) so that
    the dense centre opens up. Nodes
    without an edge (an entity mentioned often but never co-occurring enough) are not part of
    that layout: they go on a row along the bottom, in the graph's node order.

    Example:
        >>> import networkx as nx
        >>> G = nx.Graph([("a", "b"), ("b", "c")]); G.add_node("z")
        >>> pos = network_layout(G)
        >>> sorted(pos) == ["a", "b", "c", "z"] and pos["z"][1] < min(pos[n][1] for n in "abc")
        True
    """
    import networkx as nx

    linked = [n for n in H.nodes if H.degree(n) > 0]
    lonely = [n for n in H.nodes if H.degree(n) == 0]
    pos: dict[Any, np.ndarray] = {}
    if len(linked) == 1:  # pragma: no cover - a self-loop only
        pos[linked[0]] = np.zeros(2)
    elif linked:
        L = H.subgraph(linked)
        init = nx.kamada_kawai_layout(L, weight=None)
        k = 2.0 / np.sqrt(len(linked))
        pos = nx.spring_layout(L, pos=init, k=k, iterations=200, seed=seed, weight=None)
        xy = np.array([pos[n] for n in linked], dtype="float64")
        xy -= xy.mean(axis=0)
        r = np.hypot(xy[:, 0], xy[:, 1])
        r_max = max(r.max(), 1e-9)
        # fisheye: radius r -> r_max·(r/r_max)^0.5 spreads the crowded centre, keeps the order of distances
        xy *= np.where(r > 0, (r / r_max) ** -0.5, 1.0)[:, None]
        xy /= max(np.abs(xy).max(), 1e-9)
        pos = {n: xy[i] for i, n in enumerate(linked)}
    if lonely:
        xs = np.linspace(-1, 1, len(lonely)) if len(lonely) > 1 else np.zeros(1)
        y = -1.3 if linked else 0.0
        pos.update({n: np.array([x, y]) for n, x in zip(lonely, xs)})
    return pos


def plot_network(G, *, top: int = 30, lang: Lang = "fr", title_suffix: str = "", corpus: str | None = None, seed: int = SEED) -> Figure:
    """The ``top`` entities by mention count and their co-occurrences.

    Positions come from :func:`network_layout` (deterministic for a given graph and ``seed``).
    Each label sits just below its node; the :data:`NETWORK_MAIN_LABELS` most mentioned
    entities are labelled in a larger bold font, the others smaller, so the centre stays legible.
    """
    import networkx as nx

    tx = _t(lang)
    fig, ax = _figure(figsize=(10, 8))
    name = corpus or G.graph.get("corpus")
    level = G.graph.get("level")
    meta = ", ".join(m for m in (f"{tx['corpus']} {name}" if name else "", G.graph.get("span", "")) if m)
    ax.set_title(_join_title(tx["network"] + (f" ({tx.get('level_' + level, level)})" if level else ""), meta, title_suffix))
    ax.set_xlabel(tx["node_size"])
    ax.set_xticks([])
    ax.set_yticks([])
    ax.grid(False)
    if G.number_of_nodes() == 0:
        _message(ax, tx["no_data"])
        return fig
    nodes = sorted(G.nodes(data=True), key=lambda kv: (-kv[1].get("count", 0), kv[0]))[:top]
    order = [n for n, _ in nodes]
    H = nx.Graph()
    H.add_nodes_from((n, G.nodes[n]) for n in order)  # most mentioned first: a stable node order
    H.add_edges_from(sorted(((u, v, d) for u, v, d in G.subgraph(order).edges(data=True)), key=lambda e: (order.index(e[0]), order.index(e[1]))))
    pos = network_layout(H, seed=seed)
    counts = np.array([H.nodes[n].get("count", 1) for n in H.nodes], dtype="float64")
    sizes = 60 + 1100 * counts / counts.max()
    colours = [LABEL_COLOURS.get(H.nodes[n].get("label"), "#999999") for n in H.nodes]
    weights = np.array([d.get("weight", 1) for _, _, d in H.edges(data=True)], dtype="float64")
    widths = 0.5 + 4 * weights / weights.max() if len(weights) else []
    nx.draw_networkx_edges(H, pos, ax=ax, width=widths, edge_color="#999999", alpha=0.5)
    nx.draw_networkx_nodes(H, pos, ax=ax, node_size=sizes, node_color=colours, alpha=0.85)
    for rank, (n, size) in enumerate(zip(H.nodes, sizes)):
        main = rank < NETWORK_MAIN_LABELS
        ax.annotate(str(n), pos[n], xytext=(0, -(np.sqrt(size) / 2 + 1)), textcoords="offset points", ha="center", va="top",
                    fontsize=9 if main else 7, fontweight="bold" if main else "normal", color="#222222" if main else "#444444",
                    bbox={"fc": "white", "ec": "none", "alpha": 0.75, "pad": 0.3}, zorder=4 if main else 3)
    ax.margins(0.08)
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
    meta = ", ".join(m for m in (f"{tx['corpus']} {name}" if name else "", freq_df.attrs.get("span", "")) if m)
    ax.set_title(_join_title(tx["wordcloud"], meta, title_suffix))
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


def plot_volume(
    corpus_df,
    *,
    period: Literal["day", "week", "month"] = "week",
    by: Literal["source", "section"] | None = "source",
    events: Mapping[Any, str] | Iterable[Any] = (),
    lang: Lang = "fr",
    title_suffix: str = "",
    corpus: str | None = None,
) -> Figure:
    """Articles per period (stacked by source or section): the denominator behind every trend.

    Args:
        corpus_df: a :class:`analysis.tables.Corpus` or a frame with ``date`` (and ``by``).
        events: event markers, as in :func:`plot_term_trend`.
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
    _draw_events(ax, events, pd.Series(rng), period)
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

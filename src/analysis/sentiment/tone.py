"""Tone analyses: mean tone over time with bootstrap intervals, extreme documents, entity tone.

Tone values come from the annotation (``sentences.compound`` in [-1, 1], ``documents.tone`` =
mean sentence compound). A sentence is negative when ``compound <= -0.05`` (the usual VADER
threshold, as in ``documents.neg_share``).

Confidence intervals are percentile bootstraps (Efron & Tibshirani 1993): the units of a
cell (documents or sentences) are resampled with replacement ``n_boot`` times, and the
interval is the (α/2, 1−α/2) quantiles of the resampled means. Each cell draws from its own
generator seeded with ``(seed, hash of the cell)``, so results do not depend on which other
cells are computed. Note that sentences of one article are not independent: document-level
intervals are the safer default.

Example:
    >>> from analysis.tables import Corpus  # doctest: +SKIP
    >>> tone_over_time(Corpus("data/processed/lemonde"), period="month", by="source")  # doctest: +SKIP
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.config import SEED
from analysis.periods import Period, check_period
from analysis.tables import Corpus

#: A sentence (or document) is negative at or below this compound score.
NEG_THRESHOLD = -0.05
TONE_COLUMNS = ["n", "mean", "ci_low", "ci_high", "neg_share"]


def cell_rng(seed: int, key: Any) -> np.random.Generator:
    """Generator for one cell, seeded by ``seed`` and a stable hash of ``key``."""
    return np.random.default_rng(np.random.SeedSequence([int(seed), zlib.crc32(repr(key).encode())]))


def bootstrap_mean_ci(
    values: np.ndarray,
    *,
    n_boot: int = 1000,
    ci: float = 0.95,
    rng: np.random.Generator | None = None,
    max_cells: int = 4_000_000,
) -> tuple[float, float]:
    """Percentile bootstrap interval of the mean of ``values``.

    Draws ``n_boot`` resamples of size n with ``rng.integers(0, n, size=(rows, n))`` (in
    blocks of rows so memory stays bounded) and returns the ``(1-ci)/2`` and ``(1+ci)/2``
    quantiles (numpy's linear interpolation) of their means. NaN for no value; the value
    itself for one value.

    Example:
        >>> lo, hi = bootstrap_mean_ci(np.array([-1.0, 0.0, 1.0, 0.5]), rng=np.random.default_rng(0))
        >>> -1.0 <= lo < 0.125 < hi <= 1.0
        True
    """
    x = np.asarray(values, dtype="float64")
    x = x[~np.isnan(x)]
    n = len(x)
    if not 0 < ci < 1:
        raise ValueError(f"ci must be in (0, 1), got {ci}")
    if n == 0 or n_boot <= 0:
        return (np.nan, np.nan)
    if n == 1:
        return (float(x[0]), float(x[0]))
    rng = rng if rng is not None else np.random.default_rng(SEED)
    rows = max(1, max_cells // n)
    means = np.empty(n_boot)
    for s in range(0, n_boot, rows):
        k = min(rows, n_boot - s)
        means[s : s + k] = x[rng.integers(0, n, size=(k, n))].mean(axis=1)
    a = (1 - ci) / 2
    lo, hi = np.quantile(means, [a, 1 - a])
    return (float(lo), float(hi))


def _summarise(df: pd.DataFrame, keys: list[str], *, n_boot: int, seed: int, ci: float, weight: str | None = None) -> pd.DataFrame:
    """Per cell of ``keys``: n, mean of ``value``, bootstrap CI, neg_share (from ``neg``/``weight``)."""
    rows = []
    groups = df.groupby(keys, sort=True, dropna=False) if keys else [((), df)]
    for key, g in groups:
        key = key if isinstance(key, tuple) else (key,)
        v = g["value"].to_numpy("float64")
        lo, hi = bootstrap_mean_ci(v, n_boot=n_boot, ci=ci, rng=cell_rng(seed, tuple(str(k) for k in key)))
        if weight is not None:
            w = g[weight].to_numpy("float64")
            neg = float((g["neg"].to_numpy("float64") * w).sum() / w.sum()) if w.sum() > 0 else np.nan
        else:
            neg = float(g["neg"].mean()) if len(g) else np.nan
        rows.append((*key, len(v), float(v.mean()) if len(v) else np.nan, lo, hi, neg))
    out = pd.DataFrame(rows, columns=[*keys, *TONE_COLUMNS])
    for k in keys:
        if k in df.columns:
            out[k] = out[k].astype(df[k].dtype)
    return out


def _date_span(corpus: Corpus) -> str:
    from analysis.frequency import date_span

    return date_span(corpus)


def _complete(out: pd.DataFrame, grid: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    res = grid.merge(out, on=keys, how="left") if keys else out
    res["n"] = res["n"].fillna(0).astype("int64")
    return res.sort_values(keys, kind="stable").reset_index(drop=True) if keys else res


def _grid(corpus: Corpus, period: Period | None, group: str | None, start: Any, end: Any) -> pd.DataFrame:
    from analysis.trends import _range

    parts = []
    if period is not None:
        parts.append(pd.DataFrame({"period": _range(corpus, period, start, end)}))
    if group is not None:
        parts.append(pd.DataFrame({group: sorted(corpus.corpus[group].fillna("(none)").unique().tolist())}))
    if not parts:
        return pd.DataFrame(index=[0])
    g = parts[0]
    for p in parts[1:]:
        g = g.merge(p, how="cross")
    return g


def tone_over_time(
    corpus: Corpus,
    *,
    period: Period | None = "week",
    by: Literal["source", "section"] | None = None,
    level: Literal["sentence", "document"] = "document",
    n_boot: int = 1000,
    seed: int = SEED,
    ci: float = 0.95,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Mean tone per period (and source) with a percentile-bootstrap confidence interval.

    Args:
        corpus: the (filtered) corpus.
        period: ``day``, ``week``, ``month``, or None for one row (per source).
        by: also split by ``source`` (or ``section``).
        level: ``document`` — units are documents, value ``documents.tone`` (documents without
            sentences are left out); ``sentence`` — units are sentences, value ``compound``.
        n_boot: bootstrap resamples (0: no interval).
        seed: base seed (default ``config.SEED``); the output is identical for identical input.
        ci: confidence level.
        start, end: range of periods shown (default: the corpus's dates).

    Returns:
        ``period``, [``source``], ``n`` (units), ``mean``, ``ci_low``, ``ci_high``,
        ``neg_share`` (share of negative sentences, ``compound <= -0.05``: at document level the
        documents' ``neg_share`` weighted by their sentence counts). Every period is present;
        a period without units has n = 0 and NaN tone (never a fake 0).
    """
    from analysis.frequency import doc_keys

    check_period(period)
    if level not in ("sentence", "document"):
        raise ValueError(f"level must be 'sentence' or 'document', got {level!r}")
    if by not in (None, "source", "section"):
        raise ValueError(f"by must be None, 'source' or 'section', got {by!r}")
    if start is not None or end is not None:
        corpus = corpus.filter(start=start, end=end)
    keys_df = doc_keys(corpus, period=period, group=by)
    keys = list(keys_df.columns)
    if level == "document":
        d = corpus.documents[["doc_id", "tone", "neg_share", "n_sentences"]]
        d = d[d["tone"].notna()]  # already restricted to the corpus documents
        df = pd.DataFrame({"value": d["tone"].to_numpy("float64"), "neg": d["neg_share"].to_numpy("float64"), "w": d["n_sentences"].to_numpy("float64")})
        weight = "w"
        ids = d["doc_id"]
    else:
        s = corpus.sentences[["doc_id", "compound"]]
        s = s[s["compound"].notna()]
        df = pd.DataFrame({"value": s["compound"].to_numpy("float64")})
        df["neg"] = (df["value"] <= NEG_THRESHOLD).astype("float64")
        weight = None
        ids = s["doc_id"]
    if keys:
        df = df.assign(doc_id=ids.to_numpy()).merge(keys_df, left_on="doc_id", right_index=True, how="left")
    out = _summarise(df, keys, n_boot=n_boot, seed=seed, ci=ci, weight=weight)
    res = _complete(out, _grid(corpus, period, by, start, end), keys)
    if "period" in res.columns:
        res["period"] = res["period"].astype("datetime64[us]")
    res.attrs.update({"analysis": "tone", "corpus": corpus.name, "span": _date_span(corpus), "period": period, "level": level, "by": by, "ci": ci, "n_boot": n_boot, "seed": seed})
    return res


def extreme_documents(
    corpus: Corpus,
    *,
    n: int = 5,
    direction: Literal["negative", "positive"] = "negative",
    min_sentences: int = 1,
) -> pd.DataFrame:
    """The ``n`` most negative (or positive) documents with their text.

    Returns:
        ``doc_id``, ``date``, ``source``, ``title``, ``text``, ``tone``, ``neg_share``,
        ``n_sentences``, ordered from the most extreme (ties by date then doc_id).
    """
    if direction not in ("negative", "positive"):
        raise ValueError(f"direction must be 'negative' or 'positive', got {direction!r}")
    d = corpus.documents[["doc_id", "tone", "neg_share", "n_sentences"]]
    d = d[d["tone"].notna() & (d["n_sentences"] >= min_sentences)]
    docs = corpus.corpus[["doc_id", "date", "source", "title", "text"]]
    m = docs.merge(d, on="doc_id", how="inner")
    m = m.sort_values(["tone", "date", "doc_id"], ascending=[direction == "negative", True, True], kind="stable").head(n)
    out = m[["doc_id", "date", "source", "title", "text", "tone", "neg_share", "n_sentences"]].reset_index(drop=True)
    out.attrs.update({"analysis": "extreme_documents", "corpus": corpus.name, "direction": direction})
    return out


def entity_tone(
    corpus: Corpus,
    entities: str | Iterable[str],
    *,
    period: Period | None = None,
    n_boot: int = 1000,
    seed: int = SEED,
    ci: float = 0.95,
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Tone of the sentences mentioning each entity (by canonical ``norm``).

    A sentence mentioning an entity twice counts once for it; a sentence mentioning two of
    the entities counts for both. Names are matched to ``norm`` exactly, then
    case-insensitively.

    Returns:
        ``entity``, [``period``], ``n`` (sentences), ``mean``, ``ci_low``, ``ci_high``,
        ``neg_share``; every requested entity (and period) is present, n = 0 when absent.
    """
    from analysis.entities import _resolve
    from analysis.frequency import doc_keys

    check_period(period)
    names = [entities] if isinstance(entities, str) else list(entities)
    if start is not None or end is not None:
        corpus = corpus.filter(start=start, end=end)
    ents = corpus.entities
    resolved = _resolve(ents, names)
    back = {}
    for k, v in resolved.items():
        back.setdefault(v, []).append(k)
    e = ents.loc[ents["norm"].isin(list(back)), ["doc_id", "sent_id", "norm"]].drop_duplicates()
    e = e.assign(entity=e["norm"].map(back)).explode("entity")
    s = corpus.sentences[["doc_id", "sent_id", "compound"]]
    m = e.merge(s, on=["doc_id", "sent_id"], how="inner")
    m = m[m["compound"].notna()]
    df = pd.DataFrame({"entity": m["entity"].astype("str").to_numpy(), "value": m["compound"].to_numpy("float64")})
    df["neg"] = (df["value"] <= NEG_THRESHOLD).astype("float64")
    keys = ["entity"]
    if period is not None:
        kd = doc_keys(corpus, period=period)
        df = df.assign(doc_id=m["doc_id"].to_numpy()).merge(kd, left_on="doc_id", right_index=True, how="left")
        keys.append("period")
    out = _summarise(df, keys, n_boot=n_boot, seed=seed, ci=ci)
    grid = pd.DataFrame({"entity": names})
    if period is not None:
        grid = grid.merge(_grid(corpus, period, None, start, end), how="cross")
    res = grid.merge(out, on=keys, how="left")
    res["n"] = res["n"].fillna(0).astype("int64")
    if period is not None:
        res["period"] = res["period"].astype("datetime64[us]")
    res["entity"] = res["entity"].astype("str")
    res.attrs.update({"analysis": "entity_tone", "corpus": corpus.name, "span": _date_span(corpus), "period": period, "level": "sentence", "unit": "sentences mentioning the entity",
                      "ci": ci, "n_boot": n_boot, "seed": seed})
    return res

"""Keyness: which terms are unusually frequent in a target corpus compared with a reference.

For each term the 2x2 contingency table is::

                  target      reference
    term            a             b
    other words   c - a         d - b

with ``c`` and ``d`` the token totals of each side. The output gives, per term, both sides'
counts, totals and rates per 10,000 tokens, the log-likelihood G² (Dunning 1993; Rayson &
Garside 2000), Pearson's χ² (Yates' correction optional), the p-value of G² (χ², 1 degree of
freedom), the log ratio effect size (Hardie 2014) and the direction. Definitions in
``docs/methods.md``.

Example:
    >>> import pandas as pd
    >>> t = pd.Series({"guerre": 30, "paix": 5, "vin": 1})
    >>> r = pd.Series({"guerre": 5, "paix": 5, "vin": 10})
    >>> k = keyness(t, r, target_total=1000, reference_total=1000)
    >>> k[["term", "target_count", "reference_count", "direction"]].values.tolist()
    [['guerre', 30, 5, 'target'], ['vin', 1, 10, 'reference'], ['paix', 5, 5, 'equal']]
    >>> round(float(k.g2.iloc[0]), 3), round(float(k.log_ratio.iloc[0]), 3)
    (20.13, 2.585)
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from analysis.tables import Corpus

KEYNESS_COLUMNS = [
    "term",
    "target_count",
    "reference_count",
    "target_total",
    "reference_total",
    "target_per_10k",
    "reference_per_10k",
    "g2",
    "chi2",
    "p_value",
    "chi2_p_value",
    "log_ratio",
    "direction",
]


def _xlogy_ratio(o: np.ndarray, e: np.ndarray) -> np.ndarray:
    """o * ln(o / e) with 0 * ln(0) = 0."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = np.where(o > 0, o * np.log(np.where(o > 0, o, 1.0) / np.where(e > 0, e, 1.0)), 0.0)
    return out


def expected_2x2(o11, o12, o21, o22) -> tuple[np.ndarray, ...]:
    """Expected counts under independence for vectors of 2x2 tables."""
    o11, o12, o21, o22 = (np.asarray(x, dtype="float64") for x in (o11, o12, o21, o22))
    n = o11 + o12 + o21 + o22
    r1, r2 = o11 + o12, o21 + o22
    c1, c2 = o11 + o21, o12 + o22
    with np.errstate(divide="ignore", invalid="ignore"):
        e = [r1 * c1 / n, r1 * c2 / n, r2 * c1 / n, r2 * c2 / n]
    return tuple(np.nan_to_num(x) for x in e)


def g2_2x2(o11, o12, o21, o22) -> np.ndarray:
    """Log-likelihood G² = 2 Σ O ln(O/E) over the four cells of each 2x2 table (vectorised).

    Example:
        >>> round(float(g2_2x2(10, 5, 990, 995)[0]), 4)
        1.7116
    """
    obs = [np.atleast_1d(np.asarray(x, dtype="float64")) for x in (o11, o12, o21, o22)]
    exp = expected_2x2(*obs)
    total = sum(_xlogy_ratio(o, e) for o, e in zip(obs, exp, strict=True))
    return np.maximum(2.0 * total, 0.0)


def chi2_2x2(o11, o12, o21, o22, *, yates: bool = False) -> np.ndarray:
    """Pearson χ² = Σ (O-E)²/E over the 2x2 cells; with ``yates`` each |O-E| is reduced by
    min(0.5, |O-E|) (the correction scipy.stats.chi2_contingency applies)."""
    obs = [np.atleast_1d(np.asarray(x, dtype="float64")) for x in (o11, o12, o21, o22)]
    exp = expected_2x2(*obs)
    total = np.zeros_like(obs[0])
    for o, e in zip(obs, exp, strict=True):
        d = np.abs(o - e)
        if yates:
            d = d - np.minimum(0.5, d)
        with np.errstate(divide="ignore", invalid="ignore"):
            total = total + np.where(e > 0, d * d / np.where(e > 0, e, 1.0), 0.0)
    return total


def log_ratio(a, b, c, d) -> np.ndarray:
    """Hardie's log ratio: log2((a/c) / (b/d)), a zero count replaced by 0.5."""
    a = np.where(np.asarray(a, dtype="float64") == 0, 0.5, np.asarray(a, dtype="float64"))
    b = np.where(np.asarray(b, dtype="float64") == 0, 0.5, np.asarray(b, dtype="float64"))
    c, d = np.asarray(c, dtype="float64"), np.asarray(d, dtype="float64")
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log2((a / c) / (b / d))


def keyness(
    target: pd.Series,
    reference: pd.Series,
    *,
    target_total: int | None = None,
    reference_total: int | None = None,
    yates: bool = False,
    min_count: int = 1,
) -> pd.DataFrame:
    """Keyness of every term of two frequency lists.

    Args:
        target: counts per term (index = term) in the target corpus.
        reference: counts per term in the reference corpus.
        target_total: tokens in the target corpus (default: ``target.sum()``); pass the full
            token count when the lists leave out some words (stop words), so that rates and
            tables use the real corpus size.
        reference_total: same for the reference.
        yates: apply Yates' continuity correction to χ² (never to G²).
        min_count: keep terms whose target + reference count is at least this.

    Returns:
        One row per term (columns :data:`KEYNESS_COLUMNS`), sorted by ``g2`` descending, then
        ``term``. ``p_value`` is P(χ²₁ ≥ G²); ``chi2_p_value`` is P(χ²₁ ≥ χ²). ``direction`` is
        ``target`` when the term's relative frequency is higher in the target, ``reference``
        when lower, ``equal`` otherwise.
    """
    t = pd.Series(target, dtype="float64").groupby(level=0).sum()
    r = pd.Series(reference, dtype="float64").groupby(level=0).sum()
    c = float(t.sum()) if target_total is None else float(target_total)
    d = float(r.sum()) if reference_total is None else float(reference_total)
    if t.sum() > c or r.sum() > d:
        raise ValueError(f"a total is smaller than the sum of its counts (target {t.sum():g} > {c:g} or reference {r.sum():g} > {d:g})")
    terms = t.index.union(r.index)
    a = t.reindex(terms, fill_value=0.0).to_numpy()
    b = r.reindex(terms, fill_value=0.0).to_numpy()
    keep = (a + b) >= min_count
    terms, a, b = terms[keep], a[keep], b[keep]
    g2 = g2_2x2(a, b, c - a, d - b) if len(a) else np.zeros(0)
    chi2 = chi2_2x2(a, b, c - a, d - b, yates=yates) if len(a) else np.zeros(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        rt = a / c * 1e4 if c > 0 else np.zeros_like(a)
        rr = b / d * 1e4 if d > 0 else np.zeros_like(b)
    diff = a * d - b * c  # sign of a/c - b/d without division
    direction = np.where(diff > 0, "target", np.where(diff < 0, "reference", "equal"))
    out = pd.DataFrame(
        {
            "term": pd.Series(terms, dtype="str"),
            "target_count": a.astype("int64"),
            "reference_count": b.astype("int64"),
            "target_total": np.full(len(a), int(c), dtype="int64"),
            "reference_total": np.full(len(a), int(d), dtype="int64"),
            "target_per_10k": rt,
            "reference_per_10k": rr,
            "g2": g2,
            "chi2": chi2,
            "p_value": stats.chi2.sf(g2, 1),
            "chi2_p_value": stats.chi2.sf(chi2, 1),
            "log_ratio": log_ratio(a, b, c, d) if c > 0 and d > 0 else np.full(len(a), np.nan),
            "direction": pd.Series(direction, dtype="str"),
        }
    )
    out = out.sort_values(["g2", "term"], ascending=[False, True], kind="stable").reset_index(drop=True)
    out.attrs.update({"analysis": "keyness", "target_total": int(c), "reference_total": int(d), "yates": yates})
    return out


Side = tuple[Any, Any] | dict[str, Any] | Corpus


def _side(corpus: Corpus, spec: Side) -> Corpus:
    if isinstance(spec, Corpus):
        return spec
    if isinstance(spec, dict):
        return corpus.filter(**spec)
    if isinstance(spec, tuple | list) and len(spec) == 2:
        return corpus.filter(start=spec[0], end=spec[1])
    raise TypeError(f"a side must be (start, end), a dict of Corpus.filter options, or a Corpus; got {spec!r}")


def compare(
    corpus: Corpus,
    *,
    target: Side,
    reference: Side,
    by: Literal["lemma", "form"] = "lemma",
    stopwords: bool = True,
    extra_stopwords: tuple[str, ...] | list[str] = (),
    drop_punct: bool = True,
    drop_numbers: bool = True,
    yates: bool = False,
    min_count: int = 1,
) -> pd.DataFrame:
    """Keyness of a target part of ``corpus`` against a reference part (or another corpus).

    Args:
        corpus: the corpus both sides are taken from.
        target: ``(start, end)`` dates (end inclusive), a dict of :meth:`Corpus.filter` options
            such as ``{"sources": ["Le Monde"]}``, or a whole :class:`Corpus` (external reference).
        reference: same forms as ``target``.
        by: count lemmas or surface forms.
        stopwords: leave stop words out of the rows (they stay in the totals).
        extra_stopwords: more terms left out of the rows.
        drop_punct: leave punctuation out of rows and totals.
        drop_numbers: leave numbers (*24*, *2022*, *deux*: :func:`analysis.frequency.number_mask`)
            out of the rows (they stay in the totals, like stop words).
        yates: Yates' correction for χ².
        min_count: minimum target + reference count of a term.

    Returns:
        :func:`keyness` output; totals are each side's token count (punctuation excluded when
        ``drop_punct``) after the same filters.

    Example:
        >>> compare(c, target=("2022-03-01", "2022-03-31"), reference=("2022-01-01", "2022-01-31"))  # doctest: +SKIP
    """
    from analysis.frequency import term_frequencies, token_total

    sides = [_side(corpus, s) for s in (target, reference)]
    freqs, totals = [], []
    for side in sides:
        f = term_frequencies(side, by=by, stopwords=stopwords, extra_stopwords=extra_stopwords, drop_punct=drop_punct, drop_numbers=drop_numbers)
        freqs.append(f.set_index("term")["count"])
        totals.append(token_total(side, drop_punct=drop_punct))
    out = keyness(freqs[0], freqs[1], target_total=totals[0], reference_total=totals[1], yates=yates, min_count=min_count)
    out.attrs.update(
        {
            "corpus": corpus.name,
            "by": by,
            "target": _describe_side(target),
            "reference": _describe_side(reference),
            "target_documents": len(sides[0]),
            "reference_documents": len(sides[1]),
        }
    )
    return out


def _describe_side(spec: Side) -> str:
    if isinstance(spec, Corpus):
        return spec.name
    if isinstance(spec, dict):
        return ", ".join(f"{k}={v}" for k, v in spec.items())
    return f"{spec[0]} – {spec[1]}"

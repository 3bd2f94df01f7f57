"""Word frequencies, n-grams, collocations, distinctive terms, term groups and KWIC.

Every function takes a :class:`analysis.tables.Corpus` (filter it first to restrict dates,
sources or sections) and returns a tidy DataFrame. Counts come from the ``tokens`` table
(bag of words per document); raw counts are always shown beside rates.

Denominators: ``total`` is the number of tokens of the cell (period and/or group), stop words
and numbers included, punctuation excluded when ``drop_punct`` (the default). Leaving stop
words out of the *rows* does not change the denominator, so rates stay comparable whatever
is displayed. ``per_10k`` = 10,000 × count / total.

Example:
    >>> from analysis.tables import Corpus, isin  # doctest: +SKIP
    >>> c = Corpus("data/processed/example")  # doctest: +SKIP
    >>> term_frequencies(c, period="month").head()  # doctest: +SKIP
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Literal

import numpy as np
import pandas as pd

from analysis.periods import Period, check_period, period_start
from analysis.tables import Corpus, isin

By = Literal["lemma", "form"]
Group = Literal["source", "section"]

_APOSTROPHES = str.maketrans({"’": "'", "‘": "'", "ʼ": "'", "`": "'"})
_PUNCT_TOKEN = re.compile(r"^[^\w]+$")


def normalize_term(term: str) -> str:
    """Lower-case, typographic apostrophes → ``'``, surrounding spaces removed (as in ``tokens``)."""
    return " ".join(str(term).translate(_APOSTROPHES).lower().split())


def _check(by: str, group: str | None = None) -> None:
    if by not in ("lemma", "form"):
        raise ValueError(f"by must be 'lemma' or 'form', got {by!r}")
    if group not in (None, "source", "section"):
        raise ValueError(f"group must be None, 'source' or 'section', got {group!r}")


def date_span(corpus: Corpus) -> str:
    """First and last day of the corpus's dated documents, ``YYYY-MM-DD – YYYY-MM-DD`` (for titles)."""
    d = corpus.corpus["date"].dropna() if len(corpus) else pd.Series([], dtype="datetime64[us, UTC]")
    if d.empty:
        return ""
    a, b = d.min(), d.max()
    return f"{a:%Y-%m-%d}" if a.date() == b.date() else f"{a:%Y-%m-%d} – {b:%Y-%m-%d}"


def doc_keys(corpus: Corpus, *, period: Period | None = None, group: Group | None = None) -> pd.DataFrame:
    """Per document (index ``doc_id``): its ``period`` start and/or ``group`` value."""
    check_period(period)
    meta = corpus.meta()
    out = pd.DataFrame(index=meta.index)
    if period is not None:
        out["period"] = period_start(meta["date"], period).to_numpy()
    if group is not None:
        out[group] = meta[group].fillna("(none)").to_numpy()
    return out


def token_total(corpus: Corpus, *, drop_punct: bool = True) -> int:
    """Tokens in the corpus: the denominator of rates (punctuation excluded when ``drop_punct``)."""
    return int(corpus.doc_totals(drop_punct=drop_punct).sum())


def stop_terms(corpus: Corpus, *, by: By = "lemma", extra: Iterable[str] = ()) -> set[str]:
    """Stop words: the ``by`` values of tokens flagged ``is_stop`` in ``tokens`` (the annotation's
    list, ``analysis.normalize.stopwords()``), plus ``extra``."""
    tok = corpus.tokens
    out = set(tok.loc[tok["is_stop"], by].unique().tolist()) if len(tok) else set()
    out |= {normalize_term(w) for w in extra}
    return out


def number_mask(tok: pd.DataFrame) -> np.ndarray:
    """Rows of a ``tokens`` table that are numbers: ``is_num`` and (POS ``NUM`` or a digit in the form).

    ``is_num`` alone (spaCy's ``like_num``) also flags the article *un* and ordinals such as
    *premier*; requiring the ``NUM`` tag or a digit keeps those while dropping *24*, *2022*,
    *000*, *deux*, *trois*. Tokens that merely contain a digit but are not number-like
    (*covid-19*, *g7*, *1er*) are kept.

    Example:
        >>> t = pd.DataFrame({"form": ["24", "un", "deux", "covid-19"], "pos": ["NUM", "DET", "NUM", "NOUN"],
        ...                   "is_num": [True, True, True, False]})
        >>> number_mask(t).tolist()
        [True, False, True, False]
    """
    if not len(tok):
        return np.zeros(0, dtype=bool)
    is_num = tok["is_num"].to_numpy(dtype=bool)
    num_pos = (tok["pos"] == "NUM").to_numpy(dtype=bool) if "pos" in tok.columns else np.zeros(len(tok), bool)
    digit = np.asarray(tok["form"].astype("str").str.contains(r"\d", regex=True), dtype=bool)
    return is_num & (num_pos | digit)


def number_lemmas(corpus: Corpus) -> set[str]:
    """Lemmas that are numbers in at least half of their occurrences (see :func:`number_mask`).

    Used where only lemmas are available (n-grams and collocations read ``sentences.lemmas``).
    """
    key = ("number_lemmas",)
    if key not in corpus._memo:
        tok = corpus.tokens
        if not len(tok):
            corpus._memo[key] = set()
        else:
            d = pd.DataFrame({"lemma": tok["lemma"].to_numpy(), "n": tok["count"].to_numpy("int64"),
                              "num": tok["count"].to_numpy("int64") * number_mask(tok)})
            agg = d.groupby("lemma", sort=False)[["n", "num"]].sum()
            corpus._memo[key] = set(agg.index[(agg["num"] > 0) & (agg["num"] * 2 >= agg["n"])].astype(str))
    return set(corpus._memo[key])


def _kept_tokens(corpus: Corpus, *, by: By, stopwords: bool, extra_stopwords: Iterable[str], drop_punct: bool, drop_numbers: bool = True) -> pd.DataFrame:
    tok = corpus.tokens
    mask = np.ones(len(tok), dtype=bool)
    if drop_punct:
        mask &= ~tok["is_punct"].to_numpy()
    if stopwords:
        mask &= ~tok["is_stop"].to_numpy()
    if drop_numbers:
        mask &= ~number_mask(tok)
    extra = [normalize_term(w) for w in extra_stopwords]
    if extra:
        mask &= ~tok[by].isin(extra).to_numpy()
    return tok.loc[mask, ["doc_id", by, "count"]].rename(columns={by: "term"})


def term_frequencies(
    corpus: Corpus,
    *,
    by: By = "lemma",
    period: Period | None = None,
    group: Group | None = None,
    stopwords: bool = True,
    extra_stopwords: Iterable[str] = (),
    drop_punct: bool = True,
    drop_numbers: bool = True,
    min_count: int = 1,
    top: int | None = None,
) -> pd.DataFrame:
    """Counts and rates per 10,000 tokens of each term, overall or per period and/or group.

    Args:
        corpus: the (filtered) corpus.
        by: ``lemma`` or surface ``form`` (both lower-cased, as in ``tokens``).
        period: ``day``, ``week`` or ``month`` to count per calendar period (UTC, weeks from Monday).
        group: ``source`` or ``section`` to count per outlet or rubric.
        stopwords: when true (default), stop words (``tokens.is_stop``) are left out of the rows.
        extra_stopwords: more terms left out of the rows.
        drop_punct: leave punctuation out of rows and totals.
        drop_numbers: leave numbers (*24*, *2022*, *deux*; see :func:`number_mask`) out of the
            rows; like stop words they stay in the totals.
        min_count: keep terms whose count over the whole corpus is at least this (a term kept
            keeps all its cells, so per-period series are never truncated).
        top: keep only the ``top`` most frequent terms of each cell.

    Returns:
        Columns ``term``, [``period``], [``group``], ``count``, ``total``, ``per_10k``, sorted
        by cell, then count descending, then term. ``total`` is the token count of the cell
        (see the module docstring).

    Example:
        >>> term_frequencies(c, period="week", group="source", min_count=5)  # doctest: +SKIP
    """
    _check(by, group)
    keys = doc_keys(corpus, period=period, group=group)
    cell = list(keys.columns)
    rows = _kept_tokens(corpus, by=by, stopwords=stopwords, extra_stopwords=extra_stopwords, drop_punct=drop_punct, drop_numbers=drop_numbers)
    if cell:
        rows = rows.merge(keys, left_on="doc_id", right_index=True, how="inner")
    counts = rows.groupby(["term", *cell], sort=False, observed=True)["count"].sum().reset_index()
    if min_count > 1:
        overall = counts.groupby("term", sort=False)["count"].transform("sum")
        counts = counts[overall >= min_count]
    totals_doc = corpus.doc_totals(drop_punct=drop_punct)
    if cell:
        tdf = keys.assign(total=totals_doc.reindex(keys.index).to_numpy())
        totals = tdf.groupby(cell, sort=False, observed=True)["total"].sum().reset_index()
        counts = counts.merge(totals, on=cell, how="left")
    else:
        counts["total"] = int(totals_doc.sum())
    counts["count"] = counts["count"].astype("int64")
    counts["total"] = counts["total"].astype("int64")
    with np.errstate(divide="ignore", invalid="ignore"):
        counts["per_10k"] = np.where(counts["total"] > 0, 1e4 * counts["count"] / counts["total"].where(counts["total"] > 0, 1), 0.0)
    counts = counts.sort_values([*cell, "count", "term"], ascending=[True] * len(cell) + [False, True], kind="stable")
    if top is not None:
        counts = counts.groupby(cell, sort=False).head(top) if cell else counts.head(top)
    out = counts[["term", *cell, "count", "total", "per_10k"]].reset_index(drop=True)
    out["term"] = out["term"].astype("str")
    out.attrs.update({"analysis": "term_frequencies", "corpus": corpus.name, "span": date_span(corpus), "by": by, "period": period, "group": group})
    return out


# ---------------------------------------------------------------------- sentence token streams
def _sentence_stream(corpus: Corpus, *, extra_stopwords: Iterable[str] = ()) -> dict[str, np.ndarray]:
    """Lemmas of every sentence as integer codes, with doc, segment, punctuation and stop flags.

    Segments are runs of tokens between punctuation tokens within one sentence; n-grams never
    cross a segment boundary.
    """
    key = ("stream",)
    if key not in corpus._memo:
        sents = corpus.sentences
        split = sents["lemmas"].fillna("").astype(str).str.split()
        lens = split.str.len().to_numpy()
        flat = np.concatenate([np.asarray(x, dtype=object) for x in split]) if lens.sum() else np.array([], dtype=object)
        sent_idx = np.repeat(np.arange(len(sents)), lens)
        codes, vocab = pd.factorize(pd.Series(flat, dtype="str"), sort=True)
        vocab = pd.Index(vocab, dtype="str")
        punct = np.asarray(vocab.str.match(_PUNCT_TOKEN.pattern), dtype=bool) if len(vocab) else np.zeros(0, bool)
        is_p = punct[codes] if len(codes) else np.zeros(0, bool)
        new = np.ones(len(codes), dtype=bool)
        if len(codes) > 1:
            new[1:] = (sent_idx[1:] != sent_idx[:-1]) | is_p[1:] | is_p[:-1]
        corpus._memo[key] = {
            "codes": codes.astype("int64"),
            "vocab": vocab,
            "punct": punct,
            "seg": np.cumsum(new),
            "doc": sents["doc_id"].to_numpy()[sent_idx] if len(sent_idx) else np.array([], dtype=object),
        }
    stream = dict(corpus._memo[key])
    stops = stop_terms(corpus, by="lemma", extra=extra_stopwords)
    stream["stop"] = np.asarray(stream["vocab"].isin(list(stops)), dtype=bool) if len(stream["vocab"]) else np.zeros(0, bool)
    return stream


def _number_flags(corpus: Corpus, stream: dict[str, np.ndarray]) -> np.ndarray:
    """Per vocabulary code of the sentence stream: is the lemma a number (:func:`number_lemmas`)."""
    nums = number_lemmas(corpus)
    return np.asarray(stream["vocab"].isin(list(nums)), dtype=bool) if len(stream["vocab"]) else np.zeros(0, bool)


def _ngram_positions(stream: dict[str, np.ndarray], n: int) -> np.ndarray:
    """Start positions of the n-grams lying within one segment and holding no punctuation."""
    codes, seg, punct = stream["codes"], stream["seg"], stream["punct"]
    m = len(codes) - n + 1
    if m <= 0:
        return np.zeros(0, dtype="int64")
    ok = seg[: m] == seg[n - 1 :]
    ok &= ~punct[codes[:m]]
    return np.flatnonzero(ok)


def ngrams(
    corpus: Corpus,
    *,
    n: Literal[2, 3] = 2,
    min_count: int = 2,
    stopwords: bool = True,
    extra_stopwords: Iterable[str] = (),
    drop_numbers: bool = True,
    top: int | None = None,
) -> pd.DataFrame:
    """Contiguous lemma n-grams from ``sentences.lemmas``.

    Rule: an n-gram never crosses a sentence boundary or a punctuation token. With
    ``stopwords`` (default), n-grams whose first or last lemma is a stop word are dropped (so
    all-stop-word n-grams are dropped too); stop words inside are kept (``ministre de
    défense`` style trigrams survive). With ``drop_numbers`` (default), n-grams made only of
    numbers (:func:`number_lemmas`) and stop words (``2 000``, ``de 24``) are dropped;
    ``24 février`` stays, since *février* is a content word.

    Returns:
        ``ngram`` (lemmas joined by spaces), ``count`` (occurrences), ``n_docs`` (documents
        holding it), sorted by count descending then ngram; only ``count >= min_count``.
    """
    if n not in (2, 3):
        raise ValueError(f"n must be 2 or 3, got {n!r}")
    stream = _sentence_stream(corpus, extra_stopwords=extra_stopwords)
    pos = _ngram_positions(stream, n)
    codes, vocab = stream["codes"], stream["vocab"]
    parts = [codes[pos + k] for k in range(n)]
    if stopwords and len(pos):
        keep = ~stream["stop"][parts[0]] & ~stream["stop"][parts[-1]]
        pos, parts = pos[keep], [p[keep] for p in parts]
    if drop_numbers and len(pos):
        noise = _number_flags(corpus, stream) | (stream["stop"] if stopwords else False)
        keep = np.zeros(len(pos), dtype=bool)
        for p in parts:
            keep |= ~noise[p]
        pos, parts = pos[keep], [p[keep] for p in parts]
    df = pd.DataFrame({f"w{k}": p for k, p in enumerate(parts)})
    df["doc"] = stream["doc"][pos] if len(pos) else np.array([], dtype=object)
    wcols = [f"w{k}" for k in range(n)]
    count = df.groupby(wcols, sort=False).size().rename("count")
    n_docs = df.drop_duplicates([*wcols, "doc"]).groupby(wcols, sort=False).size().rename("n_docs")
    out = pd.concat([count, n_docs], axis=1).reset_index()
    out = out[out["count"] >= min_count]
    names = [vocab.take(out[c].to_numpy()) for c in wcols] if len(out) else []
    ngram = pd.Series(names[0], dtype="str").str.cat([pd.Series(x, dtype="str") for x in names[1:]], sep=" ") if len(out) else pd.Series([], dtype="str")
    res = pd.DataFrame({"ngram": ngram.to_numpy(), "count": out["count"].to_numpy("int64"), "n_docs": out["n_docs"].to_numpy("int64")})
    res = res.sort_values(["count", "ngram"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if top is not None:
        res = res.head(top)
    res["ngram"] = res["ngram"].astype("str")
    res.attrs.update({"analysis": "ngrams", "corpus": corpus.name, "n": n})
    return res


def collocations(
    corpus: Corpus,
    *,
    measure: Literal["g2", "pmi"] = "g2",
    min_count: int = 3,
    stopwords: bool = True,
    extra_stopwords: Iterable[str] = (),
    drop_numbers: bool = True,
    top: int | None = None,
) -> pd.DataFrame:
    """Adjacent lemma pairs scored by log-likelihood G² (Dunning 1993) and PMI (Church & Hanks 1990).

    For the pair (w1, w2): O11 = count of w1 followed by w2, R1 = bigrams starting with w1,
    C1 = bigrams ending with w2, N = all bigrams (same rule as :func:`ngrams`: within a
    sentence, no punctuation). PMI = log2(O11·N / (R1·C1)); G² over the 2x2 table
    [[O11, R1−O11], [C1−O11, N−R1−C1+O11]]. Marginals are computed on every bigram; the stop
    word filter (edges) and ``drop_numbers`` (pairs of two numbers, such as ``2 000``, or a
    number and a stop word) only remove rows afterwards.

    Returns:
        ``w1``, ``w2``, ``collocation``, ``count``, ``w1_count`` (R1), ``w2_count`` (C1),
        ``n_bigrams`` (N), ``g2``, ``pmi``, sorted by ``measure`` descending; pairs with
        ``count >= min_count`` only. Only pairs seen more often than expected
        (O11 > R1·C1/N) are kept.
    """
    from analysis.keyness import g2_2x2

    if measure not in ("g2", "pmi"):
        raise ValueError(f"measure must be 'g2' or 'pmi', got {measure!r}")
    stream = _sentence_stream(corpus, extra_stopwords=extra_stopwords)
    pos = _ngram_positions(stream, 2)
    codes, vocab = stream["codes"], stream["vocab"]
    w1, w2 = codes[pos], codes[pos + 1]
    n_bigrams = len(pos)
    cols = ["w1", "w2", "collocation", "count", "w1_count", "w2_count", "n_bigrams", "g2", "pmi"]
    if n_bigrams == 0:
        return pd.DataFrame({c: pd.Series(dtype="str" if c in ("w1", "w2", "collocation") else "float64") for c in cols})
    r1 = np.bincount(w1, minlength=len(vocab))
    c1 = np.bincount(w2, minlength=len(vocab))
    pair = pd.DataFrame({"a": w1, "b": w2}).groupby(["a", "b"], sort=False).size().rename("count").reset_index()
    pair = pair[pair["count"] >= min_count]
    if stopwords:
        stop = stream["stop"]
        pair = pair[~stop[pair["a"].to_numpy()] & ~stop[pair["b"].to_numpy()]]
    if drop_numbers:
        noise = _number_flags(corpus, stream) | stream["stop"]
        pair = pair[~(noise[pair["a"].to_numpy()] & noise[pair["b"].to_numpy()])]
    o11 = pair["count"].to_numpy("float64")
    rr, cc = r1[pair["a"].to_numpy()].astype("float64"), c1[pair["b"].to_numpy()].astype("float64")
    pmi = np.log2(o11 * n_bigrams / (rr * cc))
    g2 = g2_2x2(o11, rr - o11, cc - o11, n_bigrams - rr - cc + o11)
    res = pd.DataFrame(
        {
            "w1": pd.Series(vocab.take(pair["a"].to_numpy()), dtype="str"),
            "w2": pd.Series(vocab.take(pair["b"].to_numpy()), dtype="str"),
            "count": o11.astype("int64"),
            "w1_count": rr.astype("int64"),
            "w2_count": cc.astype("int64"),
            "n_bigrams": n_bigrams,
            "g2": g2,
            "pmi": pmi,
        }
    )
    res = res[res["pmi"] > 0]
    res.insert(2, "collocation", res["w1"] + " " + res["w2"])
    res = res.sort_values([measure, "collocation"], ascending=[False, True], kind="stable").reset_index(drop=True)
    if top is not None:
        res = res.head(top)
    res.attrs.update({"analysis": "collocations", "corpus": corpus.name, "measure": measure})
    return res


def distinctive_terms(
    corpus: Corpus,
    *,
    by: Literal["period", "source", "section"] = "period",
    period: Period = "month",
    top: int = 20,
    term_by: By = "lemma",
    min_count: int = 3,
    stopwords: bool = True,
    extra_stopwords: Iterable[str] = (),
    drop_numbers: bool = True,
    method: Literal["keyness", "tfidf"] = "keyness",
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Terms that distinguish each period (or source) from the others.

    ``method="keyness"`` (default): each group is compared with the rest of the selection
    (one-against-the-rest keyness). For term t in group g, with a = count of t in g, c =
    tokens of g, b = count of t in the other groups, d = tokens of the other groups, the
    2x2 table [[a, b], [c − a, d − b]] gives G² (:func:`analysis.keyness.g2_2x2`) and the log
    ratio log2((a/c) / (b/d)) (a zero replaced by 0.5). Only terms over-represented in the
    group (a/c > b/d) with P(χ²₁ ≥ G²) < ``alpha`` are kept, ranked by G². Unlike TF-IDF over
    a dozen pseudo-documents (where almost every common word is in every group, idf is flat
    and the ranking is nearly raw frequency), this asks how unusual the term's rate is in the
    group compared with the rest. With a single group there is no rest: the ranking is then
    by count (``g2`` and ``log_ratio`` are NaN).

    ``method="tfidf"``: each group is one pseudo-document; scikit-learn's ``TfidfTransformer``
    (smooth idf, l2 norm, sublinear tf 1 + ln(tf)): kept for comparison with the literature.

    Returns:
        ``period`` (or ``source``/``section``), ``term``, ``count`` (in the group), ``per_10k``
        (rate in the group), ``rest_per_10k`` (rate in the other groups), ``g2``, ``log_ratio``,
        ``p_value`` (keyness) or ``tfidf`` (TF-IDF), and ``rank`` (1 = most distinctive); at
        most ``top`` rows per group. Terms with a corpus-wide count below ``min_count`` are
        left out; numbers too with ``drop_numbers``.

    Example:
        >>> distinctive_terms(c, by="period", period="month", top=10)  # doctest: +SKIP
    """
    from analysis.keyness import g2_2x2, log_ratio

    if method not in ("keyness", "tfidf"):
        raise ValueError(f"method must be 'keyness' or 'tfidf', got {method!r}")
    opts = dict(by=term_by, stopwords=stopwords, extra_stopwords=extra_stopwords, drop_numbers=drop_numbers, min_count=min_count)
    if by == "period":
        f = term_frequencies(corpus, period=period, **opts)
    elif by in ("source", "section"):
        f = term_frequencies(corpus, group=by, **opts)
    else:
        raise ValueError(f"by must be 'period', 'source' or 'section', got {by!r}")
    score_cols = ["g2", "log_ratio", "p_value"] if method == "keyness" else ["tfidf"]
    if f.empty:
        cols = {by: pd.Series(dtype="datetime64[us]" if by == "period" else "str"), "term": pd.Series(dtype="str"),
                "count": pd.Series(dtype="int64"), "per_10k": pd.Series(dtype="float64"), "rest_per_10k": pd.Series(dtype="float64")}
        cols.update({c: pd.Series(dtype="float64") for c in score_cols})
        cols["rank"] = pd.Series(dtype="int64")
        return pd.DataFrame(cols)
    totals = f.drop_duplicates(by).set_index(by)["total"]
    grand = float(totals.sum())
    term_all = f.groupby("term", sort=False)["count"].transform("sum").to_numpy("float64")
    a = f["count"].to_numpy("float64")
    c = f["total"].to_numpy("float64")
    b, d = term_all - a, grand - c
    res = f[[by, "term", "count", "per_10k"]].copy()
    with np.errstate(divide="ignore", invalid="ignore"):
        res["rest_per_10k"] = np.where(d > 0, 1e4 * b / np.where(d > 0, d, 1.0), np.nan)
    if method == "keyness":
        from scipy import stats

        if len(totals) > 1:
            res["g2"] = g2_2x2(a, b, c - a, d - b)
            res["log_ratio"] = log_ratio(a, b, c, d)
            res["p_value"] = stats.chi2.sf(res["g2"].to_numpy(), 1)
            res = res[(a * d > b * c) & (res["p_value"].to_numpy() < alpha)]
            order = ["g2", "count"]
        else:
            res["g2"] = np.nan
            res["log_ratio"] = np.nan
            res["p_value"] = np.nan
            order = ["count"]
    else:
        from scipy import sparse
        from sklearn.feature_extraction.text import TfidfTransformer

        g_codes, groups = pd.factorize(f[by], sort=True)
        t_codes, terms = pd.factorize(f["term"], sort=True)
        m = sparse.csr_matrix((a, (g_codes, t_codes)), shape=(len(groups), len(terms)))
        w = TfidfTransformer(sublinear_tf=True).fit_transform(m)
        res["tfidf"] = np.asarray(w[g_codes, t_codes]).ravel()
        order = ["tfidf", "count"]
    res = res.sort_values([by, *order, "term"], ascending=[True] + [False] * len(order) + [True], kind="stable")
    res = res.groupby(by, sort=False).head(top).reset_index(drop=True)
    res["rank"] = (res.groupby(by, sort=False).cumcount() + 1).astype("int64")
    res["term"] = res["term"].astype("str")
    res = res[[by, "term", "count", "per_10k", "rest_per_10k", *score_cols, "rank"]]
    res.attrs.update({"analysis": "distinctive_terms", "corpus": corpus.name, "by": by, "period": period if by == "period" else None,
                      "method": method, "alpha": alpha})
    return res


# ---------------------------------------------------------------------- dictionaries
def _entries(groups: Mapping[str, Iterable[str]] | Iterable[str] | str) -> dict[str, list[str]]:
    if isinstance(groups, str):
        groups = [groups]
    if not isinstance(groups, Mapping):
        groups = {normalize_term(t): [t] for t in groups}
    out = {}
    for name, words in groups.items():
        if isinstance(words, str):
            words = [words]
        words = [normalize_term(w) for w in words]
        if not words or any(not w for w in words):
            raise ValueError(f"term group {name!r} has an empty entry: {words!r}")
        out[str(name)] = list(dict.fromkeys(words))
    if not out:
        raise ValueError("no terms given")
    return out


def group_doc_counts(corpus: Corpus, groups: Mapping[str, Iterable[str]] | Iterable[str] | str, *, by: By = "lemma") -> pd.DataFrame:
    """Occurrences of each term group in each document: ``doc_id``, ``term`` (group name), ``count``.

    Matching rules (the dictionary method):
      * a single word matches tokens whose ``by`` column equals it;
      * an entry ending in ``*`` matches every ``by`` value starting with the rest (``négoci*``);
      * a hyphenated entry (``cessez-le-feu``) is one token (hyphenated compounds are joined in
        ``tokens``) and matches its form or its lemma;
      * an entry with spaces (``nations unies``) is counted as a sequence: in
        ``sentences.lemmas`` when ``by="lemma"`` (give it as lemmas), in the lower-cased text
        when ``by="form"``.
    A token matching several entries of one group counts once for that group.
    """
    _check(by)
    gmap = _entries(groups)
    tok = corpus.tokens
    pieces: list[pd.DataFrame] = []
    single: list[tuple[str, str, str]] = []  # (column, value, group)
    multi: list[tuple[str, str]] = []
    vocab: dict[str, pd.Index] = {}
    for name, words in gmap.items():
        for w in words:
            if " " in w:
                multi.append((w, name))
            elif w.endswith("*") and len(w) > 1:
                col = by
                if col not in vocab:
                    vocab[col] = pd.Index(tok[col].unique(), dtype="str")
                for v in vocab[col][vocab[col].str.startswith(w[:-1])]:
                    single.append((col, v, name))
            elif "-" in w:
                single.append(("lemma", w, name))
                single.append(("form", w, name))
            else:
                single.append((by, w, name))
    if single:
        smap = pd.DataFrame(single, columns=["col", "value", "term"]).drop_duplicates()
        hits = []
        for col, sub in smap.groupby("col", sort=True):
            m = tok.loc[isin(tok[col], sub["value"]), ["doc_id", "form", "lemma", "pos", "count"]]
            m = m.assign(_value=m[col])
            hits.append(m.merge(sub[["value", "term"]], left_on="_value", right_on="value"))
        h = pd.concat(hits, ignore_index=True)
        # one token row (doc, form, lemma, pos) counts once per group
        h = h.drop_duplicates(["doc_id", "form", "lemma", "pos", "term"])
        pieces.append(h[["doc_id", "term", "count"]])
    if multi:
        if by == "lemma":
            texts = corpus.sentences[["doc_id", "lemmas"]].rename(columns={"lemmas": "_t"})
            texts["_t"] = texts["_t"].fillna("").astype(str)
        else:
            texts = corpus.corpus[["doc_id", "text"]].rename(columns={"text": "_t"})
            texts["_t"] = texts["_t"].fillna("").astype(str).str.translate(_APOSTROPHES).str.lower()
        for w, name in multi:
            if by == "lemma":
                pat = r"(?<!\S)" + r"\s+".join(re.escape(p) for p in w.split()) + r"(?!\S)"
            else:
                pat = r"(?<![\w-])" + r"\s+".join(re.escape(p) for p in w.split()) + r"(?![\w-])"
            n = texts["_t"].str.count(pat)
            sel = n > 0
            pieces.append(pd.DataFrame({"doc_id": texts.loc[sel, "doc_id"].to_numpy(), "term": name, "count": n[sel].to_numpy()}))
    if not pieces:
        return pd.DataFrame({"doc_id": pd.Series(dtype="str"), "term": pd.Series(dtype="str"), "count": pd.Series(dtype="int64")})
    out = pd.concat(pieces, ignore_index=True)
    out = out.groupby(["doc_id", "term"], sort=True)["count"].sum().reset_index()
    out["count"] = out["count"].astype("int64")
    return out


def term_groups(
    corpus: Corpus,
    groups: Mapping[str, Iterable[str]],
    *,
    period: Period | None = None,
    group: Group | None = None,
    by: By = "lemma",
    drop_punct: bool = True,
) -> pd.DataFrame:
    """Count dictionaries of terms as single series (content-analysis dictionary method).

    Args:
        corpus: the (filtered) corpus.
        groups: ``{"négociation": ["négociation", "pourparlers", "cessez-le-feu"], ...}``;
            matching rules in :func:`group_doc_counts`.
        period, group: as in :func:`term_frequencies`.

    Returns:
        ``term`` (the group name), [``period``], [``group``], ``count``, ``n_docs`` (documents
        with at least one match), ``total`` (tokens of the cell), ``per_10k``. Every group
        appears in every observed cell, with 0 when absent.

    Example:
        >>> term_groups(c, {"négociation": ["négociation", "pourparlers", "cessez-le-feu"]}, period="month")  # doctest: +SKIP
    """
    _check(by, group)
    gmap = _entries(groups)
    keys = doc_keys(corpus, period=period, group=group)
    cell = list(keys.columns)
    dc = group_doc_counts(corpus, gmap, by=by)
    dc = dc.merge(keys, left_on="doc_id", right_index=True, how="inner")
    agg = dc.groupby(["term", *cell], sort=False).agg(count=("count", "sum"), n_docs=("doc_id", "nunique")).reset_index()
    totals_doc = corpus.doc_totals(drop_punct=drop_punct)
    if cell:
        tdf = keys.assign(total=totals_doc.reindex(keys.index).to_numpy())
        totals = tdf.groupby(cell, sort=True)["total"].sum().reset_index()
    else:
        totals = pd.DataFrame({"total": [int(totals_doc.sum())]})
    grid = totals.merge(pd.DataFrame({"term": list(gmap)}), how="cross")
    out = grid.merge(agg, on=["term", *cell], how="left")
    out[["count", "n_docs"]] = out[["count", "n_docs"]].fillna(0).astype("int64")
    out["total"] = out["total"].astype("int64")
    out["per_10k"] = np.where(out["total"] > 0, 1e4 * out["count"] / out["total"].where(out["total"] > 0, 1), 0.0)
    out = out[["term", *cell, "count", "n_docs", "total", "per_10k"]].sort_values([*cell, "term"], kind="stable").reset_index(drop=True)
    out["term"] = out["term"].astype("str")
    out.attrs.update({"analysis": "term_groups", "corpus": corpus.name, "by": by, "period": period, "group": group})
    return out


# ---------------------------------------------------------------------- KWIC
def _surface_pattern(forms: Iterable[str]) -> re.Pattern[str]:
    alts = sorted({f for f in forms if f}, key=lambda s: (-len(s), s))
    parts = [re.escape(f).replace("'", "['’‘ʼ]").replace(r"\-", r"[-‐‑]") for f in alts]
    return re.compile(r"(?<![\w-])(?:" + "|".join(parts) + r")(?![\w-])", re.IGNORECASE)


def kwic(
    corpus: Corpus,
    term: str,
    *,
    window: int = 60,
    by: By = "lemma",
    limit: int | None = None,
) -> pd.DataFrame:
    """Keyword in context: every occurrence of ``term`` in the corpus text.

    With ``by="lemma"`` the surface forms of the lemma are looked up in ``tokens`` (so
    ``soldat`` finds *soldats*); each is searched in ``corpus.text`` case-insensitively, with
    word boundaries (a hyphenated compound is not split), matching both ``'`` and ``’``.

    Returns:
        ``doc_id``, ``date``, ``source``, ``title``, ``left``, ``match``, ``right``,
        ``start_char`` (offset of the match in ``text``), sorted by date, doc_id, offset;
        ``left``/``right`` hold up to ``window`` characters (newlines turned into spaces).
    """
    _check(by)
    t = normalize_term(term)
    tok = corpus.tokens
    hit = tok[tok[by] == t]
    forms = set(hit["form"].unique().tolist()) | {t}
    cols = ["doc_id", "date", "source", "title", "left", "match", "right", "start_char"]
    docs = corpus.corpus
    docs = docs[isin(docs["doc_id"], hit["doc_id"].unique())] if by == "lemma" and len(hit) else docs
    if " " in t:
        docs = corpus.corpus
    pat = _surface_pattern(forms)
    rows = []
    # Loop over the documents known to hold the term (not the whole corpus).
    for doc_id, date, source, title, text in docs[["doc_id", "date", "source", "title", "text"]].itertuples(index=False):
        text = text if isinstance(text, str) else ""
        for m in pat.finditer(text):
            s, e = m.span()
            rows.append((doc_id, date, source, title, text[max(0, s - window) : s], m.group(0), text[e : e + window], s))
            if limit is not None and len(rows) >= limit:
                break
        if limit is not None and len(rows) >= limit:
            break
    out = pd.DataFrame(rows, columns=cols)
    for c in ("left", "right"):
        out[c] = out[c].astype("str").str.replace(r"\s+", " ", regex=True)
    out = out.astype({"doc_id": "str", "source": "str", "title": "str", "match": "str", "start_char": "int64"})
    if len(out) == 0:
        out["date"] = pd.Series(dtype="datetime64[us, UTC]")
    out.attrs.update({"analysis": "kwic", "corpus": corpus.name, "term": t, "by": by})
    return out

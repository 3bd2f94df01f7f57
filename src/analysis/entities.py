"""Named entities: top entities, trends per canonical entity, co-occurrence networks.

Entities are counted by their canonical name ``norm`` (after alias resolution), so *Zelensky*
and *Volodymyr Zelensky* are one entity. A ``norm`` tagged with several labels (the model
sometimes tags *Bakhmout* PER) is shown with its most frequent label.

Example:
    >>> from analysis.tables import Corpus  # doctest: +SKIP
    >>> c = Corpus("data/processed/lemonde")  # doctest: +SKIP
    >>> top_entities(c, label="PER", n=10)  # doctest: +SKIP
    >>> G = cooccurrence_graph(cooccurrence(c, min_count=5))  # doctest: +SKIP
    >>> export_graph(G, "reports/network.graphml")  # doctest: +SKIP
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from analysis.periods import Period, check_period
from analysis.storage import atomic_path
from analysis.tables import Corpus

LABELS = ("PER", "LOC", "ORG", "MISC")


def _labels(labels: str | Iterable[str] | None) -> list[str] | None:
    if labels is None:
        return None
    labels = [labels] if isinstance(labels, str) else list(labels)
    bad = [x for x in labels if x not in LABELS]
    if bad:
        raise ValueError(f"unknown entity label(s) {bad}; expected some of {LABELS}")
    return labels


def _main_label(ents: pd.DataFrame) -> pd.Series:
    """Most frequent label of each norm (ties: alphabetical)."""
    if ents.empty:
        return pd.Series(dtype="str")
    lc = ents.groupby(["norm", "label"], sort=True).size().rename("n").reset_index()
    lc = lc.sort_values(["norm", "n", "label"], ascending=[True, False, True], kind="stable")
    return lc.drop_duplicates("norm").set_index("norm")["label"]


def top_entities(
    corpus: Corpus,
    *,
    label: str | Iterable[str] | None = None,
    period: Period | None = None,
    n: int = 20,
) -> pd.DataFrame:
    """Most mentioned entities, overall or per period.

    Args:
        corpus: the (filtered) corpus.
        label: keep mentions with this label (or labels): ``PER``, ``LOC``, ``ORG``, ``MISC``.
        period: ``day``, ``week`` or ``month`` for a top list per period.
        n: entities per list.

    Returns:
        [``period``], ``norm``, ``label`` (most frequent), ``mentions``, ``n_docs`` (documents
        mentioning it), ``doc_share`` (n_docs / documents of the period), ``rank``; sorted by
        period then mentions descending then norm.
    """
    from analysis.frequency import doc_keys

    check_period(period)
    labels = _labels(label)
    ents = corpus.entities
    if labels is not None:
        ents = ents[ents["label"].isin(labels)]
    main = _main_label(ents)
    keys = doc_keys(corpus, period=period)
    cell = list(keys.columns)
    e = ents[["doc_id", "norm"]].merge(keys, left_on="doc_id", right_index=True, how="inner")
    agg = e.groupby([*cell, "norm"], sort=False).agg(mentions=("doc_id", "size"), n_docs=("doc_id", "nunique")).reset_index()
    if cell:
        ndocs = keys.groupby(cell).size().rename("_docs").reset_index()
        agg = agg.merge(ndocs, on=cell, how="left")
    else:
        agg["_docs"] = len(keys)
    agg["doc_share"] = agg["n_docs"] / agg["_docs"].where(agg["_docs"] > 0, 1)
    agg["label"] = agg["norm"].map(main).astype("str")
    agg = agg.sort_values([*cell, "mentions", "norm"], ascending=[True] * len(cell) + [False, True], kind="stable")
    agg = agg.groupby(cell, sort=False).head(n) if cell else agg.head(n)
    agg["rank"] = agg.groupby(cell, sort=False).cumcount() + 1 if cell else np.arange(1, len(agg) + 1)
    out = agg[[*cell, "norm", "label", "mentions", "n_docs", "doc_share", "rank"]].reset_index(drop=True)
    out["norm"] = out["norm"].astype("str")
    out[["mentions", "n_docs", "rank"]] = out[["mentions", "n_docs", "rank"]].astype("int64")
    out.attrs.update({"analysis": "top_entities", "corpus": corpus.name, "period": period, "label": labels})
    return out


def entity_trend(
    corpus: Corpus,
    names: str | Iterable[str],
    *,
    period: Period = "week",
    normalise: Literal["per_10k", "doc_share", "count"] = "per_10k",
    start: Any = None,
    end: Any = None,
) -> pd.DataFrame:
    """Mentions of canonical entities per period, normalised by volume.

    ``per_10k``: mentions per 10,000 tokens of the period; ``doc_share``: share of the
    period's documents mentioning the entity; ``count``: raw mentions. Names are matched to
    ``norm`` exactly, then case-insensitively.

    Returns:
        ``period``, ``entity``, ``count``, ``total``, ``value`` with every period present.
    """
    from analysis.trends import trend_from_doc_counts

    names = [names] if isinstance(names, str) else list(names)
    if start is not None or end is not None:
        corpus = corpus.filter(start=start, end=end)
    ents = corpus.entities
    resolved = _resolve(ents, names)
    e = ents[ents["norm"].isin(list(resolved.values()))]
    dc = e.groupby(["doc_id", "norm"], sort=True).size().rename("count").reset_index().rename(columns={"norm": "term"})
    dc["term"] = dc["term"].map({v: k for k, v in resolved.items()})
    out = trend_from_doc_counts(corpus, dc, names, period=period, normalise=normalise, start=start, end=end)
    out = out.rename(columns={"term": "entity"})
    out.attrs.update({"analysis": "entity_trend"})
    return out


def _resolve(ents: pd.DataFrame, names: list[str]) -> dict[str, str]:
    """Map each requested name to the ``norm`` it denotes (exact, else case-insensitive)."""
    norms = pd.Index(ents["norm"].dropna().unique(), dtype="str")
    lower = {n.lower(): n for n in sorted(norms)}
    out = {}
    for name in names:
        if name in norms:
            out[name] = name
        elif name.lower() in lower:
            out[name] = lower[name.lower()]
        else:
            out[name] = name  # absent: counts will be zero
    return out


def _span(corpus) -> str:
    from analysis.frequency import date_span

    return date_span(corpus)


def cooccurrence(
    corpus: Corpus,
    *,
    level: Literal["sentence", "document"] = "sentence",
    min_count: int = 2,
    labels: str | Iterable[str] | None = None,
) -> pd.DataFrame:
    """Pairs of entities mentioned in the same sentence (or document), with PMI and NPMI.

    A unit (sentence or document) counts once per pair however many times each entity is
    mentioned in it. With N = units in the corpus (all sentences, or all documents), n(a) =
    units mentioning a, n(a,b) = units mentioning both: PMI = log2(n(a,b)·N / (n(a)·n(b))),
    NPMI = PMI / −log2(n(a,b)/N) (Bouma 2009), in [−1, 1] and 1 when a and b always co-occur.

    Returns:
        ``source_entity``, ``target_entity`` (alphabetical order within the pair),
        ``source_label``, ``target_label``, ``count``, ``source_count``, ``target_count``,
        ``n_units``, ``pmi``, ``npmi``; pairs with ``count >= min_count``, sorted by count
        descending then names.
    """
    if level not in ("sentence", "document"):
        raise ValueError(f"level must be 'sentence' or 'document', got {level!r}")
    labs = _labels(labels)
    ents = corpus.entities
    if labs is not None:
        ents = ents[ents["label"].isin(labs)]
    main = _main_label(ents)
    unit_cols = ["doc_id", "sent_id"] if level == "sentence" else ["doc_id"]
    if level == "sentence":
        n_units = len(corpus.sentences) if corpus.has_table("sentences") else int(corpus.documents["n_sentences"].sum())
    else:
        n_units = len(corpus.corpus)
    u = ents[[*unit_cols, "norm"]].drop_duplicates()
    codes = u.groupby(unit_cols, sort=False).ngroup().to_numpy()
    u = pd.DataFrame({"unit": codes, "norm": u["norm"].to_numpy()})
    ent_units = u.groupby("norm", sort=True).size()
    pairs = u.merge(u, on="unit", suffixes=("_a", "_b"))
    pairs = pairs[pairs["norm_a"] < pairs["norm_b"]]
    cnt = pairs.groupby(["norm_a", "norm_b"], sort=True).size().rename("count").reset_index()
    cnt = cnt[cnt["count"] >= min_count]
    cols = ["source_entity", "target_entity", "source_label", "target_label", "count", "source_count", "target_count", "n_units", "pmi", "npmi"]
    if cnt.empty:
        out = pd.DataFrame({c: pd.Series(dtype="str" if "entity" in c or "label" in c else "float64") for c in cols})
        out.attrs.update({"analysis": "cooccurrence", "corpus": corpus.name, "level": level, "n_units": n_units, "span": _span(corpus)})
        return out
    na = ent_units.reindex(cnt["norm_a"]).to_numpy("float64")
    nb = ent_units.reindex(cnt["norm_b"]).to_numpy("float64")
    nab = cnt["count"].to_numpy("float64")
    pmi = np.log2(nab * n_units / (na * nb))
    p_ab = nab / n_units
    with np.errstate(divide="ignore", invalid="ignore"):
        npmi = np.where(p_ab < 1, pmi / -np.log2(p_ab), 1.0)
    out = pd.DataFrame(
        {
            "source_entity": cnt["norm_a"].astype("str").to_numpy(),
            "target_entity": cnt["norm_b"].astype("str").to_numpy(),
            "source_label": cnt["norm_a"].map(main).astype("str").to_numpy(),
            "target_label": cnt["norm_b"].map(main).astype("str").to_numpy(),
            "count": nab.astype("int64"),
            "source_count": na.astype("int64"),
            "target_count": nb.astype("int64"),
            "n_units": int(n_units),
            "pmi": pmi,
            "npmi": npmi,
        }
    )
    out = out.sort_values(["count", "source_entity", "target_entity"], ascending=[False, True, True], kind="stable").reset_index(drop=True)
    out.attrs.update({"analysis": "cooccurrence", "corpus": corpus.name, "level": level, "n_units": int(n_units), "span": _span(corpus)})
    return out


def cooccurrence_graph(df: pd.DataFrame, *, min_count: int = 1):
    """An undirected ``networkx.Graph`` from :func:`cooccurrence` output.

    Nodes carry ``label`` and ``count`` (units mentioning the entity); edges carry ``weight``
    (co-occurrence count), ``pmi`` and ``npmi``. Attribute values are plain Python types, so
    the graph exports to GraphML as is.
    """
    import networkx as nx

    G = nx.Graph()
    G.graph.update({k: str(v) for k, v in df.attrs.items() if k in ("corpus", "level", "n_units", "span")})
    sub = df[df["count"] >= min_count]
    for row in sub.itertuples(index=False):
        for name, lab, c in ((row.source_entity, row.source_label, row.source_count), (row.target_entity, row.target_label, row.target_count)):
            if name not in G:
                G.add_node(str(name), label=str(lab), count=int(c))
        G.add_edge(str(row.source_entity), str(row.target_entity), weight=int(row.count), pmi=float(row.pmi), npmi=float(row.npmi))
    return G


def export_graph(G, path: str | os.PathLike[str], *, format: Literal["graphml", "csv"] = "graphml") -> Path:
    """Write the graph atomically: GraphML, or CSV edge list (``source,target,weight,pmi,npmi``)."""
    import networkx as nx

    path = Path(path)
    if format == "graphml":
        with atomic_path(path) as tmp:
            nx.write_graphml(G, tmp)
    elif format == "csv":
        rows = [{"source": a, "target": b, **d} for a, b, d in G.edges(data=True)]
        df = pd.DataFrame(rows, columns=["source", "target", "weight", "pmi", "npmi"])
        with atomic_path(path) as tmp:
            df.to_csv(tmp, index=False)
    else:
        raise ValueError(f"format must be 'graphml' or 'csv', got {format!r}")
    return path

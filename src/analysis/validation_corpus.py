"""Corpus access for validation work: sampling documents to label, joining labels with texts.

Labels are stored keyed by article URL, never with the text (the texts belong to their
publishers). At evaluation time they are joined with a corpus given as:

- ``corpus.parquet`` written by ``analysis ingest`` (preferred), or a processed directory
  holding it;
- a raw corpus folder (e.g. RSS snapshots), ingested on the fly by :func:`ingest_raw` with the
  project's own ingestion into a temporary directory.

Both give the same columns: ``doc_id, date, source, section, title, text, url``.
"""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd

from analysis.ids import normalize_url

CORPUS_COLUMNS = ["doc_id", "date", "source", "section", "title", "text", "url"]

#: Hex digits kept of the SHA-1 of a labelled text (a fingerprint, not the text).
TEXT_SHA1_DIGITS = 12
CHANGED_MESSAGE = "text changed since labelling: label may not apply"


def text_sha1(text: str) -> str:
    """First 12 hex digits of the SHA-1 of ``text`` encoded as UTF-8.

    Stored beside URL-keyed labels (``text_sha1``) so that an evaluation can tell when the
    corpus now holds another text than the one the annotator read; the hash does not reveal
    the text.

    Example:
        >>> text_sha1("Des frappes russes ont fait douze morts.")
        '4b29fd22923a'
    """
    return hashlib.sha1(str(text).encode("utf-8")).hexdigest()[:TEXT_SHA1_DIGITS]


def report_changed(source: str, url: str, stored: str, current: str) -> None:
    """Print the text-drift warning for one labelled URL on stderr."""
    print(f"{source}: {CHANGED_MESSAGE}: {url} (labelled text {stored}, corpus text {current})", file=sys.stderr)


def ingest_raw(root: str | Path) -> pd.DataFrame:
    """Ingest a raw corpus folder (e.g. RSS snapshots) with :func:`analysis.corpus.ingest`.

    The processed files go to a temporary directory that is removed afterwards; the returned
    table is exactly the ``corpus.parquet`` that ``analysis ingest`` would write (same cleaning,
    deduplication and language filter), so labels join with the texts the analyses see.
    """
    import tempfile

    from analysis.corpus import ingest

    with tempfile.TemporaryDirectory(prefix="analysis-validation-") as tmp:
        report = ingest([root], out=tmp, progress=False)
        if not report.kept:
            raise FileNotFoundError(f"{root}: no usable document found by analysis ingest")
        return pd.read_parquet(Path(tmp) / "corpus.parquet")


def load_corpus(path: str | Path) -> pd.DataFrame:
    """Load a corpus from ``corpus.parquet``, a processed directory, or a raw corpus folder.

    Raises:
        FileNotFoundError: when ``path`` is none of these.
    """
    path = Path(path)
    if path.is_file() and path.suffix == ".parquet":
        frame = pd.read_parquet(path)
    elif path.is_dir() and (path / "corpus.parquet").is_file():
        frame = pd.read_parquet(path / "corpus.parquet")
    elif path.is_dir():
        frame = ingest_raw(path)
    else:
        raise FileNotFoundError(f"{path}: expected corpus.parquet, a processed directory holding it, or a directory of RSS files")
    missing = {"doc_id", "text", "url"} - set(frame.columns)
    if missing:
        raise ValueError(f"{path}: corpus lacks column(s) {sorted(missing)}")
    for column in CORPUS_COLUMNS:
        if column not in frame.columns:
            frame[column] = pd.NA
    return frame


def join_by_url(labels: pd.DataFrame, corpus: pd.DataFrame, *, source: str = "labels", drop_changed: bool = False) -> pd.DataFrame:
    """Attach ``text`` (and title, date) to URL-keyed labels; report URLs not in the corpus.

    Rows whose URL is missing from the corpus are dropped with a message on stderr naming them,
    never silently.

    Text-drift guard: when ``labels`` has a ``text_sha1`` column (see :func:`text_sha1`), each
    non-empty value is compared with the hash of the corpus text the label is joined with. A
    mismatch means the publisher changed the text since it was labelled: each one is reported on
    stderr naming the URL ("text changed since labelling: label may not apply"), and the output
    gets a boolean ``text_changed`` column. Such rows are kept unless ``drop_changed`` is true
    (then they are dropped, reported, and counted in ``attrs["text_changed_dropped"]``).
    """
    if "url" not in labels.columns:
        raise ValueError(f"{source}: no 'url' column to join with the corpus")
    index = corpus.dropna(subset=["url"]).copy()
    index["_key"] = index["url"].map(normalize_url)
    index = index.drop_duplicates("_key")[["_key", "doc_id", "date", "title", "text"]]
    keyed = labels.copy()
    keyed["_key"] = keyed["url"].map(normalize_url)
    keyed = keyed.drop(columns=[c for c in ("text", "doc_id", "date", "title", "text_changed") if c in keyed.columns])
    merged = keyed.merge(index, on="_key", how="left")
    lost = merged["text"].isna()
    if lost.any():
        for url in merged.loc[lost, "url"].head(10):
            print(f"{source}: URL not found in the corpus, label skipped: {url}", file=sys.stderr)
        print(f"{source}: {int(lost.sum())} of {len(merged)} labelled URL(s) not in the corpus", file=sys.stderr)
    merged = merged.loc[~lost].drop(columns="_key").reset_index(drop=True)
    if "text_sha1" in merged.columns:
        stored = merged["text_sha1"].fillna("").astype("str").str.strip().str.lower()
        current = merged["text"].map(text_sha1)
        changed = (stored != "") & (stored != current)
        for url, old, new in zip(merged.loc[changed, "url"], stored[changed], current[changed]):
            report_changed(source, url, old, new)
        merged["text_changed"] = changed.to_numpy(dtype=bool)
        if changed.any():
            action = "dropped (--drop-changed)" if drop_changed else "kept (drop them with --drop-changed)"
            print(f"{source}: {int(changed.sum())} of {len(merged)} labelled text(s) changed since labelling, {action}", file=sys.stderr)
        if drop_changed:
            merged = merged.loc[~merged["text_changed"]].reset_index(drop=True)
        merged.attrs["text_changed_dropped"] = int(changed.sum()) if drop_changed else 0
    return merged


def _allocate(sizes: pd.Series, n: int) -> pd.Series:
    """Proportional allocation of ``n`` over strata (largest remainder, ties by stratum order)."""
    n = min(n, int(sizes.sum()))
    exact = sizes / sizes.sum() * n
    alloc = exact.astype(int)
    remainder = (exact - alloc).sort_values(ascending=False, kind="stable")
    for key in remainder.index[: n - int(alloc.sum())]:
        alloc[key] += 1
    # never more than a stratum holds; give the excess to strata with room, in order
    excess = int((alloc - sizes).clip(lower=0).sum())
    alloc = alloc.clip(upper=sizes)
    for key in sizes.index:
        if excess == 0:
            break
        room = int(sizes[key] - alloc[key])
        take = min(room, excess)
        alloc[key] += take
        excess -= take
    return alloc


def draw_sample(
    corpus: pd.DataFrame,
    *,
    n: int = 200,
    stratify: str | None = "month",
    unit: str = "document",
    seed: int = 20220224,
    match: str | None = None,
    match_share: float = 0.75,
    exclude_urls: Iterable[str] | None = None,
) -> pd.DataFrame:
    """Draw a seeded, stratified sample of documents (or sentences) for hand-labelling.

    Args:
        corpus: rows with at least ``doc_id, date, source, url, text``.
        n: sample size (fewer if the corpus is smaller).
        stratify: ``"month"``, ``"source"`` or None; sizes are proportional to the strata
            (largest-remainder rounding).
        unit: ``"document"`` or ``"sentence"`` (sentences split by
            :func:`analysis.sentiment.lexicon.split_sentences`; ``sent_id`` added).
        seed: random seed; the same inputs and seed give the same sample.
        match: optional regular expression (case-insensitive, searched in title + text); within
            each stratum about ``match_share`` of the draws come from matching rows.
        match_share: see ``match``.
        exclude_urls: URLs never to draw (e.g. documents already labelled), compared after
            :func:`analysis.ids.normalize_url`; removed before the strata are sized, so a
            second draw with another seed adds new documents only.

    Returns:
        The sample with ``doc_id, date, source, url, text`` (+ ``sent_id``) and an empty
        ``label`` column, ordered by stratum then date.
    """
    if unit not in ("document", "sentence"):
        raise ValueError(f"unit must be 'document' or 'sentence', not {unit!r}")
    frame = corpus.copy()
    if exclude_urls is not None:
        excluded = {normalize_url(u) for u in exclude_urls if isinstance(u, str) and u}
        frame = frame[~frame["url"].map(lambda u: normalize_url(u) if isinstance(u, str) else "").isin(excluded)]
    if unit == "sentence":
        from analysis.sentiment.lexicon import split_sentences

        frame["sent_id"] = [list(range(len(split_sentences(t)))) for t in frame["text"]]
        frame["text"] = [split_sentences(t) for t in frame["text"]]
        frame = frame.explode(["sent_id", "text"]).dropna(subset=["text"]).reset_index(drop=True)
    if stratify == "month":
        frame["_stratum"] = pd.to_datetime(frame["date"], utc=True).dt.strftime("%Y-%m").fillna("unknown")
    elif stratify == "source":
        frame["_stratum"] = frame["source"].astype("str").fillna("unknown")
    elif stratify is None:
        frame["_stratum"] = "all"
    else:
        raise ValueError(f"stratify must be 'month', 'source' or None, not {stratify!r}")
    if match:
        haystack = frame.get("title", pd.Series("", index=frame.index)).fillna("").astype(str) + " " + frame["text"].astype(str)
        frame["_match"] = haystack.str.contains(match, case=False, regex=True)
    else:
        frame["_match"] = False
    rng = __import__("numpy").random.default_rng(seed)
    sizes = frame.groupby("_stratum", sort=True).size()
    alloc = _allocate(sizes, n)
    picked = []
    for stratum, k in alloc.items():
        if k == 0:
            continue
        rows = frame[frame["_stratum"] == stratum]
        if match:
            hit, miss = rows[rows["_match"]], rows[~rows["_match"]]
            k_hit = min(len(hit), int(round(k * match_share)))
            k_miss = min(len(miss), k - k_hit)
            k_hit = min(len(hit), k - k_miss)
            parts = [hit.iloc[rng.choice(len(hit), k_hit, replace=False)] if k_hit else hit.iloc[:0],
                     miss.iloc[rng.choice(len(miss), k_miss, replace=False)] if k_miss else miss.iloc[:0]]
            picked.append(pd.concat(parts))
        else:
            picked.append(rows.iloc[rng.choice(len(rows), int(k), replace=False)])
    out = pd.concat(picked).sort_values(["_stratum", "date", "doc_id"], kind="stable")
    columns = ["doc_id", "date", "source", "url"] + (["sent_id"] if unit == "sentence" else []) + ["text"]
    out = out[columns].reset_index(drop=True)
    out["label"] = ""
    return out


def stratified_split(
    labels: pd.DataFrame,
    *,
    by: Sequence[str] = ("label",),
    seed: int = 20220224,
    names: tuple[str, str] = ("dev", "test"),
) -> pd.Series:
    """Assign each labelled row to one of two halves, balanced within each stratum.

    Rows are grouped by the ``by`` columns (in sorted group order); within a group they are
    shuffled with ``numpy.random.default_rng(seed)`` and dealt alternately to the two halves.
    The first row of each group goes to whichever half is currently smaller (ties: the first
    name), so odd-sized groups do not all favour the same half.

    Args:
        labels: the labelled rows (any index).
        by: stratum columns, e.g. ``("draw", "label")``.
        seed: random seed; same rows and seed, same split.
        names: the two split names.

    Returns:
        A Series of split names aligned with ``labels.index``.

    Example:
        >>> frame = pd.DataFrame({"label": ["negative"] * 4 + ["positive"] * 3})
        >>> split = stratified_split(frame, seed=1)
        >>> split.value_counts().sort_index().tolist()
        [4, 3]
        >>> pd.crosstab(frame["label"], split).to_numpy().tolist()
        [[2, 2], [2, 1]]
    """
    import numpy as np

    rng = np.random.default_rng(seed)
    out = pd.Series("", index=labels.index, dtype="str")
    counts = {names[0]: 0, names[1]: 0}
    for _, group in labels.groupby(list(by), sort=True):
        order = group.index.to_numpy()[rng.permutation(len(group))]
        first = names[0] if counts[names[0]] <= counts[names[1]] else names[1]
        second = names[1] if first == names[0] else names[0]
        for k, idx in enumerate(order):
            name = first if k % 2 == 0 else second
            out.loc[idx] = name
            counts[name] += 1
    return out

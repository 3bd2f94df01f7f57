"""The processed tables of one corpus, loaded lazily: :class:`Corpus`.

A :class:`Corpus` wraps a processed directory (see ``docs/data-contract.md``): ``corpus``,
``tokens``, ``sentences``, ``entities`` and ``documents`` are read on first access and cached.
:meth:`Corpus.filter` returns a view restricted to a date range, sources, sections, or without
near-duplicates; every table of the view holds only the documents kept, so every analysis run
on it uses the same documents and the same denominators.

Example:
    >>> from analysis.tables import Corpus  # doctest: +SKIP
    >>> c = Corpus("data/processed/example")  # doctest: +SKIP
    >>> march = c.filter(start="2022-03-01", end="2022-03-31", sources=["Le Monde"])  # doctest: +SKIP
    >>> len(march.corpus), march.fingerprint()  # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from analysis.storage import ANNOTATION_TABLES, read_table

TABLES = ("corpus", *ANNOTATION_TABLES)

#: Columns of ``corpus.parquet`` kept beside annotations (``text`` is loaded with them).
META_COLUMNS = ("doc_id", "date", "source", "section", "title")


def isin(series: pd.Series, values: Iterable[Any]) -> np.ndarray:
    """``series.isin(values)`` as a bool array, fast for Arrow-backed string columns.

    pandas' ``str`` columns build one Python scalar per *value* in ``Series.isin``; with a few
    thousand values (document ids) that dominates an analysis. Arrow's ``is_in`` does it in C.
    """
    vals = pd.unique(pd.Series(list(values) if not isinstance(values, pd.Series | pd.Index | np.ndarray) else values).dropna())
    arr = getattr(series.array, "_pa_array", None)
    if arr is not None and (len(vals) == 0 or all(isinstance(v, str) for v in vals[:5])):
        import pyarrow as pa
        import pyarrow.compute as pc

        if len(vals) == 0:
            return np.zeros(len(series), dtype=bool)
        mask = pc.is_in(arr, value_set=pa.array(np.asarray(vals, dtype=object), type=arr.type))
        return np.asarray(mask.to_numpy(zero_copy_only=False), dtype=bool)
    return series.isin(vals).to_numpy(dtype=bool)


def to_utc(value: Any) -> pd.Timestamp:
    """A date-like value as a UTC timestamp (naive values are read as UTC)."""
    ts = pd.Timestamp(value)
    return ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")


def _end_bound(value: Any) -> tuple[pd.Timestamp, bool]:
    """Upper bound for ``end``: a bare date means the whole day (exclusive bound next midnight)."""
    ts = to_utc(value)
    if ts == ts.normalize():  # a bare date (or midnight): the whole day
        return ts.normalize() + pd.Timedelta(days=1), False
    return ts, True


class Corpus:
    """Lazily loaded processed tables of one corpus, optionally restricted to some documents.

    Args:
        processed_dir: the processed directory (``data/processed/NAME``); tables are read from it
            on first access with :func:`analysis.storage.read_table`.
        name: label used in plot titles and reports (default: the directory's name).

    Attributes:
        corpus: ``corpus.parquet`` (one row per document, sorted by date then doc_id).
        tokens, sentences, entities, documents: the annotation tables, restricted to the
            documents of this corpus.

    Example:
        >>> import pandas as pd
        >>> docs = pd.DataFrame({"doc_id": ["a", "b"], "source": ["X", "Y"], "section": [None, None],
        ...     "title": ["t1", "t2"], "text": ["", ""],
        ...     "date": pd.to_datetime(["2022-01-01", "2022-03-01"], utc=True), "duplicate_of": [None, None]})
        >>> c = Corpus.from_frames(corpus=docs, name="toy")
        >>> c.filter(start="2022-02-01").corpus.doc_id.tolist()
        ['b']
    """

    def __init__(self, processed_dir: str | os.PathLike[str] | None = None, *, name: str | None = None) -> None:
        self.processed_dir = Path(processed_dir) if processed_dir is not None else None
        self.name = name or (self.processed_dir.name if self.processed_dir is not None else "corpus")
        self._root: Corpus = self
        self._cache: dict[str, pd.DataFrame] = {}
        self._doc_ids: pd.Index | None = None  # None: every document of the root
        self._filters: dict[str, Any] = {}
        self._memo: dict[Any, Any] = {}

    # ------------------------------------------------------------------ construction
    @classmethod
    def from_frames(cls, *, name: str = "corpus", **tables: pd.DataFrame) -> Corpus:
        """A corpus built from in-memory tables (tests, notebooks, external reference corpora).

        Keyword names are table names (``corpus``, ``tokens``, ...); missing tables raise
        ``FileNotFoundError`` when accessed.
        """
        unknown = set(tables) - set(TABLES)
        if unknown:
            raise ValueError(f"unknown table name(s) {sorted(unknown)}; expected some of {TABLES}")
        c = cls(None, name=name)
        for key, df in tables.items():
            c._cache[key] = _prepare(key, df.copy())
        return c

    def _load(self, table: str) -> pd.DataFrame:
        root = self._root
        if table not in root._cache:
            if root.processed_dir is None:
                raise FileNotFoundError(f"table {table!r} was not given to Corpus.from_frames (corpus {root.name!r})")
            root._cache[table] = _prepare(table, read_table(root.processed_dir, table))
        return root._cache[table]

    def _restricted(self, table: str) -> pd.DataFrame:
        if self._doc_ids is None:
            return self._load(table)
        key = ("table", table)
        if key not in self._memo:
            df = self._load(table)
            self._memo[key] = df[isin(df["doc_id"], self._doc_ids)].reset_index(drop=True)
        return self._memo[key]

    # ------------------------------------------------------------------ tables
    @property
    def corpus(self) -> pd.DataFrame:
        return self._restricted("corpus")

    @property
    def tokens(self) -> pd.DataFrame:
        return self._restricted("tokens")

    @property
    def sentences(self) -> pd.DataFrame:
        return self._restricted("sentences")

    @property
    def entities(self) -> pd.DataFrame:
        return self._restricted("entities")

    @property
    def documents(self) -> pd.DataFrame:
        return self._restricted("documents")

    def has_table(self, table: str) -> bool:
        """Whether ``table`` is available (loaded, given, or present on disk)."""
        root = self._root
        if table in root._cache:
            return True
        if root.processed_dir is None:
            return False
        path = root.processed_dir / ("corpus.parquet" if table == "corpus" else table)
        return path.exists()

    @property
    def doc_ids(self) -> pd.Index:
        """The documents of this corpus (after filters), in corpus order."""
        return pd.Index(self.corpus["doc_id"])

    @property
    def filters(self) -> dict[str, Any]:
        """The filters that produced this view (empty for the whole corpus)."""
        return dict(self._filters)

    def __len__(self) -> int:
        return len(self.corpus)

    def __repr__(self) -> str:
        where = str(self._root.processed_dir) if self._root.processed_dir else "in memory"
        return f"Corpus({self.name!r}, {where}, filters={self._filters})"

    # ------------------------------------------------------------------ derived, cached
    def meta(self) -> pd.DataFrame:
        """``doc_id``, ``date``, ``source``, ``section``, ``title`` indexed by ``doc_id``."""
        key = "meta"
        if key not in self._memo:
            df = self.corpus
            cols = [c for c in META_COLUMNS if c in df.columns]
            self._memo[key] = df[cols].set_index("doc_id", drop=False)
        return self._memo[key]

    def doc_totals(self, *, drop_punct: bool = True) -> pd.Series:
        """Tokens per document (the denominator of per-10k rates), indexed by ``doc_id``.

        Counts every token (stop words and numbers included); punctuation is left out when
        ``drop_punct`` is true. Documents without tokens get 0.
        """
        key = ("doc_totals", drop_punct)
        if key not in self._memo:
            tok = self.tokens
            if drop_punct:
                tok = tok[~tok["is_punct"]]
            totals = tok.groupby("doc_id", sort=False)["count"].sum()
            self._memo[key] = totals.reindex(self.doc_ids, fill_value=0).astype("int64")
        return self._memo[key]

    # ------------------------------------------------------------------ filtering
    def filter(
        self,
        *,
        start: Any = None,
        end: Any = None,
        sources: Iterable[str] | str | None = None,
        sections: Iterable[str] | str | None = None,
        include_near_duplicates: bool = True,
        doc_ids: Iterable[str] | None = None,
    ) -> Corpus:
        """A view of this corpus restricted consistently across all tables.

        Args:
            start: first date kept (inclusive); naive dates are UTC.
            end: last date kept, inclusive: a bare date (``"2022-03-31"``) keeps that whole day.
            sources: outlets kept (``corpus.source``), a name or a list of names.
            sections: sections kept (``corpus.section``).
            include_near_duplicates: when false, documents with ``duplicate_of`` set are dropped.
            doc_ids: explicit documents kept (intersected with the other filters).

        Returns:
            A new :class:`Corpus` sharing this one's loaded tables.
        """
        df = self.corpus
        mask = np.ones(len(df), dtype=bool)
        filters = dict(self._filters)
        if start is not None:
            mask &= (df["date"] >= to_utc(start)).to_numpy()
            filters["start"] = str(start)
        if end is not None:
            bound, inclusive = _end_bound(end)
            mask &= ((df["date"] <= bound) if inclusive else (df["date"] < bound)).to_numpy()
            filters["end"] = str(end)
        if sources is not None:
            sources = [sources] if isinstance(sources, str) else list(sources)
            mask &= df["source"].isin(sources).to_numpy()
            filters["sources"] = sorted(sources)
        if sections is not None:
            sections = [sections] if isinstance(sections, str) else list(sections)
            mask &= df["section"].isin(sections).to_numpy()
            filters["sections"] = sorted(sections)
        if not include_near_duplicates and "duplicate_of" in df.columns:
            mask &= df["duplicate_of"].isna().to_numpy()
            filters["include_near_duplicates"] = False
        if doc_ids is not None:
            ids = list(doc_ids)
            mask &= isin(df["doc_id"], ids)
            filters["doc_ids"] = len(ids)
        view = Corpus.__new__(Corpus)
        view.processed_dir = self._root.processed_dir
        view.name = self.name
        view._root = self._root
        view._cache = {}
        view._doc_ids = pd.Index(df.loc[mask, "doc_id"])
        view._filters = filters
        view._memo = {}
        return view

    # ------------------------------------------------------------------ provenance
    def annotation_config(self) -> list[str]:
        """Distinct ``documents.config`` hashes (empty when not annotated)."""
        if not self.has_table("documents"):
            return []
        return sorted(self.documents["config"].dropna().astype(str).unique().tolist())

    def fingerprint(self) -> str:
        """Stable 16-hex-digit hash of the documents (sorted ``doc_id``) and annotation config.

        Two runs on the same documents with the same annotation configuration give the same
        fingerprint, whatever the order of rows or the filters used to get there.
        """
        h = hashlib.sha256()
        for doc_id in sorted(self.corpus["doc_id"].astype(str)):
            h.update(doc_id.encode())
            h.update(b"\n")
        h.update(json.dumps(self.annotation_config()).encode())
        return h.hexdigest()[:16]

    def describe(self) -> dict[str, Any]:
        """Name, filters, number of documents, date range and fingerprint (for report headers)."""
        df = self.corpus
        return {
            "name": self.name,
            "filters": self.filters,
            "n_documents": int(len(df)),
            "first_date": df["date"].min() if len(df) else None,
            "last_date": df["date"].max() if len(df) else None,
            "sources": sorted(df["source"].dropna().unique().tolist()) if len(df) else [],
            "fingerprint": self.fingerprint(),
        }


def _prepare(table: str, df: pd.DataFrame) -> pd.DataFrame:
    """Light type normalisation so hand-built and real tables behave the same."""
    if table == "corpus":
        if "date" in df.columns:
            df["date"] = pd.to_datetime(df["date"], utc=True)
        for col in ("section", "duplicate_of"):
            if col not in df.columns:
                df[col] = pd.Series([None] * len(df), dtype="str")
        df = df.sort_values(["date", "doc_id"], kind="stable").reset_index(drop=True)
    elif table == "tokens":
        for col in ("is_stop", "is_punct", "is_num"):
            if col in df.columns:
                df[col] = df[col].fillna(False).astype(bool)
        if "count" in df.columns:
            df["count"] = df["count"].astype("int64")
    return df


def as_corpus(obj: Corpus | str | os.PathLike[str]) -> Corpus:
    """Accept a :class:`Corpus` or a processed directory."""
    return obj if isinstance(obj, Corpus) else Corpus(obj)

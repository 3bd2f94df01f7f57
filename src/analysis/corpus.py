"""Build the corpus table: read, clean, filter, deduplicate, write (``analysis ingest``).

Pipeline, every decision counted in ``ingest-report.json``:

1. **read** each input file with the reader of its format (:mod:`analysis.readers`); a file
   that cannot be read at all (empty, not XML, missing column...) is listed in
   ``files_failed`` and the run goes on; records a reader cannot use are rejected one by one;
2. **clean** each record: HTML tags stripped, entities decoded, Unicode NFC, non-breaking and
   zero-width spaces normalised, whitespace collapsed; ``text`` falls back to ``title`` when a
   record has no text; records with neither are rejected (``empty``), records without a
   usable date too (``date``, unless ``allow_undated``);
3. for an RSS folder, the collected page text ``SOURCE/articles/<url_key(link)>.txt`` replaces
   the lead as ``text`` when it exists;
4. **language**: non-French records are rejected (``lang``): py3langid restricted to
   fr/en/de/es/it/pt/nl on title + text (a non-French verdict needs probability >= 0.8),
   and links under ``le-monde-in-english`` / ``/en/`` are English;
5. **exact duplicates**, in first-seen order (RSS snapshots by channel date, then file path,
   then position): the same normalised URL (``url``), the same id in the same source with
   the same content (``id``; the same id with a *different* content is rejected as
   ``duplicate_id`` so it can be inspected), the same normalised title + text (``text``).
   The first occurrence is kept; duplicates are counted, not written to ``rejects.jsonl``;
6. **near-duplicates** among kept documents: MinHash (128 permutations, seed
   :data:`analysis.config.SEED`) with LSH on word 3-shingles of title + text (case-folded,
   punctuation ignored), each
   candidate confirmed by its exact Jaccard similarity >= 0.8; the later document (by date,
   then doc_id) gets ``duplicate_of`` = the earliest document of its group. They stay in the
   table.

Listings reconcile exactly: ``records_read = kept + duplicates + rejected`` (per reason).

Re-runs are incremental: ``ingest-state.json`` records each file's size and mtime, and the
parsed records of every file live in ``ingest-cache.parquet``; an unchanged file is not read
again, but deduplication is recomputed over everything, so the result is always the one a
fresh run would give (same rows, same ids).

Example:
    >>> from analysis.corpus import ingest, load_corpus  # doctest: +SKIP
    >>> report = ingest(["data/raw/example"], out="data/processed/example")  # doctest: +SKIP
    >>> load_corpus("data/processed/example")[["date", "source", "title"]]  # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
import hashlib
import html
import json
import os
import re
import sys
import time
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from analysis import storage
from analysis.config import PROCESSED_DATA_DIR, SEED
from analysis.dates import parse_date
from analysis.ids import make_doc_id, normalize_url, url_key
from analysis.readers import FileResult, FileUnit, ReadOptions, expand_sources, read_unit

__all__ = [
    "ingest",
    "load_corpus",
    "IngestReport",
    "CORPUS_SCHEMA",
    "clean_text",
    "near_duplicates",
    "detect_language",
]

#: Bump when reading/cleaning changes: cached records of older versions are re-read.
INGEST_VERSION = 1
LANGUAGES = ("fr", "en", "de", "es", "it", "pt", "nl")
#: Minimum probability for a non-French verdict (short French headlines are sometimes
#: classified as Italian or Portuguese with low confidence).
LANG_MIN_PROB = 0.8
ENGLISH_URL_SEGMENTS = ("le-monde-in-english",)
NEAR_DUP_THRESHOLD = 0.8
NUM_PERM = 128
SHINGLE = 3

CORPUS_SCHEMA = pa.schema(
    [
        ("doc_id", pa.string()),
        ("date", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("section", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("url", pa.string()),
        ("lang", pa.string()),
        ("n_words", pa.int32()),
        ("duplicate_of", pa.string()),
        ("origin_file", pa.string()),
        ("origin_record", pa.string()),
    ]
)
COLUMNS = CORPUS_SCHEMA.names

_CACHE_SCHEMA = pa.schema(
    [
        ("_file", pa.string()),
        ("_index", pa.int32()),
        ("position", pa.string()),
        ("date", pa.timestamp("us", tz="UTC")),
        ("source", pa.string()),
        ("section", pa.string()),
        ("title", pa.string()),
        ("text", pa.string()),
        ("url", pa.string()),
        ("id", pa.string()),
        ("lang", pa.string()),  # verdict on this record's own title + text (saves re-detection)
        ("lang_p", pa.float32()),
    ]
)


# --------------------------------------------------------------------------- cleaning

_TAG = re.compile(r"<\s*/?\s*[a-zA-Z][^<>]*>|<!--.*?-->", re.S)
_BLOCK_TAG = re.compile(r"<\s*(?:br|/p|/div|/li|/h[1-6])\s*/?\s*>", re.I)
_SPACES = re.compile(r"[ \t\f\v\u00a0\u202f\u2007\u2009\u200a\u2002\u2003\u3000]+")
_INVISIBLE = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff\u00ad"), None)
_BLANKS = re.compile(r"\n\s*\n\s*(?:\n\s*)+")


def clean_text(value: Any) -> str:
    """Plain text from a field: HTML stripped, entities decoded, spaces normalised.

    Non-breaking and thin spaces become plain spaces, zero-width characters and soft hyphens
    disappear, runs of spaces collapse, lines are trimmed, at most one blank line is kept
    between paragraphs; Unicode is NFC.

    Example:
        >>> clean_text("<p>L&#8217;arm\\u00e9e   a <b>repris</b>&nbsp;Izioum</p>")
        'L’armée a repris Izioum'
    """
    if value is None:
        return ""
    if not isinstance(value, str):
        if isinstance(value, float) and value != value:
            return ""
        value = str(value)
    text = value
    if "&lt;" in text and "&gt;" in text:
        text = html.unescape(text)  # escaped HTML: unescape once to reveal the tags
    if "<" in text:
        text = _BLOCK_TAG.sub("\n", text)
        text = _TAG.sub(" ", text)
    if "&" in text:
        text = html.unescape(text)
    text = unicodedata.normalize("NFC", text).translate(_INVISIBLE)
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _SPACES.sub(" ", text)
    if "\n" in text:
        text = "\n".join(line.strip() for line in text.split("\n"))
        text = _BLANKS.sub("\n\n", text)
    return text.strip()


def _norm_for_key(text: str) -> str:
    """Case-folded words only (punctuation and spacing ignored) for exact-text keys."""
    return " ".join(re.findall(r"\w+", text.casefold()))


# --------------------------------------------------------------------------- language

_IDENTIFIER = None


def _identifier():
    global _IDENTIFIER
    if _IDENTIFIER is None:
        from py3langid.langid import MODEL_FILE, LanguageIdentifier

        ident = LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)
        ident.set_languages(list(LANGUAGES))
        _IDENTIFIER = ident
    return _IDENTIFIER


def detect_language(text: str, url: str | None = None) -> tuple[str, float]:
    """Language of a document: ``(ISO 639-1 code, probability)``.

    Links with a path segment in :data:`ENGLISH_URL_SEGMENTS` (or starting with ``/en/``)
    are English outright. Otherwise py3langid, restricted to :data:`LANGUAGES`, classifies
    the first 1,000 characters; a non-French verdict below :data:`LANG_MIN_PROB` is not
    trusted and the document counts as French.

    Example:
        >>> detect_language("Les forces ukrainiennes ont repris la ville de Kherson.")[0]
        'fr'
        >>> detect_language("x", url="https://www.lemonde.fr/le-monde-in-english/article/a.html")
        ('en', 1.0)
    """
    if url:
        segments = [s for s in urlsplit(url).path.lower().split("/") if s]
        if (segments and segments[0] == "en") or any(s in ENGLISH_URL_SEGMENTS for s in segments):
            return "en", 1.0
    if not text.strip():
        return "fr", 0.0
    lang, prob = _identifier().classify(text[:1000])
    if lang != "fr" and prob < LANG_MIN_PROB:
        return "fr", float(prob)
    return str(lang), float(prob)


# --------------------------------------------------------------------------- near duplicates


def _shingles(text: str, k: int = SHINGLE) -> set[str]:
    words = re.findall(r"\w+", text.casefold())
    if len(words) < k:
        return {" ".join(words)} if words else set()
    return {" ".join(words[i : i + k]) for i in range(len(words) - k + 1)}


def near_duplicates(
    texts: Sequence[str], *, threshold: float = NEAR_DUP_THRESHOLD, num_perm: int = NUM_PERM, seed: int = SEED
) -> list[int | None]:
    """For each text (in priority order), the index of the earlier text it near-duplicates.

    MinHash/LSH on word 3-shingles proposes candidates; a pair counts only if the exact
    Jaccard similarity of the shingle sets is >= ``threshold``. A duplicate points to the
    *root* of its group (the earliest text), never to another duplicate.

    Example:
        >>> a = "Les forces russes ont bombardé la ville de Kharkiv dans la nuit de lundi à mardi"
        >>> near_duplicates([a, a + " selon les autorités", "Un tout autre texte sur la réforme des retraites en France"])
        [None, 0, None]
    """
    from datasketch import MinHash, MinHashLSH

    sets = [_shingles(t) for t in texts]
    result: list[int | None] = [None] * len(texts)
    todo = [i for i, s in enumerate(sets) if s]
    if len(todo) < 2:
        return result
    hashes = MinHash.bulk([[s.encode("utf-8") for s in sets[i]] for i in todo], num_perm=num_perm, seed=seed)
    lsh = MinHashLSH(threshold=threshold, num_perm=num_perm)
    for i, mh in zip(todo, hashes, strict=True):
        candidates = lsh.query(mh)
        best: int | None = None
        for c in candidates:
            j = int(c)
            inter = len(sets[i] & sets[j])
            jac = inter / (len(sets[i]) + len(sets[j]) - inter)
            if jac >= threshold:
                root = result[j] if result[j] is not None else j
                if best is None or root < best:
                    best = root
        result[i] = best
        lsh.insert(str(i), mh)
    return result


# --------------------------------------------------------------------------- report


@dataclass
class IngestReport:
    """Counts of one ingestion (also written to ``ingest-report.json``).

    ``records_read == kept + sum(duplicates.values()) + sum(rejected.values())`` always holds;
    ``near_duplicates`` counts kept documents that carry a ``duplicate_of``.
    """

    out: str
    files_total: int = 0
    files_read: int = 0
    files_cached: int = 0
    files_failed: list[dict[str, str]] = field(default_factory=list)
    files_partial: list[dict[str, str]] = field(default_factory=list)
    files_ignored: list[str] = field(default_factory=list)
    records_read: int = 0
    kept: int = 0
    new_documents: int = 0
    duplicates: dict[str, int] = field(default_factory=dict)
    near_duplicates: int = 0
    rejected: dict[str, int] = field(default_factory=dict)
    articles_used: int = 0
    live_blogs: int = 0
    undated: int = 0
    kept_by_year: dict[str, int] = field(default_factory=dict)
    kept_by_source: dict[str, int] = field(default_factory=dict)
    date_min: str | None = None
    date_max: str | None = None
    warnings: list[str] = field(default_factory=list)
    parameters: dict[str, Any] = field(default_factory=dict)
    started: str = ""
    finished: str = ""
    seconds: float = 0.0

    @property
    def duplicates_total(self) -> int:
        return sum(self.duplicates.values())

    @property
    def rejected_total(self) -> int:
        return sum(self.rejected.values())

    @property
    def reconciles(self) -> bool:
        return self.records_read == self.kept + self.duplicates_total + self.rejected_total

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["duplicates_total"] = self.duplicates_total
        data["rejected_total"] = self.rejected_total
        return data

    def summary(self) -> str:
        """A few lines for the terminal."""
        dups = ", ".join(f"{k} {v:,}" for k, v in sorted(self.duplicates.items())) or "none"
        rej = ", ".join(f"{k} {v:,}" for k, v in sorted(self.rejected.items())) or "none"
        lines = [
            f"files: {self.files_total:,} ({self.files_read:,} read, {self.files_cached:,} unchanged since last run, "
            f"{len(self.files_failed):,} failed, {len(self.files_partial):,} partly read, {len(self.files_ignored):,} ignored)",
            f"records read: {self.records_read:,} = kept {self.kept:,} + duplicates {self.duplicates_total:,} "
            f"+ rejected {self.rejected_total:,}",
            f"  duplicates: {dups}",
            f"  rejected: {rej}",
            f"kept: {self.kept:,} documents ({self.new_documents:,} new), {self.near_duplicates:,} near-duplicates marked, "
            f"dates {self.date_min or '-'} .. {self.date_max or '-'}",
            f"wrote {self.out}/corpus.parquet, rejects.jsonl, ingest-report.json in {self.seconds:.1f} s",
        ]
        for failed in self.files_failed[:5]:
            lines.append(f"  failed: {failed['file']}: {failed['reason']}")
        if len(self.files_failed) > 5:
            lines.append(f"  ... and {len(self.files_failed) - 5} more failed files (see ingest-report.json)")
        return "\n".join(lines)


# --------------------------------------------------------------------------- validation


def _validate(raw: FileResult, unit: FileUnit, options: ReadOptions, allow_undated: bool) -> tuple[list[dict], list[dict]]:
    """Clean the records of one file; return ``(records, rejects)``."""
    records: list[dict] = []
    rejects: list[dict] = [dict(r) for r in raw.rejects]
    fallback_source = options.source or unit.path.parent.name if unit.format == "txt" else options.source or unit.path.stem
    for index, rec in enumerate(raw.records, start=1):
        position = str(rec.get("position") or index)
        title = clean_text(rec.get("title"))
        text = clean_text(rec.get("text"))
        if not text:
            text = title
        excerpt = " ".join(f"{title} {text}".split())[:200]
        if not text:
            rejects.append({"position": position, "reason": "empty", "excerpt": excerpt_raw(rec), "message": "no title and no text"})
            continue
        date = parse_date(rec.get("date"))
        if date is None and not allow_undated:
            value = rec.get("date")
            message = f"unusable date {value!r}" if value not in (None, "") else "no date"
            rejects.append({"position": position, "reason": "date", "excerpt": excerpt, "message": message})
            continue
        url = clean_text(rec.get("url")) or None
        if url and not url.lower().startswith(("http://", "https://")):
            url = None
        source = options.source or clean_text(rec.get("source")) or fallback_source
        records.append(
            {
                "_index": index,
                "position": position,
                "date": date,
                "source": source,
                "section": clean_text(rec.get("section")) or None,
                "title": title,
                "text": text,
                "url": url,
                "id": clean_text(rec.get("id")) or None,
            }
        )
    return records, rejects


def excerpt_raw(rec: dict) -> str:
    return " ".join(" ".join(str(rec.get(k) or "") for k in ("title", "text", "date", "url")).split())[:200]


# --------------------------------------------------------------------------- state


def _signature(unit: FileUnit) -> dict[str, Any]:
    st = unit.path.stat()
    return {"size": st.st_size, "mtime_ns": st.st_mtime_ns, "extra": unit.extra_signature, "format": unit.format}


def _params_key(params: dict[str, Any]) -> str:
    keyed = {k: params[k] for k in ("format", "source", "encoding", "columns", "mapping", "allow_undated")}
    keyed["version"] = INGEST_VERSION
    return hashlib.sha1(json.dumps(keyed, sort_keys=True).encode()).hexdigest()[:16]


def _load_state(out: Path, key: str) -> tuple[dict[str, Any], dict[str, list[dict]]]:
    state_path, cache_path = out / "ingest-state.json", out / "ingest-cache.parquet"
    if not state_path.exists() or not cache_path.exists():
        return {}, {}
    try:
        state = json.loads(state_path.read_text(encoding="utf-8"))
        if state.get("params_key") != key:
            return {}, {}
        frame = pq.read_table(cache_path).to_pandas()
    except (OSError, ValueError, pa.ArrowException):
        return {}, {}
    cached: dict[str, list[dict]] = {}
    if len(frame):
        frame = frame.astype(object).where(frame.notna(), None)
        for rec in frame.to_dict("records"):
            cached.setdefault(rec.pop("_file"), []).append(rec)
    return state.get("files", {}), cached


# --------------------------------------------------------------------------- main entry


def ingest(
    sources: str | os.PathLike[str] | Iterable[str | os.PathLike[str]],
    *,
    out: str | os.PathLike[str] = PROCESSED_DATA_DIR,
    format: Literal["auto", "rss", "jsonl", "csv", "parquet", "txt", "europresse"] = "auto",
    source: str | None = None,
    encoding: str = "auto",
    columns: Sequence[str] | None = None,
    mapping: dict[str, str] | None = None,
    strict: bool = False,
    allow_undated: bool = False,
    incremental: bool = True,
    progress: bool | None = None,
) -> IngestReport:
    """Ingest SOURCEs (files or folders) into ``out/corpus.parquet``.

    Args:
        sources: input files or folders (folders are searched recursively).
        out: processed directory receiving ``corpus.parquet``, ``rejects.jsonl``,
            ``ingest-report.json``, ``ingest-state.json`` and ``ingest-cache.parquet``.
        format: input format, or ``auto`` (by extension, then content).
        source: outlet name for every record (overrides the channel title / source column).
        encoding: text encoding, or ``auto`` (UTF-8, UTF-8 BOM, cp1252, latin-1).
        columns: names of the columns of a headerless CSV.
        mapping: ``{field: column}`` for CSV/JSONL/Parquet (fields: date, source, section,
            title, text, url, id).
        strict: only recorded in the report here; the command exits non-zero on rejects.
        allow_undated: keep records without a usable date (``date`` is then null).
        incremental: reuse the records of unchanged files from the previous run in ``out``.
        progress: show a progress bar (None: only on a terminal).

    Returns:
        The :class:`IngestReport` (also written as ``ingest-report.json``).

    Example:
        >>> report = ingest("data/raw/example", out="/tmp/example")  # doctest: +SKIP
        >>> report.kept  # doctest: +SKIP
        1
    """
    from tqdm.auto import tqdm

    t0 = time.perf_counter()
    started = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    if isinstance(sources, (str, os.PathLike)):
        sources = [sources]
    sources = [str(s) for s in sources]
    out = Path(out)
    storage._guard(out / "corpus.parquet")  # refuse data/raw before doing any work
    options = ReadOptions(
        format=format, source=source, encoding=encoding, columns=list(columns) if columns else None, mapping=dict(mapping or {})
    )
    params = {
        "sources": sources,
        "format": format,
        "source": source,
        "encoding": encoding,
        "columns": options.columns,
        "mapping": options.mapping,
        "allow_undated": allow_undated,
        "strict": strict,
        "near_duplicate_threshold": NEAR_DUP_THRESHOLD,
        "minhash_num_perm": NUM_PERM,
        "shingle_words": SHINGLE,
        "seed": SEED,
        "languages": list(LANGUAGES),
        "ingest_version": INGEST_VERSION,
    }
    report = IngestReport(out=str(out), parameters=params, started=started)
    units, failed, ignored, warnings = expand_sources(sources, options)
    report.files_failed.extend(failed)
    report.files_ignored = ignored
    report.warnings.extend(warnings)
    report.files_total = len(units)

    key = _params_key(params)
    old_files, cached = _load_state(out, key) if incremental else ({}, {})
    new_files: dict[str, Any] = {}
    per_file: list[tuple[FileUnit, list[dict], list[dict], str]] = []  # unit, records, rejects, file_time
    for unit in tqdm(units, desc="ingest", unit="file", disable=(None if progress is None else not progress), file=sys.stderr):
        path_key = str(unit.path)
        try:
            sig = _signature(unit)
        except OSError as exc:
            report.files_failed.append({"file": unit.display, "reason": f"cannot read: {exc}"})
            continue
        old = old_files.get(path_key)
        if old is not None and all(old.get(k) == v for k, v in sig.items()) and (old.get("n_records", 0) == 0 or path_key in cached):
            records = cached.get(path_key, [])
            rejects, error, file_warnings, file_time = old["rejects"], old["error"], old["warnings"], old["file_time"]
            report.files_cached += 1
        else:
            raw = read_unit(unit, options)
            error, file_warnings = raw.error, raw.warnings
            records, rejects = ([], []) if error else _validate(raw, unit, options, allow_undated)
            ft = parse_date(raw.file_time) if raw.file_time else None
            file_time = ft.isoformat() if ft is not None else ""
            report.files_read += 1
        new_files[path_key] = {**sig, "display": unit.display, "error": error, "warnings": file_warnings,
                               "rejects": rejects, "file_time": file_time, "n_records": len(records)}
        if error:
            report.files_failed.append({"file": unit.display, "reason": error})
            continue
        for w in file_warnings:
            if w.startswith("malformed XML"):
                report.files_partial.append({"file": unit.display, "reason": w})
            else:
                report.warnings.append(f"{unit.display}: {w}")
        per_file.append((unit, records, rejects, file_time))

    corpus, rejects_out = _assemble(per_file, report)
    previous_ids: set[str] = set()
    if (out / "corpus.parquet").exists():
        try:
            previous_ids = set(pq.read_table(out / "corpus.parquet", columns=["doc_id"]).column(0).to_pylist())
        except (OSError, pa.ArrowException):
            previous_ids = set()
    report.new_documents = int((~corpus["doc_id"].isin(previous_ids)).sum()) if len(corpus) else 0

    # write: cache first, then state (a state never points at a missing cache), then outputs
    cache_rows = []
    for unit, records, _, _ in per_file:
        for rec in records:
            cache_rows.append({"_file": str(unit.path), **{k: rec.get(k) for k in _CACHE_SCHEMA.names if k != "_file"}})
    with storage.atomic_path(out / "ingest-cache.parquet") as tmp:
        pq.write_table(pa.Table.from_pylist(cache_rows, schema=_CACHE_SCHEMA), tmp)
    storage.write_json({"params_key": key, "version": INGEST_VERSION, "files": new_files}, out / "ingest-state.json")
    table = pa.Table.from_pandas(corpus, schema=CORPUS_SCHEMA, preserve_index=False)
    with storage.atomic_path(out / "corpus.parquet") as tmp:
        pq.write_table(table, tmp)
    storage.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rejects_out), out / "rejects.jsonl")
    report.finished = dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds")
    report.seconds = round(time.perf_counter() - t0, 2)
    storage.write_json(report.to_dict(), out / "ingest-report.json")
    return report


def _assemble(per_file: list[tuple[FileUnit, list[dict], list[dict], str]], report: IngestReport) -> tuple[pd.DataFrame, list[dict]]:
    """Language filter, exact and near deduplication over all records; build the table."""
    rejects_out: list[dict] = []
    rejected: Counter[str] = Counter()
    duplicates: Counter[str] = Counter()
    candidates: list[tuple[tuple, FileUnit, dict]] = []
    for unit, records, rejects, file_time in per_file:
        for r in rejects:
            rejects_out.append({"file": unit.display, **r})
            rejected[r["reason"]] += 1
        for rec in records:
            candidates.append(((file_time, unit.display, rec["_index"]), unit, rec))
    report.records_read = len(candidates) + sum(rejected.values())
    candidates.sort(key=lambda c: c[0])

    # collected article pages (RSS folders): SOURCE/articles/<url_key>.txt
    article_sets: dict[Path, set[str]] = {}
    lang_memo: dict[str, tuple[str, float]] = {}
    seen_url: set[str] = set()
    seen_id: dict[tuple[str, str], str] = {}
    seen_text: set[str] = set()
    kept: list[dict] = []
    for _, unit, orig in candidates:
        rec = dict(orig)
        if unit.articles_dir is not None and rec["url"]:
            names = article_sets.get(unit.articles_dir)
            if names is None:
                names = {p.name for p in unit.articles_dir.glob("*.txt")}
                article_sets[unit.articles_dir] = names
            name = f"{url_key(rec['url'])}.txt"
            if name in names:
                body = clean_text((unit.articles_dir / name).read_text(encoding="utf-8", errors="replace"))
                if body:
                    rec["text"] = body
                    rec["_article"] = True
        content = f"{rec['title']}\n{rec['text']}"
        memo_key = hashlib.sha1(f"{rec['url'] or ''}\n{content}".encode()).hexdigest()
        lang = lang_memo.get(memo_key)
        if lang is None and not rec.get("_article") and orig.get("lang"):
            lang = (orig["lang"], orig["lang_p"])  # cached from a previous run
        if lang is None:
            lang = lang_memo[memo_key] = detect_language(content, rec["url"])
        if not rec.get("_article"):
            orig["lang"], orig["lang_p"] = lang
        if lang[0] != "fr":
            rejected["lang"] += 1
            rejects_out.append({"file": unit.display, "position": rec["position"], "reason": "lang",
                                "excerpt": " ".join(content.split())[:200],
                                "message": f"language {lang[0]} (p={lang[1]:.2f})"})
            continue
        text_key = hashlib.sha1(_norm_for_key(content).encode()).hexdigest()
        nurl = normalize_url(rec["url"]) if rec["url"] else None
        if nurl is not None and nurl in seen_url:
            duplicates["url"] += 1
            continue
        if rec["id"]:
            id_key = (rec["source"], rec["id"])
            if id_key in seen_id:
                if seen_id[id_key] == text_key:
                    duplicates["id"] += 1
                else:
                    rejected["duplicate_id"] += 1
                    rejects_out.append({"file": unit.display, "position": rec["position"], "reason": "duplicate_id",
                                        "excerpt": " ".join(content.split())[:200],
                                        "message": f"id {rec['id']!r} already used by another record with a different text"})
                continue
        if text_key in seen_text:
            duplicates["text"] += 1
            continue
        if nurl is not None:
            seen_url.add(nurl)
        if rec["id"]:
            seen_id[(rec["source"], rec["id"])] = text_key
        seen_text.add(text_key)
        rec["lang"] = lang[0]
        rec["origin_file"] = unit.display
        kept.append(rec)

    report.duplicates = dict(sorted(duplicates.items()))
    report.rejected = dict(sorted(rejected.items()))
    report.kept = len(kept)
    frame = _to_frame(kept)
    if len(frame):
        dup_idx = near_duplicates((frame["title"] + "\n" + frame["text"]).tolist())
        ids = frame["doc_id"].tolist()
        frame["duplicate_of"] = pd.array([ids[j] if j is not None else None for j in dup_idx], dtype="str")
        report.near_duplicates = int(frame["duplicate_of"].notna().sum())
        report.articles_used = int(sum(1 for r in kept if r.get("_article")))
        live = frame["title"].str.contains(r"\ben direct\b", case=False, regex=True) | frame["url"].fillna("").str.contains("/live/", regex=False)
        report.live_blogs = int(live.sum())
        dated = frame["date"].dropna()
        report.undated = int(frame["date"].isna().sum())
        if len(dated):
            report.date_min, report.date_max = dated.min().isoformat(), dated.max().isoformat()
            report.kept_by_year = {str(k): int(v) for k, v in dated.dt.year.value_counts().sort_index().items()}
        report.kept_by_source = {str(k): int(v) for k, v in frame["source"].value_counts().sort_index().items()}
    rejects_out.sort(key=lambda r: (r["file"], _position_key(r["position"])))
    return frame, rejects_out


def _position_key(position: str) -> tuple:
    digits = re.findall(r"\d+", position)
    return (int(digits[0]) if digits else -1, position)


def _to_frame(kept: list[dict]) -> pd.DataFrame:
    if not kept:
        return pd.DataFrame({name: pd.Series([], dtype=_dtype(name)) for name in COLUMNS})
    rows = []
    for rec in kept:
        date = rec["date"]
        rows.append(
            {
                "doc_id": make_doc_id(url=rec["url"], source=rec["source"], date=date.isoformat() if date is not None else "",
                                      title=rec["title"], text=rec["text"]),
                "date": date,
                "source": rec["source"],
                "section": rec["section"],
                "title": rec["title"],
                "text": rec["text"],
                "url": rec["url"],
                "lang": rec["lang"],
                "n_words": len(rec["title"].split()) + len(rec["text"].split()),
                "duplicate_of": None,
                "origin_file": rec["origin_file"],
                "origin_record": rec["position"],
                "_article": rec.get("_article", False),
            }
        )
    frame = pd.DataFrame(rows)
    frame["date"] = pd.to_datetime(frame["date"], utc=True).astype("datetime64[us, UTC]")
    frame["n_words"] = frame["n_words"].astype("int32")
    frame = frame.sort_values(["date", "doc_id"], na_position="last", kind="mergesort").reset_index(drop=True)
    if frame["doc_id"].duplicated().any():  # pragma: no cover - dedup makes ids unique
        dup = frame.loc[frame["doc_id"].duplicated(), "doc_id"].iloc[0]
        raise AssertionError(f"doc_id {dup} is not unique after deduplication")
    return frame.drop(columns=["_article"])[COLUMNS]


def _dtype(name: str) -> Any:
    if name == "date":
        return "datetime64[us, UTC]"
    if name == "n_words":
        return "int32"
    return "str"


def load_corpus(processed: str | os.PathLike[str] = PROCESSED_DATA_DIR, *, columns: list[str] | None = None,
                near_duplicates: Literal["keep", "drop"] = "keep") -> pd.DataFrame:
    """Read ``corpus.parquet`` from a processed directory.

    Args:
        processed: the directory given as ``--out`` to ``analysis ingest``.
        columns: subset of columns to read.
        near_duplicates: ``"drop"`` removes documents marked ``duplicate_of``.

    Example:
        >>> corpus = load_corpus("data/processed/example")  # doctest: +SKIP
    """
    frame = storage.read_table(processed, "corpus", columns=columns if near_duplicates == "keep" or columns is None
                               else list(dict.fromkeys([*columns, "duplicate_of"])))
    if near_duplicates == "drop":
        frame = frame[frame["duplicate_of"].isna()].reset_index(drop=True)
        if columns is not None:
            frame = frame[columns]
    return frame

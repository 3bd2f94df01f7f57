"""Plain-text articles: one ``.txt`` file per document, first non-empty line = title.

In a folder, metadata come from a *sidecar CSV* (any ``.csv`` in the folder with a ``file``
column; ``metadata.csv`` first), one row per text file, keyed by file name: ``source``,
``date`` (any supported format, e.g. ``mercredi 22 mars 2023``), ``section``, ``url``,
optionally ``title`` (replaces the first line as the headline; the text is still
the lines after the first). Extra columns are ignored. A text file
missing from the sidecar has no date (rejected unless ``--allow-undated``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

from analysis.readers.base import FileResult, ReadOptions, ReaderError, decode_bytes, fold, resolve_columns
from analysis.readers.csv import sniff_delimiter

_KEY_NAMES = ("file", "filename", "fichier", "file_name", "nom_fichier", "path")


def find_sidecar(folder: Path) -> Path | None:
    """The sidecar CSV of a text folder (a ``.csv`` with a ``file`` column), if any."""
    candidates = sorted(folder.glob("*.csv"), key=lambda p: (p.name != "metadata.csv", p.name))
    for cand in candidates:
        try:
            head = decode_bytes(cand.read_bytes()[:8192])[0].lstrip("\ufeff").splitlines()
        except OSError:
            continue
        if head and any(fold(c) in _KEY_NAMES for c in next(csv.reader([head[0]], delimiter=sniff_delimiter(head[0])))):
            return cand
    return None


def read_sidecar(path: Path, options: ReadOptions) -> tuple[dict[str, dict[str, Any]], list[str]]:
    """Metadata rows keyed by file name (and by stem), plus warnings."""
    text, _ = decode_bytes(path.read_bytes(), options.encoding)
    text = text.lstrip("\ufeff")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text[:65536]))
    header = [h.strip() for h in next(reader, [])]
    key_col = next((i for i, h in enumerate(header) if fold(h) in _KEY_NAMES), None)
    if key_col is None:
        raise ReaderError(f"sidecar {path.name}: no 'file' column (columns: {', '.join(header)})")
    mapping = {k: v for k, v in options.mapping.items()}
    colmap = resolve_columns([h for i, h in enumerate(header) if i != key_col], mapping)
    colmap.pop("text", None)
    warnings: list[str] = []
    meta: dict[str, dict[str, Any]] = {}
    for row in reader:
        if not row or not any(c.strip() for c in row):
            continue
        if len(row) != len(header):
            warnings.append(f"sidecar {path.name} line {reader.line_num}: {len(row)} fields, header has {len(header)}; row ignored")
            continue
        values = {fld: row[header.index(col)].strip() for fld, col in colmap.items()}
        name = Path(row[key_col].strip()).name
        if name in meta:
            warnings.append(f"sidecar {path.name}: file {name!r} listed twice; the first row is used")
            continue
        meta[name] = {k: v for k, v in values.items() if v}
    return meta, warnings


def read(path: Path, options: ReadOptions, metadata: dict[str, Any] | None = None) -> FileResult:
    """Read one text file; ``metadata`` is its sidecar row (if any)."""
    result = FileResult()
    data = path.read_bytes()
    try:
        text, used = decode_bytes(data, options.encoding)
    except UnicodeDecodeError as exc:
        result.reject(path.name, "encoding", data[:200], f"undecodable bytes for {options.encoding}: {exc.reason} at byte {exc.start}")
        return result
    text = text.lstrip("\ufeff").replace("\r\n", "\n").replace("\r", "\n")
    if not text.strip():
        result.error = "empty file"
        return result
    if used not in ("utf-8", "utf-8-sig"):
        result.warnings.append(f"not UTF-8: decoded as {used}")
    lines = text.strip().split("\n")
    title, body = lines[0].strip(), "\n".join(lines[1:]).strip()
    meta = dict(metadata or {})
    record: dict[str, Any] = {"title": meta.get("title") or title, "text": body, "position": path.name}
    record.update({k: v for k, v in meta.items() if k in ("date", "source", "section", "url", "id")})
    result.records.append(record)
    return result

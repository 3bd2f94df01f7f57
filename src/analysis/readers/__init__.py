"""Readers: turn input files into raw records, one module per format.

:func:`expand_sources` turns the command line's SOURCEs (files or folders) into the list of
files to read, each with its format; :func:`read_unit` reads one of them. With
``--format auto`` the format of a file comes from its extension (``.xml .rss .atom`` → rss,
``.csv .tsv`` → csv, ``.jsonl .ndjson`` → jsonl, ``.parquet`` → parquet, ``.html .htm`` →
europresse, ``.txt`` → txt) or, failing that, from its first bytes. A folder is searched
recursively; a folder of ``.txt`` files with a sidecar CSV (a ``file`` column) is a text
folder. Files the collector writes beside RSS snapshots (``manifest.jsonl`` and the
``articles/`` folder) are not read as input; hidden files and ``ingest-*`` outputs are skipped.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from analysis.readers.base import FIELDS, FileResult, ReaderError, ReadOptions

__all__ = ["FIELDS", "FileResult", "ReaderError", "ReadOptions", "FileUnit", "expand_sources", "read_unit", "detect_format"]

EXTENSIONS = {
    ".xml": "rss", ".rss": "rss", ".atom": "rss",
    ".csv": "csv", ".tsv": "csv",
    ".jsonl": "jsonl", ".ndjson": "jsonl",
    ".parquet": "parquet", ".pq": "parquet",
    ".html": "europresse", ".htm": "europresse",
    ".txt": "txt",
}
#: Collector outputs living beside RSS snapshots, never read as input.
SKIP_NAMES = {"manifest.jsonl"}
SKIP_DIRS = {"articles"}


@dataclass
class FileUnit:
    """One file to read."""

    path: Path  # absolute
    display: str  # as given on the command line (origin_file)
    format: str
    metadata: dict[str, Any] | None = None  # txt: the sidecar row
    extra_signature: str = ""  # txt: the sidecar's size+mtime (a changed sidecar re-reads the texts)
    articles_dir: Path | None = None  # RSS folder: SOURCE/articles (collected page texts)


def detect_format(path: Path) -> str | None:
    """Format of one file from its extension, else from its first bytes (None: unknown)."""
    fmt = EXTENSIONS.get(path.suffix.lower())
    if fmt is not None:
        return fmt
    try:
        with open(path, "rb") as fh:
            head = fh.read(2048).lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    except OSError:
        return None
    if head.startswith(b"<?xml") or head.startswith(b"<rss") or head.startswith(b"<feed"):
        return "europresse" if b"<html" in head else "rss"
    if head.startswith(b"<!doctype html") or head.startswith(b"<html"):
        return "europresse"
    if head.startswith(b"{"):
        return "jsonl"
    if head.startswith(b"par1"):
        return "parquet"
    return None


def _display(base_given: str, base: Path, path: Path) -> str:
    rel = path.relative_to(base)
    return str(Path(base_given) / rel) if str(rel) != "." else base_given


def _walk(folder: Path) -> list[Path]:
    files: list[Path] = []
    for root, dirs, names in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and not (Path(root) == folder and d in SKIP_DIRS))
        for name in names:
            if name.startswith(".") or name in SKIP_NAMES or name.startswith("ingest-"):
                continue
            files.append(Path(root) / name)
    return sorted(files)


def expand_sources(sources: list[str | os.PathLike[str]], options: ReadOptions) -> tuple[list[FileUnit], list[dict[str, str]], list[str], list[str]]:
    """Files to read from the command line's SOURCEs.

    Returns:
        ``(units, failed, ignored, warnings)``: files to read; SOURCEs that cannot be read at
        all (``{"file", "reason"}``); files skipped because their format is unknown; warnings
        (e.g. bad sidecar rows).
    """
    from analysis.readers import txt

    units: list[FileUnit] = []
    failed: list[dict[str, str]] = []
    ignored: list[str] = []
    warnings: list[str] = []
    seen: set[Path] = set()

    def add(unit: FileUnit) -> None:
        if unit.path not in seen:
            seen.add(unit.path)
            units.append(unit)

    for given in sources:
        given_str = str(given)
        path = Path(given).expanduser()
        if not path.exists():
            failed.append({"file": given_str, "reason": "not found"})
            continue
        base = path.resolve()
        if path.is_file():
            fmt = options.format if options.format != "auto" else detect_format(base)
            if fmt is None:
                failed.append({"file": given_str, "reason": "unknown format (use --format)"})
                continue
            metadata = None
            extra = ""
            if fmt == "txt":
                sidecar = txt.find_sidecar(base.parent)
                if sidecar is not None:
                    meta, warns = txt.read_sidecar(sidecar, options)
                    warnings.extend(f"{sidecar.name}: {w}" for w in warns)
                    metadata = meta.get(base.name)
                    st = sidecar.stat()
                    extra = f"{sidecar}:{st.st_size}:{st.st_mtime_ns}"
            add(FileUnit(base, given_str, fmt, metadata, extra))
            continue
        files = _walk(base)
        sidecar = txt.find_sidecar(base)
        has_txt = any(f.suffix.lower() == ".txt" for f in files)
        if options.format == "txt" or (options.format == "auto" and sidecar is not None and has_txt):
            meta: dict[str, Any] = {}
            extra = ""
            if sidecar is not None:
                try:
                    meta, warns = txt.read_sidecar(sidecar, options)
                except ReaderError as exc:
                    failed.append({"file": _display(given_str, base, sidecar), "reason": str(exc)})
                    warns = []
                st = sidecar.stat()
                extra = f"{sidecar}:{st.st_size}:{st.st_mtime_ns}"
                warnings.extend(f"{_display(given_str, base, sidecar)}: {w}" for w in warns)
            for f in files:
                if f.suffix.lower() == ".txt":
                    add(FileUnit(f, _display(given_str, base, f), "txt", meta.get(f.name), extra))
                elif f != sidecar:
                    ignored.append(_display(given_str, base, f))
            continue
        articles = base / "articles"
        for f in files:
            if options.format == "auto":
                fmt = detect_format(f)
            else:
                ext_fmt = EXTENSIONS.get(f.suffix.lower())
                matches = ext_fmt == options.format or (ext_fmt is None and detect_format(f) == options.format)
                fmt = options.format if matches else None
            if fmt is None:
                ignored.append(_display(given_str, base, f))
                continue
            add(FileUnit(f, _display(given_str, base, f), fmt,
                         articles_dir=articles if fmt == "rss" and articles.is_dir() else None))
    return units, failed, ignored, warnings


def read_unit(unit: FileUnit, options: ReadOptions) -> FileResult:
    """Read one file with the reader of its format; a :class:`ReaderError` becomes ``error``."""
    from analysis.readers import csv, europresse, jsonl, parquet, rss, txt

    try:
        if unit.format == "txt":
            return txt.read(unit.path, options, unit.metadata)
        reader = {"rss": rss, "csv": csv, "jsonl": jsonl, "parquet": parquet, "europresse": europresse}[unit.format]
        return reader.read(unit.path, options)
    except ReaderError as exc:
        return FileResult(error=str(exc))
    except UnicodeDecodeError as exc:
        return FileResult(error=f"undecodable bytes for {options.encoding}: {exc.reason} at byte {exc.start}")
    except OSError as exc:
        return FileResult(error=f"cannot read: {exc}")

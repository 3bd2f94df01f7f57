"""Atomic writes and table access shared by every stage.

Every file the pipeline writes goes through these helpers: the content is written to a
temporary file in the same directory, flushed and fsynced, then renamed over the target, so a
run killed half-way never leaves a half-written table behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from analysis.config import RAW_DATA_DIR

#: Names of the annotation tables, each a directory of Parquet part files under the
#: processed directory (see docs/data-contract.md).
ANNOTATION_TABLES = ("tokens", "sentences", "entities", "documents")


class RawDataWriteError(RuntimeError):
    """Raised when something tries to write inside ``data/raw/``."""


def _guard(path: Path) -> None:
    resolved = path.resolve()
    raw = RAW_DATA_DIR.resolve()
    if resolved == raw or raw in resolved.parents:
        raise RawDataWriteError(f"refusing to write inside data/raw/ (read-only input): {path}")


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str], *, suffix: str = ".tmp") -> Iterator[Path]:
    """Yield a temporary path beside ``path``; rename it over ``path`` if the block succeeds.

    Example:
        >>> import tempfile, pathlib
        >>> d = pathlib.Path(tempfile.mkdtemp())
        >>> with atomic_path(d / "x.txt") as tmp:
        ...     _ = tmp.write_text("hello")
        >>> (d / "x.txt").read_text()
        'hello'
    """
    target = Path(path)
    _guard(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=suffix, dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    # mkstemp creates 0600 files; give the result the usual permissions (0666 less the umask).
    umask = os.umask(0)
    os.umask(umask)
    os.chmod(tmp, 0o666 & ~umask)
    try:
        yield tmp
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, target)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_parquet(df: pd.DataFrame, path: str | os.PathLike[str]) -> Path:
    """Write ``df`` to ``path`` atomically (no index)."""
    with atomic_path(path) as tmp:
        df.to_parquet(tmp, index=False)
    return Path(path)


def write_text(text: str, path: str | os.PathLike[str]) -> Path:
    """Write UTF-8 text atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return Path(path)


def write_json(obj: Any, path: str | os.PathLike[str]) -> Path:
    """Write JSON (UTF-8, indented, keys sorted for stable diffs) atomically."""
    return write_text(json.dumps(obj, ensure_ascii=False, indent=2, sort_keys=True, default=str) + "\n", path)


def read_table(processed: str | os.PathLike[str], name: str, *, columns: list[str] | None = None) -> pd.DataFrame:
    """Read an annotation table (a directory of Parquet parts) or ``corpus``.

    Args:
        processed: the processed-data directory (``data/processed/NAME``).
        name: ``"corpus"`` or one of :data:`ANNOTATION_TABLES`.
        columns: optional subset of columns to read.

    Raises:
        FileNotFoundError: naming the missing table and the command that makes it.
    """
    base = Path(processed)
    if name == "corpus":
        path = base / "corpus.parquet"
        hint = "analysis ingest"
    else:
        path = base / name
        hint = "analysis annotate"
    if not path.exists():
        raise FileNotFoundError(f"{path} does not exist: run `{hint}` first (processed dir: {base})")
    return pd.read_parquet(path, columns=columns)

"""Parquet tables: one row per document, columns mapped as in CSV (``--map`` applies)."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from analysis.readers.base import FileResult, ReadOptions, ReaderError, check_usable, resolve_columns


def read(path: Path, options: ReadOptions) -> FileResult:
    """Read one Parquet file."""
    result = FileResult()
    if path.stat().st_size == 0:
        result.error = "empty file"
        return result
    try:
        import pyarrow.parquet as pq

        columns = [str(c) for c in pq.read_schema(path).names]
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError...
        raise ReaderError(f"not a readable Parquet file: {exc}") from exc
    colmap = resolve_columns(columns, options.mapping)
    check_usable(colmap, columns)
    if "date" not in colmap:
        result.warnings.append("no date column: rows are rejected as undated unless --map date=COLUMN or --allow-undated")
    frame = pd.read_parquet(path, columns=list(dict.fromkeys(colmap.values())))
    for number, row in enumerate(frame.itertuples(index=False, name=None), start=1):
        values = dict(zip(frame.columns, row, strict=True))
        record = {fld: values[col] for fld, col in colmap.items()}
        for key, value in record.items():
            if value is not None and not isinstance(value, str) and key != "date":
                record[key] = None if pd.isna(value) else str(value)
        record["position"] = f"row {number}"
        result.records.append(record)
    return result

"""JSON Lines: one JSON object per line, fields named as in CSV (``--map`` applies).

A line that is not valid JSON, not an object, or not decodable is rejected on its own
(``malformed`` / ``encoding``); the other lines are read.
"""

from __future__ import annotations

import json
from pathlib import Path

from analysis.readers.base import FileResult, ReadOptions, ReaderError, check_usable, resolve_columns


def read(path: Path, options: ReadOptions) -> FileResult:
    """Read one ``.jsonl`` file."""
    result = FileResult()
    data = path.read_bytes()
    if not data.strip():
        result.error = "empty file"
        return result
    encoding = "utf-8" if options.encoding == "auto" else options.encoding
    objects: list[tuple[str, dict]] = []
    keys: dict[str, None] = {}
    for number, raw in enumerate(data.splitlines(), start=1):
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]
        if not raw.strip():
            continue
        position = f"line {number}"
        try:
            line = raw.decode(encoding)
        except UnicodeDecodeError as exc:
            result.reject(position, "encoding", raw, f"undecodable bytes for {encoding}: {exc.reason}")
            continue
        except LookupError as exc:
            raise ReaderError(f"unknown encoding {options.encoding!r}") from exc
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            result.reject(position, "malformed", line, f"invalid JSON: {exc.msg} (column {exc.colno})")
            continue
        if not isinstance(obj, dict):
            result.reject(position, "malformed", line, f"a JSON {type(obj).__name__}, not an object")
            continue
        objects.append((position, obj))
        for key in obj:
            keys.setdefault(str(key), None)
    if not objects:
        if not result.rejects:
            result.error = "no JSON object"
        return result
    columns = list(keys)
    colmap = resolve_columns(columns, options.mapping)
    check_usable(colmap, columns)
    if "date" not in colmap:
        result.warnings.append("no date field: records are rejected as undated unless --map date=FIELD or --allow-undated")
    for position, obj in objects:
        record = {fld: obj.get(col) for fld, col in colmap.items()}
        record["position"] = position
        result.records.append(record)
    return result

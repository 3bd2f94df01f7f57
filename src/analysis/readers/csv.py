"""CSV / TSV files.

* Encoding: detected (UTF-8, UTF-8 with BOM, cp1252, latin-1) unless ``--encoding`` is given;
  with an explicit encoding, lines that do not decode are rejected one by one (``encoding``).
* Delimiter: sniffed among ``,`` ``;`` tab ``|`` (``.tsv`` files: tab).
* Columns: a header row, mapped to the corpus fields by the usual names (``date``, ``titre``,
  ``journal``, ``texte``, ``url``...) or explicitly with ``--map FIELD=COLUMN``; a headerless
  file is named with ``--columns date,source,title``.
* A file with a title but no text column uses the title as text (done in validation).
* Rows with the wrong number of fields are rejected one by one (``malformed``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from analysis.readers.base import FileResult, ReadOptions, ReaderError, check_usable, decode_bytes, resolve_columns

_DELIMITERS = ",;\t|"


def sniff_delimiter(sample: str, *, suffix: str = "") -> str:
    """Guess the delimiter of a CSV sample.

    Example:
        >>> sniff_delimiter("date;titre\\n22/02/2022;Kiev\\n")
        ';'
    """
    if suffix == ".tsv":
        return "\t"
    try:
        return csv.Sniffer().sniff(sample, delimiters=_DELIMITERS).delimiter
    except csv.Error:
        first = sample.splitlines()[0] if sample else ""
        counts = {d: first.count(d) for d in _DELIMITERS}
        best = max(counts, key=lambda d: counts[d])
        return best if counts[best] else ","


def _decode_lines(data: bytes, encoding: str, result: FileResult) -> str:
    """Decode with an explicit encoding, rejecting the lines that do not decode."""
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    good: list[str] = []
    for number, raw in enumerate(data.split(b"\n"), start=1):
        try:
            good.append(raw.decode(enc))
        except UnicodeDecodeError as exc:
            result.reject(f"line {number}", "encoding", raw, f"undecodable bytes for {encoding}: {exc.reason} at byte {exc.start}")
            good.append("")  # keep line numbers aligned; an empty line is skipped by the reader
        enc = encoding if enc == "utf-8-sig" else enc  # a BOM only at the start
    return "\n".join(good)


def read(path: Path, options: ReadOptions) -> FileResult:
    """Read one CSV/TSV file."""
    result = FileResult()
    data = path.read_bytes()
    if not data.strip():
        result.error = "empty file"
        return result
    if options.encoding == "auto":
        text, used = decode_bytes(data)
        if used not in ("utf-8", "utf-8-sig"):
            result.warnings.append(f"not UTF-8: decoded as {used}")
    else:
        try:
            text, _ = decode_bytes(data, options.encoding)
        except UnicodeDecodeError:
            text = _decode_lines(data, options.encoding, result)
        except LookupError as exc:
            raise ReaderError(f"unknown encoding {options.encoding!r}") from exc
    text = text.lstrip("\ufeff")
    delimiter = sniff_delimiter(text[:65536], suffix=path.suffix.lower())
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    if options.columns:
        header = list(options.columns)
    else:
        try:
            header = [h.strip() for h in next(reader)]
        except StopIteration:
            result.error = "empty file"
            return result
        if len(set(header)) != len(header):
            result.warnings.append(f"duplicate column names in header: {header}")
    colmap = resolve_columns(header, options.mapping, where=f" (delimiter {delimiter!r})")
    check_usable(colmap, header)
    if "date" not in colmap:
        result.warnings.append(
            f"no date column (columns: {', '.join(header)}): rows are rejected as undated unless "
            "--map date=COLUMN or --allow-undated"
        )
    index = {fld: header.index(col) for fld, col in colmap.items()}
    width = len(header)
    row_number = 0
    line_start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            row_number += 1
            result.reject(f"line {line_start}", "malformed", "", f"CSV error: {exc}")
            line_start = reader.line_num + 1
            continue
        position = f"line {line_start}"
        line_start = reader.line_num + 1
        if not row or all(not cell.strip() for cell in row):
            continue
        row_number += 1
        if len(row) != width:
            result.reject(position, "malformed", delimiter.join(row),
                          f"{len(row)} fields where the header has {width}")
            continue
        record = {fld: row[i] for fld, i in index.items()}
        record["position"] = position
        result.records.append(record)
    return result

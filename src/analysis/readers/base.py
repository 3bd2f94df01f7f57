"""What every reader returns, and helpers they share (encodings, column mapping).

A reader turns one input file into a :class:`FileResult`: the raw records it found (plain
dicts with the :data:`FIELDS` keys, values still raw: dates as written, text possibly HTML),
the records it had to reject one by one (with the reason), and a file-level ``error`` when
nothing could be read at all (empty file, missing column, unreadable archive). Cleaning,
validation and deduplication happen afterwards, in :mod:`analysis.corpus`.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field
from typing import Any, Literal

#: Fields a reader may fill in a record. ``id`` is a guid / identifier column (used to
#: detect duplicate ids); ``position`` is the record's place in its file (``item 3``,
#: ``row 12``, ``line 7``, a file name).
FIELDS = ("date", "source", "section", "title", "text", "url", "id")

Format = Literal["auto", "rss", "jsonl", "csv", "parquet", "txt", "europresse"]

#: Column names recognised without ``--map`` (compared lower-case, accents stripped).
ALIASES: dict[str, tuple[str, ...]] = {
    "date": ("date", "pubdate", "pub_date", "published", "published_at", "publication_date", "date_publication",
             "date de publication", "datetime", "timestamp", "created_at"),
    "source": ("source", "journal", "outlet", "media", "publication", "newspaper", "titre_journal"),
    "section": ("section", "rubrique", "category", "categorie", "feed"),
    "title": ("title", "titre", "headline", "heading"),
    "text": ("text", "texte", "body", "content", "contenu", "corps", "lead", "description", "summary", "chapo"),
    "url": ("url", "link", "lien", "href"),
    "id": ("id", "guid", "doc_id", "identifier", "identifiant"),
}

EXCERPT_CHARS = 200


class ReaderError(Exception):
    """A whole file cannot be read (the message names the problem; the caller names the file)."""


@dataclass
class ReadOptions:
    """Options shared by all readers (see ``analysis ingest --help``)."""

    format: Format = "auto"
    source: str | None = None
    encoding: str = "auto"
    columns: list[str] | None = None
    mapping: dict[str, str] = field(default_factory=dict)


@dataclass
class FileResult:
    """What a reader found in one file."""

    records: list[dict[str, Any]] = field(default_factory=list)
    rejects: list[dict[str, Any]] = field(default_factory=list)
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    #: when the file was produced (RSS channel date), used to order records first-seen first
    file_time: str = ""

    def reject(self, position: str, reason: str, excerpt: str, message: str = "") -> None:
        self.rejects.append(
            {"position": position, "reason": reason, "excerpt": excerpt_of(excerpt), "message": message}
        )


def excerpt_of(value: Any) -> str:
    """The first :data:`EXCERPT_CHARS` characters of a value, on one line."""
    if isinstance(value, bytes):
        value = value.decode("utf-8", errors="backslashreplace")
    text = " ".join(str(value).split())
    return text[:EXCERPT_CHARS]


def fold(name: str) -> str:
    """Lower-case, accent-free, trimmed form of a column name."""
    name = unicodedata.normalize("NFKD", name.strip().lower().lstrip("\ufeff"))
    return "".join(c for c in name if not unicodedata.combining(c))


#: Encodings tried in order by ``--encoding auto`` (latin-1 always succeeds, so it is last).
AUTO_ENCODINGS = ("utf-8-sig", "cp1252", "latin-1")


def decode_bytes(data: bytes, encoding: str = "auto") -> tuple[str, str]:
    """Decode ``data``; return ``(text, encoding used)``.

    With ``encoding="auto"``: UTF-8 (with or without BOM), then cp1252, then latin-1.
    With an explicit encoding, undecodable bytes raise :class:`UnicodeDecodeError`.

    Example:
        >>> decode_bytes("Élysée".encode("cp1252"))
        ('Élysée', 'cp1252')
    """
    if encoding != "auto":
        enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
        return data.decode(enc), encoding
    for enc in AUTO_ENCODINGS:
        try:
            return data.decode(enc), ("utf-8" if enc == "utf-8-sig" and not data.startswith(b"\xef\xbb\xbf") else enc)
        except UnicodeDecodeError:
            continue
    raise AssertionError("latin-1 decodes every byte string")  # pragma: no cover


def resolve_columns(columns: list[str], mapping: dict[str, str], *, where: str = "") -> dict[str, str]:
    """Map the corpus fields to the input's column names.

    ``mapping`` (from ``--map FIELD=COLUMN``) wins; other fields are found by the usual
    names (:data:`ALIASES`, case and accents ignored). Unmapped columns are ignored.

    Raises:
        ReaderError: a ``--map`` column that the input does not have, or an unknown field.

    Example:
        >>> resolve_columns(["Date", "Journal", "Article"], {"title": "Article"})
        {'title': 'Article', 'date': 'Date', 'source': 'Journal'}
    """
    result: dict[str, str] = {}
    by_fold = {fold(c): c for c in columns}
    for fld, col in mapping.items():
        if fld not in FIELDS:
            raise ReaderError(f"--map {fld}={col}: unknown field {fld!r} (fields: {', '.join(FIELDS)})")
        if col in columns:
            result[fld] = col
        elif fold(col) in by_fold:
            result[fld] = by_fold[fold(col)]
        else:
            raise ReaderError(
                f"missing column {col!r} (from --map {fld}={col}){where}; columns are: {', '.join(map(str, columns))}"
            )
    used = set(result.values())
    for fld in FIELDS:
        if fld in result:
            continue
        for alias in ALIASES[fld]:
            col = by_fold.get(alias)
            if col is not None and col not in used:
                result[fld] = col
                used.add(col)
                break
    return result


def check_usable(colmap: dict[str, str], columns: list[str]) -> None:
    """Raise :class:`ReaderError` when neither a title nor a text column was found."""
    if "title" not in colmap and "text" not in colmap:
        raise ReaderError(
            "missing column: no title or text column found (columns are: "
            f"{', '.join(map(str, columns))}); name them with --map title=COLUMN / --map text=COLUMN"
        )


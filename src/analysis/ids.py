"""Stable identifiers: normalised URLs and document ids.

``doc_id`` is the first 16 hex digits of a SHA-1: of the normalised URL when the document has
one, otherwise of ``source|date|title|text``. The same input always gives the same id, on any
machine, so re-running ingestion never renumbers documents.
"""

from __future__ import annotations

import hashlib
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

_TRACKING_PREFIXES = ("utm_", "xtor", "at_", "fbclid", "gclid", "ns_", "xtref")


def normalize_url(url: str) -> str:
    """Normalise a URL for deduplication.

    Lower-cases scheme and host, drops ``www.``, the fragment, tracking query parameters
    (``utm_*``, ``xtor``, ...) and a trailing slash; ``http`` and ``https`` are the same.

    Example:
        >>> normalize_url("HTTPS://www.LeMonde.fr/international/article/x.html?utm_source=rss#top")
        'https://lemonde.fr/international/article/x.html'
    """
    url = url.strip()
    parts = urlsplit(url)
    host = parts.hostname or ""
    if host.startswith("www."):
        host = host[4:]
    netloc = host + (f":{parts.port}" if parts.port and parts.port not in (80, 443) else "")
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not k.lower().startswith(_TRACKING_PREFIXES)]
    path = parts.path.rstrip("/") or "/"
    if path == "/" and not parts.path:
        path = "/"
    return urlunsplit(("https", netloc, path, urlencode(sorted(query)), ""))


def _digest(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:16]


def url_key(url: str) -> str:
    """Key of a URL: 16 hex digits of the SHA-1 of its normalised form (also the doc_id)."""
    return _digest(normalize_url(url))


def make_doc_id(*, url: str | None, source: str = "", date: str = "", title: str = "", text: str = "") -> str:
    """The stable ``doc_id`` of a document.

    Example:
        >>> make_doc_id(url="https://www.lemonde.fr/a.html") == url_key("http://lemonde.fr/a.html/")
        True
    """
    if url and url.strip():
        return url_key(url)
    return _digest("|".join([source, date, title, text]))

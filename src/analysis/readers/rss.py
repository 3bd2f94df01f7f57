"""RSS 2.0 and Atom feeds (one file; folders are expanded by :mod:`analysis.readers`).

Per item: ``title``; ``text`` = the lead (``description`` / Atom ``summary`` or ``content``;
HTML is stripped later); ``date`` = ``pubDate`` (Atom: ``published``, else ``updated``, also
``dc:date``); ``url`` = ``link`` (Atom: the ``alternate`` link), else a permalink ``guid``;
``id`` = ``guid`` / Atom ``id``.

``source`` and ``section`` come from the channel: a title shaped like
``"International : Toute l’actualité sur Le Monde.fr."`` gives section ``international`` and
source ``Le Monde``; otherwise the source is the channel title up to its first separator
(``"Le Monde.fr - Actualités..."`` → ``Le Monde``) and the section the last meaningful part
of the channel link's path (``/international/rss_full.xml`` → ``international``,
``/rss/une.xml`` → ``une``). ``--source`` overrides the source.

Broken XML (truncated file, bad bytes) is parsed in recovery mode: the items that parsed are
kept and the file is listed with a warning; an item left incomplete by the truncation is then
rejected by validation (no date / no text) like any other incomplete item.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from lxml import etree

from analysis.readers.base import FileResult, ReadOptions, excerpt_of

_PARSER_KW = dict(recover=True, huge_tree=True, resolve_entities=False, no_network=True, remove_comments=True)
_TITLE_PATTERN = re.compile(r"^\s*(?P<section>[^:]{1,60}?)\s*:\s*.*?\bsur\s+(?P<outlet>.+?)\s*$", re.S)
_TLD = re.compile(r"\.(?:fr|com|net|org|info|be|ch|ca|eu|io)\.?$", re.I)
_GENERIC_PATH = {"rss", "feed", "feeds", "xml", "atom", "rss_full", "fluxrss", "flux", "index", "all", "full"}


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rsplit("}", 1)[-1].lower()


def _text(el: etree._Element | None) -> str:
    if el is None:
        return ""
    return "".join(el.itertext()).strip()


def outlet_name(title: str) -> str:
    """Outlet from a channel title.

    Example:
        >>> outlet_name("International : Toute l’actualité sur Le Monde.fr.")
        'Le Monde'
        >>> outlet_name("Le Monde.fr - Actualités et Infos en France et dans le monde")
        'Le Monde'
    """
    title = " ".join(title.split())
    match = _TITLE_PATTERN.match(title)
    name = match.group("outlet") if match else re.split(r"\s+[-|–—:]\s+|\s*[|–—]\s*", title, maxsplit=1)[0]
    name = name.strip().rstrip(".").strip()
    return _TLD.sub("", name).strip() or title.strip()


def section_name(title: str, link: str) -> str | None:
    """Section (rubric) of a feed, lower case, from its title or its link.

    Example:
        >>> section_name("International : Toute l’actualité sur Le Monde.fr.", "")
        'international'
        >>> section_name("Le Monde.fr - Actualités", "https://www.lemonde.fr/rss/une.xml")
        'une'
    """
    match = _TITLE_PATTERN.match(" ".join(title.split()))
    if match:
        return match.group("section").strip().lower()
    if link:
        path = urlsplit(link.strip()).path
        parts = [p for p in path.split("/") if p]
        if parts:
            stem = parts[-1].rsplit(".", 1)[0] if "." in parts[-1] else parts[-1]
            dirs = [p for p in parts[:-1] if p.lower() not in _GENERIC_PATH]
            if dirs:
                return dirs[-1].lower()
            if stem.lower() not in _GENERIC_PATH:
                return stem.lower()
    return None


def _link_of(item: etree._Element) -> str:
    alt = ""
    for child in item:
        if _local(child.tag) != "link":
            continue
        href = child.get("href")
        if href is None:  # RSS <link>text</link>
            value = _text(child)
            if value:
                return value
            continue
        rel = child.get("rel", "alternate")
        if rel == "alternate":
            return href.strip()
        alt = alt or href.strip()
    return alt


def read(path: Path, options: ReadOptions) -> FileResult:
    """Read one RSS 2.0 or Atom file."""
    result = FileResult()
    data = path.read_bytes()
    if not data.strip():
        result.error = "empty file"
        return result
    parser = etree.XMLParser(**_PARSER_KW)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as exc:
        root = None
        result.error = f"not XML: {exc}"
    if root is None:
        result.error = result.error or "not XML: nothing could be parsed"
        return result
    if len(parser.error_log):
        first = parser.error_log[0]
        result.warnings.append(f"malformed XML (recovered what parsed): line {first.line}: {first.message}")
    rootname = _local(root.tag)
    if rootname == "feed":
        channel = root
    elif rootname in ("rss", "rdf"):
        channel = next((c for c in root if _local(c.tag) == "channel"), root)
    else:
        result.error = f"not an RSS/Atom feed (root element <{rootname}>)"
        return result
    ch_title = ""
    ch_link = ""
    for child in channel:
        name = _local(child.tag)
        if name == "title" and not ch_title:
            ch_title = _text(child)
        elif name == "link" and not ch_link:
            ch_link = _text(child) or child.get("href", "")
        elif name in ("pubdate", "lastbuilddate", "updated") and not result.file_time:
            result.file_time = _text(child)
    source = options.source or (outlet_name(ch_title) if ch_title else None)
    section = section_name(ch_title, ch_link or "")
    items = [el for el in root.iter() if _local(el.tag) in ("item", "entry")]
    if not items and len(parser.error_log):
        result.error = f"malformed XML, no item could be read: {parser.error_log[0].message}"
        return result
    for index, item in enumerate(items, start=1):
        fields: dict[str, str] = {}
        for child in item:
            name = _local(child.tag)
            if name in ("title", "description", "summary", "content", "encoded", "guid", "id",
                        "pubdate", "published", "updated", "date") and name not in fields:
                fields[name] = _text(child)
        url = _link_of(item)
        guid = fields.get("guid") or fields.get("id") or ""
        if not url and guid.startswith(("http://", "https://")):
            url = guid
        text = fields.get("description") or fields.get("summary") or fields.get("content") or fields.get("encoded") or ""
        date = fields.get("pubdate") or fields.get("published") or fields.get("updated") or fields.get("date") or ""
        record = {
            "title": fields.get("title", ""),
            "text": text,
            "date": date,
            "url": url,
            "id": guid,
            "source": source,
            "section": section,
            "position": f"item {index}",
        }
        if not any(record[k] for k in ("title", "text", "url")):
            result.reject(record["position"], "malformed", etree.tostring(item, encoding="unicode")[:400],
                          "item with no title, text or link")
            continue
        result.records.append(record)
    if not items:
        result.warnings.append("feed has no item")
    return result


__all__ = ["read", "outlet_name", "section_name", "excerpt_of"]

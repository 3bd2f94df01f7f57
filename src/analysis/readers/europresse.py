"""Europresse HTML exports: one HTML file holding many articles.

Structure of an export (as saved from Europresse's "classic" interface; the synthetic fixture
``tests/fixtures/ingest/europresse-synthetic.html`` follows it)::

    <article>
      <header>
        <div class="rdp__DocPublicationName"><span class="DocPublicationName">Le Monde, no. 24321</span></div>
        <div class="rdp__DocHeader"><span class="DocHeader">International, mercredi 22 mars 2023 1234 mots, p. 3</span></div>
        <div class="titreArticle"><p class="titreArticleVisu">Titre</p></div>
        <div class="docAuthors">Auteur</div>                               (optional)
      </header>
      <section><div class="docOcurrContainer"><div class="DocText"><p>...</p></div></div></section>
      <div class="publiC-lblNodoc">news·20230322·LM·...</div>             (document id)
    </article>

Fields: ``source`` = publication name up to its first comma (``"Le Monde, no. 24321"`` →
``Le Monde``; ``"Le Monde (site web)"`` stays as is, the web edition being a distinct outlet);
``date`` = the written French date in the header line; ``section`` = what precedes that date in
the header line (``International``), when anything does; ``title``; ``text`` = body paragraphs
separated by blank lines; ``id`` = the Europresse document number; ``url`` when the body
links to the original (rare). An article without a body or title is rejected on its own.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
from lxml import etree

from analysis.dates import _WRITTEN_DMY, _strip_accents
from analysis.readers.base import FileResult, ReadOptions, decode_bytes


def _has_class(name: str) -> str:
    return f"contains(concat(' ', normalize-space(@class), ' '), ' {name} ')"


_X_PUB = etree.XPath(f".//*[{_has_class('DocPublicationName')}]")
_X_PUB_WRAPPER = etree.XPath(f".//*[{_has_class('rdp__DocPublicationName')}]")
_X_HEADER = etree.XPath(f".//*[{_has_class('DocHeader')}]")
_X_TITLE = etree.XPath(f".//*[{_has_class('titreArticle')} or {_has_class('titreArticleVisu')} or {_has_class('grandTitre')}]")
_X_BODY = etree.XPath(f".//*[{_has_class('DocText')}]")
_X_BODY2 = etree.XPath(f".//*[{_has_class('docOcurrContainer')}]")
_WEEKDAYS = {"lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche", "monday", "tuesday",
             "wednesday", "thursday", "friday", "saturday", "sunday"}
_X_NODOC = etree.XPath(f".//*[{_has_class('publiC-lblNodoc')}]")


def _first_text(nodes: list) -> str:
    for node in nodes:
        value = " ".join(node.text_content().split())
        if value:
            return value
    return ""


def _paragraphs(node: etree._Element) -> str:
    paras = [" ".join(p.text_content().split()) for p in node.iter("p")]
    paras = [p for p in paras if p]
    if not paras:
        return node.text_content().strip()
    return "\n\n".join(paras)


def _section_from_header(header: str) -> str | None:
    """``"International, mercredi 22 mars 2023 1234 mots"`` → ``"International"``."""
    match = _WRITTEN_DMY.search(_strip_accents(header).lower())
    if not match:
        return None
    words = header[: match.start()].replace(",", " ").split()
    while words and _strip_accents(words[-1]).lower().strip(".") in _WEEKDAYS:
        words.pop()
    return " ".join(words).strip(" ,;-") or None


def read(path: Path, options: ReadOptions) -> FileResult:
    """Read one Europresse HTML export."""
    result = FileResult()
    data = path.read_bytes()
    if not data.strip():
        result.error = "empty file"
        return result
    if options.encoding != "auto":
        text, _ = decode_bytes(data, options.encoding)
        doc = lxml.html.document_fromstring(text)
    else:
        doc = lxml.html.document_fromstring(data, parser=lxml.html.HTMLParser(encoding=None if b"charset" in data[:2048].lower() else "utf-8"))
    articles = doc.xpath("//article")
    if not articles:
        result.error = "no <article> element: not a Europresse HTML export"
        return result
    for index, art in enumerate(articles, start=1):
        position = f"article {index}"
        pub_nodes = _X_PUB(art) or _X_PUB_WRAPPER(art)
        publication = ""
        for node in pub_nodes:
            # first text fragment only: Europresse appends issue numbers and page details
            fragments = [t.strip() for t in node.itertext() if t.strip()]
            if fragments:
                publication = fragments[0]
                break
        source = options.source or publication.split(",")[0].strip() or None
        header = _first_text(_X_HEADER(art))
        title = _first_text(_X_TITLE(art))
        bodies = _X_BODY(art) or _X_BODY2(art)
        body = _paragraphs(bodies[0]) if bodies else ""
        if body and title and body.startswith(title):
            body = body[len(title):].lstrip()
        section = _section_from_header(header)
        nodoc = _first_text(_X_NODOC(art))
        if not title and not body:
            result.reject(position, "malformed", art.text_content(), "article without title or body")
            continue
        result.records.append(
            {
                "source": source,
                "date": header,
                "title": title,
                "text": body,
                "section": section,
                "id": nodoc or None,
                "url": None,
                "position": position,
            }
        )
    return result

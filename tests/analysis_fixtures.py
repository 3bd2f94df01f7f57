"""Synthetic (hand-built) processed tables that follow docs/data-contract.md exactly.

Used by the analysis unit tests: tiny corpora whose counts can be checked by hand. Nothing
here is real data. A deliberately naive tokeniser (regex), a lemma dictionary and a stop-word
list stand in for the annotation engine, so the expected answers are easy to derive.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from analysis.storage import write_parquet

TOKEN_RE = re.compile(r"[^\W\d_]+'|\w+(?:-\w+)*|[^\w\s]")
SENT_RE = re.compile(r"[^.!?]+[.!?]?")

LEMMAS = {
    "les": "le", "la": "le", "l'": "le", "soldats": "soldat", "russes": "russe", "ukrainiens": "ukrainien",
    "résistent": "résister", "inquiète": "inquiéter", "avancent": "avancer", "revient": "revenir",
    "tient": "tenir", "continue": "continuer", "lance": "lancer", "appelle": "appeler",
    "rencontre": "rencontrer", "menace": "menacer", "négociations": "négociation", "pourparlers": "pourparlers",
}
STOP = {"le", "en", "contre", "à", "de", "et", "un", "une", "des", "du"}

#: Entity gazetteer for the synthetic builder: surface -> (label, canonical norm).
ALIASES = {
    "Ukraine": ("LOC", "Ukraine"),
    "Paris": ("LOC", "Paris"),
    "Europe": ("LOC", "Europe"),
    "Poutine": ("PER", "Vladimir Poutine"),
    "Zelensky": ("PER", "Volodymyr Zelensky"),
    "Macron": ("PER", "Emmanuel Macron"),
}

#: The default toy corpus: (doc_id, date UTC, source, section, title, text, sentence tones).
TOY_DOCS = [
    ("d1", "2022-01-03 08:00", "Le Monde", "international", "Guerre", "La guerre en Ukraine inquiète Paris. Les soldats russes avancent.", [-0.5, -0.25]),
    ("d2", "2022-01-05 12:00", "Libération", "politique", "Paix", "La paix revient. Le cessez-le-feu tient.", [0.5, 0.25]),
    ("d3", "2022-01-18 09:30", "Le Monde", "international", "Front", "Les soldats ukrainiens résistent. La guerre continue en Ukraine.", [0.25, -0.75]),
    ("d4", "2022-02-24 05:00", "Le Monde", "international", "Invasion", "Poutine lance la guerre contre l'Ukraine. Zelensky appelle à la résistance.", [-1.0, 0.0]),
    ("d5", "2022-02-25 18:00", "Libération", "international", "Diplomatie", "Zelensky rencontre Macron. Poutine menace l'Europe.", [0.5, -0.5]),
]


def build_tables(docs=TOY_DOCS, *, lemmas=LEMMAS, stop=STOP, aliases=ALIASES, config: str = "synthetic-config") -> dict[str, pd.DataFrame]:
    """The five contract tables for ``docs`` (see TOY_DOCS for the tuple layout)."""
    corpus_rows, tok_rows, sent_rows, ent_rows, doc_rows = [], [], [], [], []
    for i, (doc_id, date, source, section, title, text, tones) in enumerate(docs):
        corpus_rows.append({
            "doc_id": doc_id, "date": pd.Timestamp(date, tz="UTC"), "source": source, "section": section,
            "title": title, "text": text, "url": f"https://example.org/{doc_id}", "lang": "fr",
            "n_words": len((title + " " + text).split()), "duplicate_of": None,
            "origin_file": "synthetic", "origin_record": str(i),
        })
        sents = [m for m in SENT_RE.finditer(text) if m.group(0).strip()]
        n_tokens = 0
        for sid, m in enumerate(sents):
            start = m.start() + (len(m.group(0)) - len(m.group(0).lstrip()))
            end = m.end()
            words = TOKEN_RE.findall(text[start:end])
            lem = []
            for w in words:
                form = w.lower().replace("’", "'")
                lemma = lemmas.get(form, form)
                punct = not re.search(r"\w", form)
                num = form.isdigit()
                pos = "PUNCT" if punct else "NUM" if num else "DET" if lemma in stop else "NOUN"
                tok_rows.append((doc_id, form, lemma, pos, lemma in stop, punct, num))
                lem.append(lemma)
                n_tokens += 1
            tone = tones[sid] if tones is not None and sid < len(tones) else 0.0
            sent_rows.append({"doc_id": doc_id, "sent_id": sid, "start_char": start, "end_char": end, "compound": tone, "lemmas": " ".join(lem)})
            for surface, (label, norm) in aliases.items():
                for em in re.finditer(rf"(?<!\w){re.escape(surface)}(?!\w)", text[start:end]):
                    ent_rows.append({"doc_id": doc_id, "sent_id": sid, "start_char": start + em.start(), "end_char": start + em.end(),
                                     "text": surface, "label": label, "norm": norm, "origin": "gazetteer"})
        t = np.array([tones[s] if tones is not None and s < len(tones) else 0.0 for s in range(len(sents))], dtype="float32")
        doc_rows.append({"doc_id": doc_id, "n_tokens": n_tokens, "n_sentences": len(sents),
                         "tone": float(t.mean()) if len(t) else np.nan, "neg_share": float((t <= -0.05).mean()) if len(t) else 0.0, "config": config})
    tokens = pd.DataFrame(tok_rows, columns=["doc_id", "form", "lemma", "pos", "is_stop", "is_punct", "is_num"])
    tokens = tokens.groupby(["doc_id", "form", "lemma", "pos", "is_stop", "is_punct", "is_num"], sort=True).size().rename("count").reset_index()
    tables = {
        "corpus": pd.DataFrame(corpus_rows),
        "tokens": tokens,
        "sentences": pd.DataFrame(sent_rows, columns=["doc_id", "sent_id", "start_char", "end_char", "compound", "lemmas"]),
        "entities": pd.DataFrame(ent_rows, columns=["doc_id", "sent_id", "start_char", "end_char", "text", "label", "norm", "origin"]),
        "documents": pd.DataFrame(doc_rows, columns=["doc_id", "n_tokens", "n_sentences", "tone", "neg_share", "config"]),
    }
    return _typed(tables)


def _typed(t: dict[str, pd.DataFrame]) -> dict[str, pd.DataFrame]:
    c = t["corpus"]
    c["date"] = pd.to_datetime(c["date"], utc=True).astype("datetime64[us, UTC]")
    for col in ("doc_id", "source", "section", "title", "text", "url", "lang", "duplicate_of", "origin_file", "origin_record"):
        c[col] = c[col].astype("str").where(c[col].notna(), None) if c[col].notna().any() else pd.Series([None] * len(c), dtype="str")
    c["n_words"] = c["n_words"].astype("int32")
    t["corpus"] = c.sort_values(["date", "doc_id"]).reset_index(drop=True)
    t["tokens"]["count"] = t["tokens"]["count"].astype("int32")
    for col in ("sent_id", "start_char", "end_char"):
        t["sentences"][col] = t["sentences"][col].astype("int32")
        t["entities"][col] = t["entities"][col].astype("int32")
    t["sentences"]["compound"] = t["sentences"]["compound"].astype("float32")
    for col in ("n_tokens", "n_sentences"):
        t["documents"][col] = t["documents"][col].astype("int32")
    for col in ("tone", "neg_share"):
        t["documents"][col] = t["documents"][col].astype("float32")
    return t


def write_processed(path: Path, tables: dict[str, pd.DataFrame]) -> Path:
    """Write ``tables`` in the processed-directory layout (corpus.parquet + part files)."""
    path = Path(path)
    path.mkdir(parents=True, exist_ok=True)
    write_parquet(tables["corpus"], path / "corpus.parquet")
    for name in ("tokens", "sentences", "entities", "documents"):
        if name in tables:
            write_parquet(tables[name], path / name / "part-00000.parquet")
    return path


def toy_corpus(docs=TOY_DOCS, **kw):
    """An in-memory :class:`analysis.tables.Corpus` of ``docs``."""
    from analysis.tables import Corpus

    return Corpus.from_frames(name="toy", **build_tables(docs, **kw))

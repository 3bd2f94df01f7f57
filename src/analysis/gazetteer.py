"""War-coverage gazetteer: an EntityRuler that fixes names spaCy's French model gets wrong.

The patterns live in ``analysis/data/gazetteer.yaml`` (a label → list of phrases or token
patterns); users add their own file in the same format. :func:`add_gazetteer` places an
``entity_ruler`` named ``gazetteer`` **before** the statistical ``ner``: the recogniser keeps
the gazetteer's spans and labels and predicts the rest of the document around them (placing
it after ``ner`` with ``overwrite_ents`` also works, but then a model span that overlaps a
gazetteer name, e.g. "Bakhmut et Bohdanivka" as one PER, must be cut by hand). Every pattern
carries the id ``gazetteer``, which is how the ``origin`` column of the entities table tells
gazetteer spans from model spans.

A ``NONE`` section lists words the model tags as names but that are not entities in the sense
of the project's guideline (demonyms used as nouns, "Les Russes"; "Etat" as in "chef d'Etat").
They are removed after ``ner`` by the ``drop_non_entities`` component, only when the whole
entity is exactly such a word: "Etats-Unis" or "Russie" are untouched.

Example:
    >>> import spacy
    >>> nlp = spacy.blank("fr")
    >>> _ = add_gazetteer(nlp)
    >>> [(e.text, e.label_) for e in nlp("Les combats à Bakhmout, selon l'ISW.").ents]
    [('Bakhmout', 'LOC'), ('ISW', 'ORG')]
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml
from spacy.language import Language

from analysis.config import PACKAGE_DATA_DIR
from analysis.normalize import normalize_text

GAZETTEER_FILE = PACKAGE_DATA_DIR / "gazetteer.yaml"
LABELS = ("PER", "LOC", "ORG", "MISC")
#: Section of the gazetteer files listing words that are never entities (removed after ``ner``).
NOT_ENTITY = "NONE"
#: ``ent_id_`` given to every gazetteer span.
GAZETTEER_ID = "gazetteer"


def _paths(extra: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None) -> list[Path]:
    paths = [GAZETTEER_FILE]
    if extra is None:
        return paths
    if isinstance(extra, (str, os.PathLike)):
        return paths + [Path(extra)]
    return paths + [Path(p) for p in extra]


def load_patterns(extra: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> list[dict[str, Any]]:
    """EntityRuler patterns from the package gazetteer plus ``extra`` YAML files.

    Raises:
        FileNotFoundError: naming a missing file.
        ValueError: naming the file and the entry for an unknown label or a malformed entry.
    """
    patterns: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    for path in _paths(extra):
        if not path.is_file():
            raise FileNotFoundError(f"gazetteer file not found: {path}")
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        if not isinstance(data, dict):
            raise ValueError(f"{path}: expected a mapping label -> list of names, got {type(data).__name__}")
        for label, entries in data.items():
            if label == NOT_ENTITY:
                continue
            if label not in LABELS:
                raise ValueError(f"{path}: unknown label {label!r} (expected one of {', '.join(LABELS)})")
            for i, entry in enumerate(entries or []):
                if isinstance(entry, str):
                    pattern: Any = normalize_text(entry.strip())
                    if not pattern:
                        raise ValueError(f"{path}: {label} entry {i} is empty")
                elif isinstance(entry, list) and all(isinstance(t, dict) for t in entry):
                    pattern = entry
                else:
                    raise ValueError(f"{path}: {label} entry {i} ({entry!r}) is neither a phrase nor a list of token patterns")
                key = (label, repr(pattern))
                if key in seen:
                    continue
                seen.add(key)
                patterns.append({"label": label, "pattern": pattern, "id": GAZETTEER_ID})
    return patterns


def load_not_entities(extra: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> list[str]:
    """The ``NONE`` entries of the package gazetteer plus ``extra`` files (typographically normalised).

    Raises:
        ValueError: naming the file for an entry that is not a plain phrase.
    """
    names: dict[str, None] = {}
    for path in _paths(extra):
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for i, entry in enumerate(data.get(NOT_ENTITY) or [] if isinstance(data, dict) else []):
            if not isinstance(entry, str) or not entry.strip():
                raise ValueError(f"{path}: {NOT_ENTITY} entry {i} ({entry!r}) must be a non-empty phrase")
            names[normalize_text(entry.strip())] = None
    return list(names)


@Language.factory("drop_non_entities", default_config={"names": []})
def make_drop_non_entities(nlp, name: str, names: list[str]):
    """spaCy factory: remove entities whose whole text is one of ``names``."""
    return DropNonEntities(names)


class DropNonEntities:
    """Pipeline component removing entities whose text is exactly a listed non-entity."""

    def __init__(self, names: Iterable[str]) -> None:
        self.names = frozenset(names)

    def __call__(self, doc):
        ents = doc.ents
        keep = [e for e in ents if e.text not in self.names]
        if len(keep) != len(ents):
            doc.set_ents(keep, default="outside")
        return doc


def gazetteer_hash(extra: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> str:
    """Content hash of the gazetteer files (part of the annotation configuration)."""
    h = hashlib.sha1()
    for path in _paths(extra):
        h.update(path.read_bytes())
    return h.hexdigest()[:12]


def add_gazetteer(nlp, extra: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None, *, before: str | None = "ner"):
    """Add the gazetteer EntityRuler (named ``gazetteer``) to ``nlp``, before ``ner`` if present.

    Returns the ruler.
    """
    where: dict[str, Any] = {}
    if before and before in nlp.pipe_names:
        where["before"] = before
    ruler = nlp.add_pipe("entity_ruler", name="gazetteer", config={"overwrite_ents": False, "validate": True}, **where)
    # phrase patterns only need the tokenizer: keep the statistical components out of it
    with nlp.select_pipes(disable=[name for name in nlp.pipe_names if name != "gazetteer"]):
        ruler.add_patterns(load_patterns(extra))
    names = load_not_entities(extra)
    if names:
        after = "ner" if "ner" in nlp.pipe_names else "gazetteer"
        nlp.add_pipe("drop_non_entities", config={"names": names}, after=after)
    return ruler

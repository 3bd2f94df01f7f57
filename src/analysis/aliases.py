"""Alias resolution: spelling and transliteration variants → one canonical entity name.

The table (``analysis/data/aliases.csv``, columns ``canonical,alias,label``) lists variants;
users add their own CSV in the same format (its rows are added to, and override, the
package's). Resolution never runs the model: it maps the ``text`` and ``label`` columns of an
entities table to ``norm``, so a changed alias file re-resolves ``norm`` in seconds
(``analysis annotate --aliases FILE`` rewrites it in place when nothing else changed).

Matching (see :func:`resolve_aliases`):

1. keys are folded: typography normalised, accents stripped, case-folded, spaces collapsed,
   quotes and punctuation at the edges trimmed (``Kyïv`` and ``KYIV`` share the key ``kyiv``);
2. a row with a ``label`` applies to mentions with that label; a row without one to any
   label; a mention whose label has no row falls back to an alias that is unambiguous
   across labels;
3. a surname alone (``Poutine``) resolves to the full canonical ``PER`` name when exactly one
   canonical person has that surname;
4. within one document, a single-word ``PER`` mention that is still unresolved resolves to
   the one full name of that document ending with that word ("Volodymyr Omelyan ... Omelyan");
5. anything else keeps its mention text (typography normalised, spaces collapsed) as ``norm``.

Example:
    >>> import pandas as pd
    >>> ents = pd.DataFrame({"doc_id": ["a", "a", "a"], "text": ["Zelenksy", "Kiev", "Omelyan"],
    ...                      "label": ["PER", "LOC", "PER"]})
    >>> resolve_aliases(ents, load_aliases()).norm.tolist()
    ['Volodymyr Zelensky', 'Kyiv', 'Omelyan']
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from pathlib import Path

import pandas as pd

from analysis.config import PACKAGE_DATA_DIR
from analysis.normalize import normalize_text

ALIASES_FILE = PACKAGE_DATA_DIR / "aliases.csv"
ALIAS_COLUMNS = ["canonical", "alias", "label"]
_LABELS = {"", "PER", "LOC", "ORG", "MISC"}
_EDGE = re.compile(r"^[\s\"'«»()\[\].,;:!?-]+|[\s\"'«»()\[\].,;:!?-]+$")
_SPACES = re.compile(r"\s+")
# a lower-case article or preposition before a capital is not part of the name ("la France");
# capitalised ones are ("La Haye", "Le Caire")
_ARTICLE = re.compile(r"^(?:le|la|les|du|des|de la|de l'|de|d'|l'|au|aux)\s*(?=[A-ZÀ-Ý])")
_ELISION = re.compile(r"^(?:[ldjmnstc]|qu|jusqu|lorsqu|puisqu)'(?=\w)", re.IGNORECASE)


def clean_mention(text: str) -> str:
    """The mention as a display name: typography normalised, spaces collapsed, edges trimmed.

    Example:
        >>> clean_mention(" d’Ukraine ») "), clean_mention("la France"), clean_mention("La Haye")
        ('Ukraine', 'France', 'La Haye')
    """
    out = _SPACES.sub(" ", normalize_text(text)).strip()
    trimmed = _ARTICLE.sub("", _ELISION.sub("", _EDGE.sub("", out)))
    return trimmed or out


def fold(text: str) -> str:
    """Matching key: :func:`clean_mention`, accents stripped, case-folded.

    Example:
        >>> fold("  Kyïv ") == fold("KYIV")
        True
    """
    s = unicodedata.normalize("NFKD", clean_mention(text))
    s = "".join(c for c in s if not unicodedata.combining(c))
    return s.casefold()


def _read_alias_csv(path: Path) -> pd.DataFrame:
    if not path.is_file():
        raise FileNotFoundError(f"alias file not found: {path}")
    df = pd.read_csv(path, dtype=str, keep_default_na=False, comment=None)
    missing = [c for c in ALIAS_COLUMNS[:2] if c not in df.columns]
    if missing:
        raise ValueError(f"{path}: missing column(s) {', '.join(missing)} (expected header canonical,alias,label)")
    if "label" not in df.columns:
        df["label"] = ""
    df = df[ALIAS_COLUMNS].map(lambda v: v.strip())
    bad = []
    for i, row in enumerate(df.itertuples(index=False), start=2):
        if not row.canonical or not row.alias:
            bad.append(f"{path}: line {i}: empty canonical or alias ({row.canonical!r}, {row.alias!r})")
        elif row.label not in _LABELS:
            bad.append(f"{path}: line {i}: unknown label {row.label!r} (PER, LOC, ORG, MISC or empty)")
    if bad:
        raise ValueError("bad alias rows:\n" + "\n".join(bad))
    return df


def load_aliases(path: str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """The alias table: the package's ``aliases.csv`` plus, if given, the user's CSV.

    A user row replaces the package rows for the same alias (with the same label, or with
    any label when the user row has none).

    Returns:
        DataFrame with columns ``canonical``, ``alias``, ``label`` (``""`` = any label).

    Raises:
        FileNotFoundError, ValueError: naming the file and line of a bad row.
    """
    table = _read_alias_csv(ALIASES_FILE)
    if path is not None:
        user = _read_alias_csv(Path(path))
        keys = table["alias"].map(fold)
        drop = pd.Series(False, index=table.index)
        for alias, label in zip(user["alias"], user["label"]):
            # a user row replaces package rows for the same alias (same label, or any label
            # when the user row has none)
            same = keys == fold(alias)
            drop |= same if not label else same & table["label"].isin([label, ""])
        table = pd.concat([table[~drop], user], ignore_index=True)
    table["_key"] = table["alias"].map(fold)
    table = table.drop_duplicates(["_key", "label"], keep="last").drop(columns="_key")
    return table.reset_index(drop=True)


def aliases_hash(aliases: pd.DataFrame) -> str:
    """Content hash of an alias table (recorded in ``annotate-state.json``)."""
    text = aliases[ALIAS_COLUMNS].to_csv(index=False)
    return hashlib.sha1(text.encode("utf-8")).hexdigest()[:12]


class _Resolver:
    def __init__(self, aliases: pd.DataFrame) -> None:
        by_label: dict[tuple[str, str], str] = {}
        any_label: dict[str, set[str]] = {}
        rows = list(aliases[ALIAS_COLUMNS].itertuples(index=False))
        # every canonical name is an alias of itself
        rows += [(r.canonical, r.canonical, r.label) for r in rows]
        for canonical, alias, label in rows:
            key = fold(alias)
            if label:
                by_label.setdefault((key, label), canonical)
            any_label.setdefault(key, set()).add(canonical)
        unlabelled = {fold(r.alias): r.canonical for r in aliases.itertuples(index=False) if not r.label}
        # a surname alone -> the full name, when exactly one canonical person has it
        surnames: dict[str, set[str]] = {}
        for r in aliases.itertuples(index=False):
            if r.label in ("PER", "") and len(r.canonical.split()) >= 2:
                surnames.setdefault(fold(r.canonical.split()[-1]), set()).add(r.canonical)
        for key, names in surnames.items():
            if len(names) == 1 and (key, "PER") not in by_label:
                by_label[(key, "PER")] = next(iter(names))
        self.by_label = by_label
        self.unlabelled = unlabelled
        self.unambiguous = {k: next(iter(v)) for k, v in any_label.items() if len(v) == 1}

    def __call__(self, text: str, label: str) -> tuple[str, bool]:
        key = fold(text)
        hit = self.by_label.get((key, label)) or self.unlabelled.get(key) or self.unambiguous.get(key)
        if hit:
            return hit, True
        return clean_mention(text), False


def resolve_aliases(entities: pd.DataFrame, aliases: pd.DataFrame | str | os.PathLike[str] | None = None) -> pd.DataFrame:
    """Set ``norm`` of an entities table from its ``text`` and ``label`` (copy returned).

    Args:
        entities: needs ``text`` and ``label``; ``doc_id`` enables the within-document
            surname rule.
        aliases: a table from :func:`load_aliases`, a path to a user CSV (added to the
            package table), or None for the package table.
    """
    if not isinstance(aliases, pd.DataFrame):
        aliases = load_aliases(aliases)
    out = entities.copy()
    if out.empty:
        out["norm"] = pd.Series([], dtype="str", index=out.index)
        return out
    resolver = _Resolver(aliases)
    pairs = out[["text", "label"]].drop_duplicates()
    resolved = {(t, lab): resolver(t, lab) for t, lab in zip(pairs["text"], pairs["label"])}
    keys = list(zip(out["text"], out["label"]))
    norms = [resolved[k][0] for k in keys]
    if "doc_id" in out.columns:
        hits = [resolved[k][1] for k in keys]
        # within-document surname rule
        keys_hits = list(zip(keys, hits))
        candidates = [
            i for i, ((_text, label), hit) in enumerate(keys_hits) if label == "PER" and not hit and len(norms[i].split()) == 1
        ]
        if candidates:
            doc_ids = out["doc_id"].tolist()
            full: dict[tuple[str, str], set[str]] = {}
            for i, ((text, label), _hit) in enumerate(keys_hits):
                if label == "PER" and len(norms[i].split()) >= 2:
                    full.setdefault((doc_ids[i], fold(norms[i].split()[-1])), set()).add(norms[i])
            for i in candidates:
                names = full.get((doc_ids[i], fold(norms[i])))
                if names and len(names) == 1:
                    norms[i] = next(iter(names))
    out["norm"] = pd.Series(norms, index=out.index, dtype="str")
    return out

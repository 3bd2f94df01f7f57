"""A fast French rule-based tone scorer: lexicon + negation, intensifiers and contrast.

No spaCy at scoring time: text is lower-cased, typographic apostrophes are normalised, elided
articles and pronouns (``l'``, ``d'``, ``qu'``, ``n'`` ...) are split off, and words are looked
up as written (hyphenated compounds such as ``cessez-le-feu`` stay one word). It scores about
8,000 sentences per second on one core (vader-fr: about 6,400), measured on Le Monde leads.

Lexicon files are UTF-8 TSV, one entry a line::

    # comment lines start with '#'
    term<TAB>valence[<TAB>note]

- ``term`` is lower-case; it may hold several words (``forces armées``: matched as a phrase,
  longest first) or end with ``*`` (``bombard*``: any word starting with ``bombard``).
- ``valence`` is on VADER's scale, about -4 (very negative) to +4 (very positive); ``0``
  declares a word neutral, which overrides a valence from an earlier lexicon.

Rules (sentence by sentence):

- **negation**: ``ne``/``n'`` followed by ``pas``, ``plus``, ``jamais``, ``rien``,
  ``personne``, ``guère``, ``point``, ``aucun`` negates from ``ne`` up to three words after the
  particle (``ne soutient pas``, ``n'est pas satisfaisant``); ``aucun``/``personne``/``rien``/
  ``nul`` as subject make a following ``ne`` negative without a particle ("aucun des deux n'a
  convaincu"); ``sans``, ``aucun(e)``, ``ni``, ``nullement``, a bare ``pas`` and refusal or
  lack (``refuse de``, ``renonce à``, ``faute de``, ``absence de``, ``manque de``) negate the
  next three words. ``plus`` alone ("plus de morts", "de plus") is **not** a negator. A negated
  positive word turns negative (x -0.74, VADER's constant); a negated negative word is damped
  (x 0.37) rather than flipped, since "refuse de condamner l'attaque" is not good news
  (``negated_negative="flip"`` restores VADER's behaviour).
- **names**: a Titlecase word that does not open the sentence or a quotation is part of a name
  ("Armée du salut", "Grande Guerre patriotique") and is not scored (``names="score"`` turns
  this off); all-capital words (emphasis, acronyms) are scored.
- **intensifiers** (``très``, ``extrêmement`` ...) raise, **dampeners** (``peu``,
  ``légèrement`` ...) lower the magnitude of the next lexicon word within two words (±0.293).
- **contrast**: before ``mais``, ``pourtant``, ``cependant``, ``toutefois``, ``néanmoins``
  valences count half, after them one and a half times; the clause opened by ``malgré``,
  ``bien que``, ``quoique``, ``en dépit de`` (up to the next comma) counts half.

The sentence score is VADER's normalisation ``s / sqrt(s² + 15)`` of the summed valences
(``compound`` in [-1, 1]); ``pos`` and ``neg`` are the summed positive and negative valences
after the rules, and ``n_hits`` the number of lexicon words found.

Example:
    >>> scorer = LexiconScorer({"bon": 1.9, "guerre": -2.9})
    >>> scorer.score_one("Ce n'est pas bon.")["compound"] < 0 < scorer.score_one("C'est bon.")["compound"]
    True
"""

from __future__ import annotations

import math
import re
import sys
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

#: VADER's constants.
NEGATION_SCALAR = -0.74
BOOST = 0.293
ALPHA = 15.0
CONTRAST_BEFORE = 0.5
CONTRAST_AFTER = 1.5
CONCESSIVE = 0.5

NE = frozenset({"ne", "n'"})
NE_PARTICLES = frozenset({"pas", "plus", "jamais", "rien", "personne", "guère", "point", "aucun", "aucune", "nulle", "nul"})
BARE_NEGATORS = frozenset({"pas", "sans", "aucun", "aucune", "ni", "nullement", "aucunement", "jamais"})
NEGATION_REACH = 3
CONTRAST = frozenset({"mais", "pourtant", "cependant", "toutefois", "néanmoins"})
CONCESSION = frozenset({"malgré", "quoique"})
BOOSTERS: dict[str, float] = {
    w: BOOST
    for w in (
        "absolument très trop extrêmement vraiment particulièrement tellement totalement complètement "
        "profondément terriblement hautement fortement considérablement énormément grandement "
        "gravement lourdement massivement sérieusement entièrement incroyablement si"
    ).split()
}
BOOSTERS.update({w: -BOOST for w in "peu légèrement plutôt assez relativement quelque presque guère moins".split()})
_OPENERS = frozenset({".", "!", "?", "…", "«", '"', "“", "(", ":", "—", "–", "-", ";"})
#: Words that negate what follows (the next three words) like ``sans``: refusal, lack, absence.
NEGATING_PHRASES: tuple[tuple[str, ...], ...] = tuple(
    tuple(p.split())
    for p in (
        "refuse de", "refuse d'", "refusent de", "refusent d'", "refusé de", "refusé d'", "refusant de", "refusant d'",
        "renonce à", "renoncent à", "renoncé à", "renoncer à",
        "faute de", "faute d'", "absence de", "absence d'", "manque de", "manque d'", "manquent de", "manquent d'",
    )
)
#: Pronouns that make ``ne``/``n'`` negative without a particle after it ("aucun n'a convaincu").
NE_SUBJECTS = frozenset({"aucun", "aucune", "personne", "rien", "nul", "nulle"})
CLAUSE_END = frozenset({",", ";", ":", "(", ")", "«", "»", "—", "–", '"', "“", "”"})

_APOSTROPHES = str.maketrans({"’": "'", "ʼ": "'", "‘": "'", "`": "'"})
_ELISION = re.compile(r"\b(qu|lorsqu|puisqu|jusqu|quoiqu|presqu|[cdjlmnst])'", re.IGNORECASE)
_TOKEN = re.compile(r"[^\W\d_]+(?:[-'][^\W\d_]+)*|\d+(?:[.,]\d+)*|[^\w\s]", re.UNICODE)
_SENT_END = re.compile(r"(?<=[.!?…])\s*[»\"”)]?\s+(?=[«\"“(\u2013\u2014-]?\s*[A-ZÀ-ÖØ-Þ0-9])")


def tokenize(text: str, *, keep_case: bool = False) -> list[str]:
    """Word and punctuation tokens (lower-cased unless ``keep_case``); elided words keep their apostrophe (``l'``).

    Example:
        >>> tokenize("L’armée n’a pas reculé, cessez-le-feu !")
        ["l'", 'armée', "n'", 'a', 'pas', 'reculé', ',', 'cessez-le-feu', '!']
        >>> tokenize("Kiev salue l’Armée", keep_case=True)[-2:]
        ["l'", 'Armée']
    """
    text = text.translate(_APOSTROPHES)
    text = _ELISION.sub(lambda m: m.group(0) + " ", text if keep_case else text.lower())
    # re-attach the apostrophe to elided forms split above ("l'" was followed by a space)
    out: list[str] = []
    for tok in _TOKEN.findall(text):
        if tok == "'" and out and out[-1].isalpha() and len(out[-1]) <= 7:
            out[-1] += "'"
        else:
            out.append(tok)
    if keep_case:
        # elided forms are lower-case whatever the input ("L'" -> "l'"), as in the default mode
        out = [t.lower() if t.endswith("'") else t for t in out]
    return out


def name_like(raw_tokens: Sequence[str]) -> np.ndarray:
    """Which tokens look like part of a proper name: Titlecase and not sentence- or quote-initial.

    "Armée du salut", "Amicale du nid", "Grande Guerre patriotique", "Festival d'Avignon",
    "Russie-Libertés": capitalised words inside a sentence name an institution, a work or an
    event; their everyday valence is not the tone of the text. All-capital words (emphasis in
    tweets, acronyms) are not name-like.

    Example:
        >>> name_like(["La", "Grande", "Guerre", "a", "tué", "."]).tolist()
        [False, True, True, False, False, False]
    """
    flags = np.zeros(len(raw_tokens), dtype=bool)
    for i, tok in enumerate(raw_tokens):
        if i == 0 or raw_tokens[i - 1] in _OPENERS:
            continue
        flags[i] = tok[:1].isupper() and not tok.isupper() and tok[:1].isalpha()
    return flags


def split_sentences(text: str) -> list[str]:
    """Split a text into sentences on ``. ! ? …`` followed by a capital (no model needed).

    Example:
        >>> split_sentences("Kiev a été frappée. Deux morts. M. Dupont parle.")
        ['Kiev a été frappée.', 'Deux morts.', 'M. Dupont parle.']
    """
    if not isinstance(text, str) or not text.strip():
        return []
    parts = _SENT_END.split(text.strip())
    merged: list[str] = []
    for part in parts:
        # "M." / "Mme." / initials are not sentence ends
        if merged and re.search(r"(?:\b[A-Z]|\bM|\bMM|\bMme|\bDr|\bSt)\.$", merged[-1]):
            merged[-1] = f"{merged[-1]} {part}"
        else:
            merged.append(part)
    return [p.strip() for p in merged if p.strip()]


def read_lexicon(path: str | Path) -> dict[str, float]:
    """Read a lexicon TSV (see the module docstring); bad lines are reported and skipped.

    Raises:
        FileNotFoundError: if the file does not exist.
    """
    path = Path(path)
    entries: dict[str, float] = {}
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip() or line.lstrip().startswith("#"):
                continue
            fields = line.split("\t")
            if len(fields) < 2:
                print(f"{path}:{lineno}: skipped, expected 'term<TAB>valence': {line!r}", file=sys.stderr)
                continue
            term = " ".join(tokenize(fields[0].strip()))
            if fields[0].strip().endswith("*"):
                term = fields[0].strip().lower().translate(_APOSTROPHES)
            try:
                value = float(fields[1])
            except ValueError:
                print(f"{path}:{lineno}: skipped, valence is not a number: {fields[1]!r}", file=sys.stderr)
                continue
            if not term:
                print(f"{path}:{lineno}: skipped, empty term", file=sys.stderr)
                continue
            entries[term] = value
    return entries


class LexiconScorer:
    """Score French sentences with a lexicon and the rules of the module docstring.

    Args:
        lexicon: term -> valence; later layers override earlier ones when several mappings are
            merged by the caller. Multi-word terms and ``prefix*`` terms are supported.
    """

    def __init__(
        self,
        lexicon: Mapping[str, float],
        *,
        names: Literal["skip", "score"] = "skip",
        negated_negative: Literal["flip", "damp"] = "damp",
    ) -> None:
        self.names = names
        self.negated_negative = negated_negative
        self.words: dict[str, float] = {}
        self.phrases: dict[tuple[str, ...], float] = {}
        self.prefixes: dict[str, float] = {}
        for term, value in lexicon.items():
            if term.endswith("*") and " " not in term:
                self.prefixes[term[:-1]] = float(value)
            elif " " in term:
                self.phrases[tuple(term.split(" "))] = float(value)
            else:
                self.words[term] = float(value)
        self.max_phrase = max((len(p) for p in self.phrases), default=1)
        self._prefix_lengths = sorted({len(p) for p in self.prefixes}, reverse=True)

    def _word_valence(self, tok: str) -> float | None:
        value = self.words.get(tok)
        if value is not None:
            return value
        for k in self._prefix_lengths:
            if k <= len(tok):
                value = self.prefixes.get(tok[:k])
                if value is not None:
                    return value
        if len(tok) > 3 and tok[-1] in "sx":
            value = self.words.get(tok[:-1])
            if value is not None:
                return value
        return None

    def _match(self, tokens: list[str]) -> list[tuple[int, int, float]]:
        """(start, end, valence) of lexicon matches, longest phrase first, left to right."""
        hits = []
        i, n = 0, len(tokens)
        while i < n:
            found = False
            for k in range(min(self.max_phrase, n - i), 1, -1):
                value = self.phrases.get(tuple(tokens[i : i + k]))
                if value is not None:
                    hits.append((i, i + k, value))
                    i += k
                    found = True
                    break
            if found:
                continue
            value = self._word_valence(tokens[i])
            if value is not None:
                hits.append((i, i + 1, value))
            i += 1
        return hits

    @staticmethod
    def _negated(tokens: list[str]) -> np.ndarray:
        n = len(tokens)
        neg = np.zeros(n, dtype=bool)

        def scope(start: int, after: int) -> None:
            # negate tokens[start:end], end = up to NEGATION_REACH words after ``after``, within the clause
            end = after + 1
            while end < n and end <= after + NEGATION_REACH and tokens[end] not in CLAUSE_END and tokens[end] not in CONTRAST:
                end += 1
            neg[start:end] = True

        i = 0
        while i < n:
            tok = tokens[i]
            if tok in NE:
                # find the particle within the clause
                j = i + 1
                while j < n and j <= i + 6 and tokens[j] not in CLAUSE_END and tokens[j] not in NE_PARTICLES:
                    j += 1
                if j < n and tokens[j] in NE_PARTICLES:
                    scope(i, j)
                    neg[j] = False
                    i = j + 1
                    continue
                # "aucun des candidats n'a convaincu", "rien n'est réglé": the particle is the subject
                k = i - 1
                while k >= 0 and k >= i - 6 and tokens[k] not in CLAUSE_END and tokens[k] not in NE_SUBJECTS:
                    k -= 1
                if k >= 0 and tokens[k] in NE_SUBJECTS:
                    scope(i, i + 1)
            elif tok in BARE_NEGATORS:
                scope(i + 1, i)
            else:
                for phrase in NEGATING_PHRASES:
                    if tok == phrase[0] and tuple(tokens[i : i + len(phrase)]) == phrase:
                        last = i + len(phrase) - 1
                        scope(last + 1, last)
                        break
            i += 1
        return neg

    def score_tokens(self, tokens: list[str], raw: Sequence[str] | None = None) -> dict[str, float]:
        """Score one tokenised sentence; ``raw`` (the same tokens, case kept) enables the name rule."""
        hits = self._match(tokens)
        if self.names == "skip" and raw is not None and len(raw) == len(tokens):
            names = name_like(raw)
            hits = [h for h in hits if not names[h[0]]]
        if not hits:
            return {"compound": 0.0, "pos": 0.0, "neg": 0.0, "n_hits": 0}
        negated = self._negated(tokens)
        weights = np.ones(len(tokens))
        contrast_at = [i for i, t in enumerate(tokens) if t in CONTRAST]
        if contrast_at:
            c = contrast_at[-1]
            weights[:c] *= CONTRAST_BEFORE
            weights[c + 1 :] *= CONTRAST_AFTER
        for i, t in enumerate(tokens):
            concessive = (
                t in CONCESSION
                or (t == "bien" and i + 1 < len(tokens) and tokens[i + 1] in ("que", "qu'"))
                or (t == "en" and i + 1 < len(tokens) and tokens[i + 1] == "dépit")
            )
            if concessive:
                j = i
                while j < len(tokens) and tokens[j] not in CLAUSE_END:
                    weights[j] *= CONCESSIVE
                    j += 1
        pos = neg = 0.0
        for start, end, value in hits:
            if value == 0.0:
                continue
            for b in (start - 1, start - 2):
                if b >= 0 and tokens[b] in BOOSTERS:
                    value += math.copysign(1.0, value) * BOOSTERS[tokens[b]]
                    break
            if negated[start]:
                # a negated positive word turns negative; a negated negative word ("sans
                # victimes") is only damped under "damp": "refuse de condamner l'attaque" stays negative
                value *= NEGATION_SCALAR if value > 0 or self.negated_negative == "flip" else -NEGATION_SCALAR * 0.5
            value *= float(weights[start])
            if value > 0:
                pos += value
            else:
                neg += value
        total = pos + neg
        compound = total / math.sqrt(total * total + ALPHA)
        return {"compound": float(max(-1.0, min(1.0, compound))), "pos": float(pos), "neg": float(neg), "n_hits": len(hits)}

    def score_one(self, sentence: str) -> dict[str, float]:
        """Score one sentence (dict with ``compound``, ``pos``, ``neg``, ``n_hits``)."""
        text = sentence if isinstance(sentence, str) else ""
        raw = tokenize(text, keep_case=True)
        return self.score_tokens([t.lower() for t in raw], raw)

    def score(self, sentences: Sequence[str] | Iterable[str]) -> pd.DataFrame:
        """Score sentences; one row per sentence, in order."""
        rows = [self.score_one(s) for s in sentences]
        frame = pd.DataFrame(rows, columns=["compound", "pos", "neg", "n_hits"])
        return frame.astype({"compound": np.float32, "pos": np.float32, "neg": np.float32, "n_hits": np.int32})


class LexiconBackend:
    """``lexicon:PATH``: the rule-based scorer with a user-supplied lexicon TSV.

    ``PATH`` may list several files separated by ``+`` (``lexicon:general.tsv+mine.tsv``);
    later files override earlier ones.
    """

    def __init__(self, spec: str) -> None:
        if not spec:
            raise ValueError("lexicon backend needs a path: 'lexicon:PATH[+PATH...]'")
        merged: dict[str, float] = {}
        paths = [Path(p) for p in spec.split("+")]
        for path in paths:
            if not path.is_file():
                raise FileNotFoundError(f"lexicon file not found: {path} (from backend spec 'lexicon:{spec}')")
            merged.update(read_lexicon(path))
        self.name = f"lexicon:{spec}"
        import hashlib

        digest = hashlib.sha1("".join(p.read_text(encoding="utf-8") for p in paths).encode()).hexdigest()[:12]
        self.version = f"lexicon-sha1:{digest}"
        self.scorer = LexiconScorer(merged)

    def score(self, sentences: Sequence[str]) -> pd.DataFrame:
        return self.scorer.score(sentences)

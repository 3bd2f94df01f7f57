"""French text normalisation before the model, compound terms and stop words.

Normalisation is **length-preserving**: every replacement swaps one code point for exactly one
other code point, so an offset into the normalised text is the same offset into the original
text and no offset map is needed (``len(normalize_text(t)) == len(t)`` always). Python string
offsets and spaCy's ``start_char``/``end_char`` both count code points, so annotation offsets
index the corpus ``text`` directly.

What is replaced (see :data:`CHAR_MAP`):

* typographic apostrophes and primes (’ ‘ ʼ ′ ´ `) → ``'``, so elisions (l', d', qu',
  jusqu', lorsqu') are split and lemmatised by spaCy's French rules;
* English-style curly double quotes (“ ” „ ‟) → ``"``; French guillemets « » are kept (the
  model knows them); the non-breaking spaces that typographically sit inside them become
  ordinary spaces (next item);
* non-breaking, narrow non-breaking, thin, figure and other fixed-width spaces → `` ``;
* non-breaking and other Unicode hyphens (‐ ‑ ‒) → ``-``, so compounds written with them
  are recognised as compounds.

Characters that cannot be replaced one-for-one without changing words (zero-width spaces,
soft hyphens) are left as they are.

Hyphenated compounds (``état-major``, ``Kharkiv-Est``) are split by spaCy's tokenizer into
``état`` ``-`` ``major``; :func:`compound_groups` joins such runs back into one term for the
``tokens`` table and the sentence lemmas.

Stop words (:func:`stopwords`): spaCy's French list, plus the domain additions in
``analysis/data/stopwords-extra.txt``, plus any file the user passes.

Example:
    >>> normalize_text("L’armée\\u00a0: « non »")
    "L'armée : « non »"
    >>> "l'" in stopwords() and "selon" in stopwords()
    True
"""

from __future__ import annotations

import functools
import os
import unicodedata
from collections.abc import Iterable, Sequence
from pathlib import Path

from analysis.config import PACKAGE_DATA_DIR

#: Bumped whenever :func:`normalize_text` or the compound/lemma rules change; part of the
#: annotation configuration hash, so a change re-annotates the corpus.
NORMALIZER_VERSION = "1"

#: One-for-one replacements (each key and value is a single code point).
CHAR_MAP: dict[str, str] = {
    # apostrophes
    "\u2019": "'",  # ’ right single quotation mark
    "\u2018": "'",  # ‘ left single quotation mark
    "\u02bc": "'",  # ʼ modifier letter apostrophe
    "\u2032": "'",  # ′ prime
    "\u00b4": "'",  # ´ acute accent used as apostrophe
    "\u0060": "'",  # ` grave accent used as apostrophe
    "\u201b": "'",  # ‛ single high-reversed-9 quotation mark
    # English-style double quotes (guillemets « » are kept)
    "\u201c": '"',  # “
    "\u201d": '"',  # ”
    "\u201e": '"',  # „
    "\u201f": '"',  # ‟
    # fixed-width and non-breaking spaces
    "\u00a0": " ",  # no-break space (before : ; ! ? and inside « »)
    "\u202f": " ",  # narrow no-break space
    "\u2007": " ",  # figure space
    "\u2008": " ",  # punctuation space
    "\u2009": " ",  # thin space
    "\u200a": " ",  # hair space
    "\u2002": " ",  # en space
    "\u2003": " ",  # em space
    "\u2004": " ",
    "\u2005": " ",
    "\u2006": " ",
    "\u205f": " ",  # medium mathematical space
    "\u3000": " ",  # ideographic space
    # hyphens
    "\u2010": "-",  # hyphen
    "\u2011": "-",  # non-breaking hyphen
    "\u2012": "-",  # figure dash
}

_TABLE = str.maketrans(CHAR_MAP)

assert all(len(k) == 1 and len(v) == 1 for k, v in CHAR_MAP.items()), "CHAR_MAP must be one-for-one"


def normalize_text(text: str) -> str:
    """Normalise typography one code point for one (offsets are unchanged).

    Example:
        >>> normalize_text("d’Ukraine\\u202f!")
        "d'Ukraine !"
    """
    return text.translate(_TABLE)


def normalize_term(term: str) -> str:
    """Lower-case a form or lemma and normalise its typography (for the tokens table)."""
    return term.translate(_TABLE).lower()


# --------------------------------------------------------------------------- compounds


def _is_word(token) -> bool:
    return token.is_alpha


def compound_groups(doc) -> list[tuple[int, int]]:
    """Token index ranges ``[start, end)`` of each term, hyphenated compounds joined.

    A compound is a run ``word - word (- word ...)`` with no whitespace in between, where
    every word is alphabetic (``état-major``, ``Kharkiv-Est``, ``peut-être``); number ranges
    (``2022-2023``) and spaCy's inversion tokens (``dit`` ``-il``) are not joined. Space
    tokens are left out. Every other token is a range of length one.

    Example:
        >>> import spacy
        >>> nlp = spacy.blank("fr")
        >>> doc = nlp("L'état-major de Kharkiv-Est, dit-il.")
        >>> [doc[s:e].text for s, e in compound_groups(doc)]
        ["L'", 'état-major', 'de', 'Kharkiv-Est', ',', 'dit', '-il', '.']
    """
    groups: list[tuple[int, int]] = []
    n = len(doc)
    i = 0
    while i < n:
        tok = doc[i]
        if tok.is_space:
            i += 1
            continue
        end = i + 1
        if _is_word(tok):
            while (
                end + 1 < n
                and doc[end - 1].whitespace_ == ""
                and doc[end].text == "-"
                and doc[end].whitespace_ == ""
                and _is_word(doc[end + 1])
            ):
                end += 2
        groups.append((i, end))
        i = end
    return groups


_KEEP_LEMMA_POS = frozenset({"NOUN", "ADJ"})


def _part_lemma(token) -> str:
    form = normalize_term(token.text)
    lemma = normalize_term(token.lemma_ or token.text)
    if token.text == "-":
        return "-"
    # nouns and adjectives take their lemma; other parts only lose a plural mark (the tagger
    # is unreliable inside compounds: "majors" may come out ADV), verbs keep their form
    if token.pos_ in _KEEP_LEMMA_POS or (token.pos_ not in ("VERB", "AUX") and form in (lemma + "s", lemma + "x")):
        return lemma
    return form


def compound_term(tokens: Sequence) -> tuple[str, str, str]:
    """``(form, lemma, pos)`` of a term made of one token or a hyphenated compound.

    For a compound, the form is the lower-cased joined text; the lemma joins the lemmas of
    noun and adjective parts, drops the plural mark of the others except verbs, and keeps
    the lower-cased forms otherwise (``états-majors`` → ``état-major``, ``cessez-le-feu`` and
    ``peut-être`` stay); the POS is ``PROPN`` if any part is a proper
    noun, else ``NOUN`` if any part is a noun, else the first part's.
    """
    if len(tokens) == 1:
        t = tokens[0]
        return normalize_term(t.text), normalize_term(t.lemma_ or t.text), t.pos_
    form = normalize_term("".join(t.text for t in tokens))
    lemma = "".join(_part_lemma(t) for t in tokens)
    pos_parts = [t.pos_ for t in tokens[::2]]
    if "PROPN" in pos_parts:
        pos = "PROPN"
    elif "NOUN" in pos_parts:
        pos = "NOUN"
    else:
        pos = pos_parts[0]
    return form, lemma, pos


# --------------------------------------------------------------------------- stop words

#: Domain additions shipped with the package (one word a line, ``#`` comments).
EXTRA_STOPWORDS_FILE = PACKAGE_DATA_DIR / "stopwords-extra.txt"


def read_wordlist(path: str | os.PathLike[str]) -> list[str]:
    """Read a one-word-a-line file (UTF-8, ``#`` starts a comment, blank lines ignored).

    Words are normalised like the tokens table (typography, lower case).

    Raises:
        FileNotFoundError: naming the file.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"stop-word file not found: {p}")
    words = []
    for line in p.read_text(encoding="utf-8").splitlines():
        word = line.split("#", 1)[0].strip()
        if word:
            words.append(normalize_term(unicodedata.normalize("NFC", word)))
    return words


@functools.lru_cache(maxsize=8)
def _stopwords_cached(extra: tuple[str, ...]) -> frozenset[str]:
    from spacy.lang.fr.stop_words import STOP_WORDS

    words = {normalize_term(w) for w in STOP_WORDS}
    words.update(read_wordlist(EXTRA_STOPWORDS_FILE))
    for path in extra:
        words.update(read_wordlist(path))
    return frozenset(words)


def stopwords(extra: str | os.PathLike[str] | Iterable[str | os.PathLike[str]] | None = None) -> frozenset[str]:
    """The stop-word list: spaCy's French list + package domain additions + ``extra`` files.

    Words are lower-cased with typographic apostrophes normalised (``l'``, not ``l’``).

    Args:
        extra: one path or several paths to user word lists (one word a line, ``#`` comments).

    Example:
        >>> sw = stopwords()
        >>> "le" in sw, "guerre" in sw
        (True, False)
    """
    if extra is None:
        paths: tuple[str, ...] = ()
    elif isinstance(extra, (str, os.PathLike)):
        paths = (str(extra),)
    else:
        paths = tuple(str(p) for p in extra)
    return _stopwords_cached(paths)


def mark_stopwords(tokens, extra=None):
    """Recompute ``is_stop`` of a tokens table with a (user-extended) stop-word list.

    A row is a stop word when its ``form`` or its ``lemma`` is in the list (the rule the
    annotation engine uses). Returns a copy.

    Example:
        >>> import pandas as pd
        >>> t = pd.DataFrame({"form": ["sont", "guerre"], "lemma": ["être", "guerre"]})
        >>> mark_stopwords(t).is_stop.tolist()
        [True, False]
    """
    words = stopwords(extra)
    out = tokens.copy()
    out["is_stop"] = out["form"].isin(words) | out["lemma"].isin(words)
    return out

"""Sentence-level sentiment backends behind one small interface.

A backend turns a list of sentences into a DataFrame with one row per sentence, in order, and
at least a ``compound`` column in [-1, 1] (negative to positive). Backends are named by a spec
string: ``"vader-fr"``, and later ``"textblob-fr"``, ``"lexicon:PATH"``, ``"sklearn:PATH"``...

Example:
    >>> backend = get_backend("vader-fr")
    >>> scores = backend.score(["Une victoire heureuse et magnifique.", "Une attaque meurtrière."])
    >>> list(scores.columns)[:1], bool(scores.compound.iloc[0] > 0 > scores.compound.iloc[1])
    (['compound'], True)
"""

from __future__ import annotations

import contextlib
import io
import warnings
from collections.abc import Callable, Sequence
from importlib.metadata import version as _pkg_version
from typing import Protocol, runtime_checkable

import numpy as np
import pandas as pd


@runtime_checkable
class SentimentBackend(Protocol):
    """What every tone backend provides."""

    #: The spec it was built from, e.g. ``"vader-fr"`` (recorded in the annotation config).
    name: str
    #: Version string of the underlying model or lexicon (part of the annotation config).
    version: str

    def score(self, sentences: Sequence[str]) -> pd.DataFrame:
        """Score sentences; one row per sentence, in order, ``compound`` in [-1, 1]."""
        ...


class VaderFr:
    """vaderSentiment-fr's ``polarity_scores`` (lexicon + rules, handles French negation).

    Columns: ``compound`` in [-1, 1], and ``neg``, ``neu``, ``pos`` proportions.
    The fuzzy ``polarity_scores_max`` is not used: it is slow and matches wrong words.
    """

    name = "vader-fr"

    def __init__(self) -> None:
        with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            warnings.simplefilter("ignore")
            from vaderSentiment_fr.vaderSentiment import SentimentIntensityAnalyzer

        self._analyzer = SentimentIntensityAnalyzer()
        self.version = f"vadersentiment-fr=={_pkg_version('vadersentiment-fr')}"

    def score(self, sentences: Sequence[str]) -> pd.DataFrame:
        rows = [self._analyzer.polarity_scores(s) for s in sentences]
        frame = pd.DataFrame(rows, columns=["compound", "neg", "neu", "pos"])
        return frame.astype(np.float32)


#: The backend ``analysis annotate`` uses unless ``--sentiment`` says otherwise.
DEFAULT_BACKEND = "vader-fr"

_REGISTRY: dict[str, Callable[[str], SentimentBackend]] = {
    "vader-fr": lambda _arg: VaderFr(),
}


def register_backend(prefix: str, factory: Callable[[str], SentimentBackend]) -> None:
    """Register a backend factory under ``prefix`` (``"name"`` or ``"name:"`` taking an argument)."""
    _REGISTRY[prefix] = factory


def list_backends() -> list[str]:
    """Names (or ``prefix:`` forms) of the available backends."""
    return sorted(_REGISTRY)


def get_backend(spec: str) -> SentimentBackend:
    """Build the backend named by ``spec`` (``"vader-fr"``, ``"prefix:ARG"``).

    Raises:
        ValueError: for an unknown spec, listing the known ones.
    """
    if spec in _REGISTRY:
        return _REGISTRY[spec]("")
    prefix, sep, arg = spec.partition(":")
    if sep and f"{prefix}:" in _REGISTRY:
        return _REGISTRY[f"{prefix}:"](arg)
    raise ValueError(f"unknown sentiment backend {spec!r}; known: {', '.join(list_backends())}")

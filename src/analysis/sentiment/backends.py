"""Sentence-level sentiment backends behind one small interface.

A backend turns a list of sentences into a DataFrame with one row per sentence, in order, and
at least a ``compound`` column in [-1, 1] (negative to positive). Backends are named by a spec
string:

- ``vader-fr``: vaderSentiment-fr (baseline);
- ``textblob-fr``: textblob-fr's Pattern lexicon (polarity only);
- ``war-fr``: the war-coverage tone model (:mod:`analysis.sentiment.war`), the default;
- ``lexicon:PATH[+PATH...]``: the rule-based scorer of :mod:`analysis.sentiment.lexicon` with
  your own lexicon TSV(s);
- ``sklearn:PATH``: a model trained by ``analysis sentiment train`` (joblib file);
- ``transformers:PATH``: a local Hugging Face sequence-classification model (optional extra:
  needs ``transformers`` and ``torch``; loaded with ``local_files_only=True``, never downloaded).

Backends may carry ``thresholds`` (lo, hi): their default document-level 3-class cut-offs.

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


class TextBlobFr:
    """textblob-fr's ``PatternAnalyzer`` polarity (no NLTK data needed).

    Columns: ``compound`` (= polarity in [-1, 1]) and ``subjectivity``.
    """

    name = "textblob-fr"

    def __init__(self) -> None:
        from textblob_fr import PatternAnalyzer

        self._analyzer = PatternAnalyzer()
        self.version = f"textblob-fr=={_pkg_version('textblob-fr')}"

    def score(self, sentences: Sequence[str]) -> pd.DataFrame:
        rows = [self._analyzer.analyze(s if isinstance(s, str) else "")[:2] for s in sentences]
        return pd.DataFrame(rows, columns=["compound", "subjectivity"]).astype(np.float32)


class SklearnBackend:
    """``sklearn:PATH``: a scikit-learn pipeline saved by ``analysis sentiment train``.

    The joblib file holds ``{"model": pipeline, "classes": [...], "meta": {...}}``; the
    pipeline must have ``predict_proba``. ``compound`` = P(positive) - P(negative); columns
    ``p_<class>`` give each class probability and ``label`` the most probable class.
    """

    def __init__(self, path: str) -> None:
        import hashlib
        from pathlib import Path

        import joblib

        file = Path(path)
        if not path or not file.is_file():
            raise FileNotFoundError(f"sklearn model not found: {path!r} (train one with `analysis sentiment train`)")
        bundle = joblib.load(file)
        if not isinstance(bundle, dict) or "model" not in bundle:
            raise ValueError(f"{file}: not a model saved by `analysis sentiment train` (no 'model' key)")
        self.model = bundle["model"]
        self.classes = [str(c) for c in self.model.classes_]
        self.name = f"sklearn:{path}"
        self.version = f"sklearn-sha1:{hashlib.sha1(file.read_bytes()).hexdigest()[:12]}"

    def score(self, sentences: Sequence[str]) -> pd.DataFrame:
        texts = [s if isinstance(s, str) else "" for s in sentences]
        if not texts:
            return pd.DataFrame(columns=["compound", "label"] + [f"p_{c}" for c in self.classes])
        proba = self.model.predict_proba(texts)
        frame = pd.DataFrame(proba, columns=[f"p_{c}" for c in self.classes]).astype(np.float32)
        zero = pd.Series(0.0, index=frame.index)
        compound = frame.get("p_positive", zero) - frame.get("p_negative", zero)
        frame.insert(0, "compound", compound.astype(np.float32))
        frame["label"] = pd.Series(np.asarray(self.classes)[proba.argmax(axis=1)], dtype="str")
        return frame


class TransformersBackend:
    """``transformers:PATH``: a local sequence-classification model (optional extra).

    Loaded with ``local_files_only=True`` from a directory: nothing is ever downloaded. Label
    names come from the model config (``id2label``); names containing ``neg``/``pos``/``neu``
    (or star ratings ``1 star`` .. ``5 stars``) are mapped to negative/neutral/positive.
    ``compound`` = P(positive) - P(negative).
    """

    def __init__(self, path: str, *, batch_size: int = 16) -> None:
        from pathlib import Path

        try:
            import torch
            from transformers import AutoModelForSequenceClassification, AutoTokenizer
        except ImportError as exc:  # pragma: no cover - depends on the environment
            raise ImportError(
                "the transformers backend needs the optional packages 'transformers' and 'torch', "
                f"which are not installed ({exc})"
            ) from exc
        if not path or not Path(path).is_dir():
            raise FileNotFoundError(f"transformers model directory not found: {path!r} (models are never downloaded)")
        self._torch = torch
        self.tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
        self.model = AutoModelForSequenceClassification.from_pretrained(path, local_files_only=True)
        self.model.eval()
        self.batch_size = batch_size
        self.name = f"transformers:{path}"
        import transformers

        self.version = f"transformers=={transformers.__version__}:{getattr(self.model.config, '_name_or_path', path)}"
        self.labels = [self._polarity(self.model.config.id2label[i]) for i in range(self.model.config.num_labels)]

    @staticmethod
    def _polarity(name: str) -> str:
        low = str(name).lower()
        if "neg" in low or low.startswith(("1 star", "2 star")):
            return "negative"
        if "pos" in low or low.startswith(("4 star", "5 star")):
            return "positive"
        return "neutral"

    def score(self, sentences: Sequence[str]) -> pd.DataFrame:
        texts = [s if isinstance(s, str) else "" for s in sentences]
        probs = []
        with self._torch.no_grad():
            for i in range(0, len(texts), self.batch_size):
                batch = self.tokenizer(texts[i : i + self.batch_size], padding=True, truncation=True, return_tensors="pt")
                probs.append(self._torch.softmax(self.model(**batch).logits, dim=-1).cpu().numpy())
        proba = np.concatenate(probs) if probs else np.zeros((0, len(self.labels)))
        labels = np.asarray(self.labels)
        by = {c: proba[:, labels == c].sum(axis=1) for c in ("negative", "neutral", "positive")}
        frame = pd.DataFrame({"compound": by["positive"] - by["negative"], **{f"p_{c}": v for c, v in by.items()}}).astype(np.float32)
        frame["label"] = pd.Series(np.asarray(["negative", "neutral", "positive"])[np.stack([by[c] for c in ("negative", "neutral", "positive")], axis=1).argmax(axis=1)] if len(proba) else [], dtype="str")
        return frame


def _war(_arg: str) -> SentimentBackend:
    from analysis.sentiment.war import WarFr

    return WarFr()


def _lexicon(arg: str) -> SentimentBackend:
    from analysis.sentiment.lexicon import LexiconBackend

    return LexiconBackend(arg)


#: The backend ``analysis annotate`` uses unless ``--sentiment`` says otherwise: the
#: war-coverage model, which beats vader-fr on held-out war news (docs/validity.md).
DEFAULT_BACKEND = "war-fr"

_REGISTRY: dict[str, Callable[[str], SentimentBackend]] = {
    "vader-fr": lambda _arg: VaderFr(),
    "textblob-fr": lambda _arg: TextBlobFr(),
    "war-fr": _war,
    "lexicon:": _lexicon,
    "sklearn:": lambda arg: SklearnBackend(arg),
    "transformers:": lambda arg: TransformersBackend(arg),
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

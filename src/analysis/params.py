"""Report parameters: the documented list, and validation with messages that name the parameter.

Every report notebook declares its parameters in one cell tagged ``parameters`` (typed
literals, a comment each) and passes them, in the next cell, to :func:`validate`. A wrong
value (end before start, an unknown source, a malformed term group, a bad granularity) stops
the notebook with a :class:`ParameterError` that names the parameter and says what is
expected, instead of a pandas traceback three cells later.

Values arrive from three places, and :func:`validate` accepts all of them:

* the notebook's own defaults (Python literals);
* ``papermill -p NAME VALUE``, which passes lists and dicts as *strings*
  (``-p terms '["bakhmout", "négociation"]'``): such strings are parsed as JSON/YAML;
* ``analysis report -p NAME VALUE`` / ``-f params.yaml``, parsed as YAML (dates may arrive as
  ``datetime.date``).

Example:
    >>> p = validate({"start": "2022-01-01", "end": "2022-06-30", "granularity": "week",
    ...               "terms": '["bakhmout", "Négociation"]'})
    >>> p.granularity, p.terms, str(p.start.date()), str(p.end_exclusive.date())
    ('week', ['bakhmout', 'négociation'], '2022-01-01', '2022-07-01')
    >>> validate({"start": "2022-03-01", "end": "2022-02-01"})  # doctest: +IGNORE_EXCEPTION_DETAIL
    Traceback (most recent call last):
    ...
    ParameterError: parameter `end`: 2022-02-01 is before start 2022-03-01
"""

from __future__ import annotations

import datetime as dt
import json
import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from analysis.config import PROJ_ROOT

Kind = Literal[
    "path", "date", "period", "choice", "str", "str_list", "choice_list", "groups", "events", "int", "bool"
]


class ParameterError(ValueError):
    """A report parameter has a wrong value; ``name`` is the parameter, the message says why."""

    def __init__(self, name: str, message: str) -> None:
        self.name = name
        super().__init__(f"parameter `{name}`: {message}")

    def _render_traceback_(self) -> list[str]:  # IPython: show the message, not a traceback
        return [f"ParameterError: {self}"]


@dataclass(frozen=True)
class Spec:
    """One documented report parameter."""

    name: str
    kind: Kind
    help: str
    choices: tuple[str, ...] = ()
    minimum: int | None = None


#: Every parameter a report notebook may declare, with its meaning (the notebooks' parameter
#: cells use the same names; ``tests/test_notebooks_params.py`` checks them against this list).
SPECS: dict[str, Spec] = {
    s.name: s
    for s in [
        Spec("processed_dir", "path", "processed-data directory (analysis ingest + annotate); relative to the project root"),
        Spec("start", "date", "first day, YYYY-MM-DD; empty = first document"),
        Spec("end", "date", "last day (included), YYYY-MM-DD; empty = last document"),
        Spec("granularity", "choice", "period of the time series", choices=("day", "week", "month")),
        Spec("sources", "str_list", "sources (outlets) to keep; empty = all"),
        Spec("events", "events", "event markers drawn on time series: {date: label}"),
        Spec("lang", "choice", "language of labels and axis titles", choices=("fr", "en")),
        Spec("top_n", "int", "rows in top-N tables and bars", minimum=1),
        Spec("terms", "str_list", "terms (lemmas or forms) to follow over time and in concordance"),
        Spec("term_groups", "groups", "term groups counted as one series: {group: [term, ...]}"),
        Spec("extra_stopwords", "str_list", "more terms left out of top lists, n-grams, keyness and distinctive terms (e.g. the outlet's name); still counted in totals"),
        Spec("unit", "choice", "count lemmas or surface forms", choices=("lemma", "form")),
        Spec("min_count", "int", "minimum count for a term to be listed", minimum=1),
        Spec("target_period", "period", "keyness target, START:END; empty = from the first event to end"),
        Spec("reference_period", "period", "keyness reference, START:END; empty = from start to the day before the first event"),
        Spec("change_points", "int", "change points to look for in each trend (0 = none)", minimum=0),
        Spec("kwic_lines", "int", "concordance lines shown per term", minimum=0),
        Spec("entities", "str_list", "canonical entity names to follow (e.g. Volodymyr Zelensky); empty = the top ones"),
        Spec("exclude_entities", "str_list", "canonical entity names left out of tables, trends and the network (e.g. the outlet itself)"),
        Spec("entity_labels", "choice_list", "entity types to show", choices=("PER", "LOC", "ORG", "MISC")),
        Spec("min_cooccurrence", "int", "minimum co-occurrences for a network edge", minimum=1),
        Spec("cooccurrence_scope", "choice", "unit within which entities co-occur", choices=("sentence", "document")),
        Spec("sentiment_backend", "str", "tone backend: 'annotated' = the scores stored by analysis annotate, or a backend spec such as 'vader-fr'"),
    ]
}

#: The parameters each report notebook declares, in the order of its parameters cell.
NOTEBOOK_PARAMETERS: dict[str, tuple[str, ...]] = {
    "01-corpus-overview": ("processed_dir", "start", "end", "granularity", "sources", "events", "lang"),
    "02-word-frequency": (
        "processed_dir", "start", "end", "granularity", "sources", "terms", "term_groups", "extra_stopwords",
        "unit", "min_count", "top_n", "target_period", "reference_period", "events", "change_points",
        "kwic_lines", "lang",
    ),
    "03-sentiment": (
        "processed_dir", "start", "end", "granularity", "sources", "entities", "events", "top_n",
        "sentiment_backend", "lang",
    ),
    "04-entities": (
        "processed_dir", "start", "end", "granularity", "sources", "entities", "exclude_entities", "entity_labels", "top_n",
        "min_cooccurrence", "cooccurrence_scope", "events", "lang",
    ),
}


class Params(dict):
    """Validated parameters: a dict with attribute access plus a few derived values.

    Derived attributes (set by :func:`validate`, never parameters themselves):
    ``end_exclusive`` (the day after ``end``), ``target`` and ``reference`` (``(first day,
    last day)`` pairs for keyness, both included, None for an open end; or None when there is
    no period), ``raw`` (the parameters as given, for provenance).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None


def resolve_processed_dir(value: str | os.PathLike[str]) -> Path:
    """Resolve the processed directory: absolute as is; relative against the project root,
    else the current directory (a notebook opened in ``notebooks/``).

    Raises:
        ParameterError: when neither exists or it holds no ``corpus.parquet``.
    """
    raw = Path(os.path.expanduser(str(value)))
    candidates = [raw] if raw.is_absolute() else [PROJ_ROOT / raw, Path.cwd() / raw]
    for cand in candidates:
        if cand.is_dir():
            path = cand.resolve()
            if not (path / "corpus.parquet").exists():
                raise ParameterError(
                    "processed_dir",
                    f"{path} holds no corpus.parquet: run `analysis ingest CORPUS --processed {path}` "
                    "and `analysis annotate` first (or `analysis run CORPUS`)",
                )
            return path
    tried = ", ".join(str(c) for c in dict.fromkeys(candidates))
    raise ParameterError("processed_dir", f"directory not found: {value!r} (tried {tried})")


def _parse_structured(name: str, value: Any) -> Any:
    """Strings given for list/dict parameters (``papermill -p``) are parsed as JSON/YAML."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    if text == "":
        return None
    if text[0] in "[{":
        try:
            return json.loads(text)
        except json.JSONDecodeError:
            import yaml

            try:
                return yaml.safe_load(text)
            except yaml.YAMLError as exc:
                raise ParameterError(name, f"cannot parse {value!r} as a list or mapping: {exc}") from None
    return value


def _date(name: str, value: Any, *, allow_empty: bool = True) -> pd.Timestamp | None:
    if value is None or (isinstance(value, str) and value.strip() == ""):
        if allow_empty:
            return None
        raise ParameterError(name, "a date YYYY-MM-DD is required")
    if isinstance(value, (dt.date, dt.datetime, pd.Timestamp)):
        ts = pd.Timestamp(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            ts = pd.Timestamp(dt.date.fromisoformat(text[:10])) if len(text) == 10 else pd.Timestamp(text)
        except ValueError:
            raise ParameterError(name, f"{value!r} is not a date: expected YYYY-MM-DD, e.g. 2022-02-24") from None
    else:
        raise ParameterError(name, f"expected a date string YYYY-MM-DD, got {type(value).__name__} {value!r}")
    ts = ts.tz_localize("UTC") if ts.tzinfo is None else ts.tz_convert("UTC")
    return ts.normalize()


def _period(name: str, value: Any) -> tuple[pd.Timestamp, pd.Timestamp] | None:
    """``"START:END"`` (both days included) -> (start, end) UTC midnights."""
    if value is None or (isinstance(value, str) and value.strip() == ""):
        return None
    if isinstance(value, (list, tuple)) and len(value) == 2:
        left, right = value
    elif isinstance(value, str) and value.count(":") == 1:
        left, right = value.split(":")
    else:
        raise ParameterError(name, f"{value!r} is not a period: expected 'START:END', e.g. '2022-01-01:2022-02-23'")
    start, end = _date(name, left, allow_empty=False), _date(name, right, allow_empty=False)
    if end < start:
        raise ParameterError(name, f"period end {end.date()} is before its start {start.date()}")
    return start, end


def _str_list(name: str, value: Any, *, lower: bool = False) -> list[str]:
    value = _parse_structured(name, value)
    if value is None:
        return []
    if isinstance(value, str):
        value = [v for v in (s.strip() for s in value.split(",")) if v]
    if not isinstance(value, (list, tuple)):
        raise ParameterError(name, f"expected a list of strings, got {type(value).__name__} {value!r}")
    out: list[str] = []
    for i, item in enumerate(value):
        if not isinstance(item, str) or not item.strip():
            raise ParameterError(name, f"item {i} ({item!r}) is not a non-empty string")
        item = item.strip().replace("\u2019", "'")
        out.append(item.lower() if lower else item)
    return list(dict.fromkeys(out))


def _groups(name: str, value: Any) -> dict[str, list[str]]:
    value = _parse_structured(name, value)
    if value is None:
        return {}
    if not isinstance(value, Mapping):
        raise ParameterError(
            name, f"expected a mapping {{group: [term, ...]}}, got {type(value).__name__} {value!r}"
        )
    out: dict[str, list[str]] = {}
    for key, terms in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ParameterError(name, f"group name {key!r} is not a non-empty string")
        if isinstance(terms, str) or not isinstance(terms, (list, tuple)) or not terms:
            raise ParameterError(name, f"group {key!r} must map to a non-empty list of terms, got {terms!r}")
        out[key.strip()] = _str_list(f"{name}[{key!r}]", list(terms), lower=True)
    return out


def _events(name: str, value: Any) -> dict[pd.Timestamp, str]:
    value = _parse_structured(name, value)
    if value is None:
        return {}
    if isinstance(value, (list, tuple)):  # a bare list of dates
        value = {d: "" for d in value}
    if not isinstance(value, Mapping):
        raise ParameterError(name, f"expected a mapping {{'YYYY-MM-DD': 'label'}}, got {type(value).__name__} {value!r}")
    out: dict[pd.Timestamp, str] = {}
    for key, label in value.items():
        day = _date(name, key, allow_empty=False)
        if label is not None and not isinstance(label, str):
            raise ParameterError(name, f"the label of {key} must be a string, got {label!r}")
        out[day] = (label or "").strip()
    return dict(sorted(out.items()))


def _int(spec: Spec, value: Any) -> int:
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int):
        raise ParameterError(spec.name, f"expected an integer, got {value!r}")
    if spec.minimum is not None and value < spec.minimum:
        raise ParameterError(spec.name, f"must be at least {spec.minimum}, got {value}")
    return value


def _choice(spec: Spec, value: Any) -> str:
    if not isinstance(value, str) or value.strip() not in spec.choices:
        raise ParameterError(spec.name, f"{value!r} is not one of {', '.join(spec.choices)}")
    return value.strip()


def _check_backend(spec: str) -> None:
    """``annotated`` or a name/prefix known to :mod:`analysis.sentiment.backends` (not built here)."""
    if spec == "annotated":
        return
    from analysis.sentiment.backends import list_backends

    known = list_backends()
    prefix, sep, _ = spec.partition(":")
    if spec not in known and not (sep and f"{prefix}:" in known):
        raise ParameterError("sentiment_backend", f"unknown backend {spec!r}; use 'annotated' or one of {', '.join(known)}")


def _corpus_extent(corpus: Any, processed_dir: Path | None) -> pd.DataFrame | None:
    """``date`` and ``source`` columns of the corpus, from a Corpus, a DataFrame or the directory."""
    if corpus is not None:
        frame = getattr(corpus, "corpus", corpus)
        if callable(frame):
            frame = frame()
        if isinstance(frame, pd.DataFrame):
            return frame[["date", "source"]]
    if processed_dir is not None:
        return pd.read_parquet(processed_dir / "corpus.parquet", columns=["date", "source"])
    return None


def validate(params: Mapping[str, Any], *, corpus: Any = None) -> Params:
    """Check and normalise report parameters.

    Args:
        params: parameter names and values, as in a notebook's parameters cell. Every name must
            be in :data:`SPECS`; values may be strings (``papermill -p``) for lists and mappings.
        corpus: optional :class:`analysis.tables.Corpus` or ``corpus.parquet`` frame used to check
            ``sources`` and the date range. When omitted and ``processed_dir`` is given, its
            ``date`` and ``source`` columns are read.

    Returns:
        :class:`Params`: ``processed_dir`` as an absolute ``Path``; dates as UTC midnight
        ``Timestamp`` (or None); lists and mappings parsed; terms lower-cased; events as
        ``{Timestamp: label}``; plus derived ``end_exclusive``, ``target``, ``reference``, ``raw``.

    Raises:
        ParameterError: naming the first wrong parameter and what is expected.
    """
    out = Params()
    for name, value in params.items():
        spec = SPECS.get(name)
        if spec is None:
            raise ParameterError(name, f"unknown parameter; known: {', '.join(SPECS)}")
        if spec.kind == "path":
            if not isinstance(value, (str, os.PathLike)) or str(value).strip() == "":
                raise ParameterError(name, f"expected a directory path, got {value!r}")
            out[name] = resolve_processed_dir(value)
        elif spec.kind == "date":
            out[name] = _date(name, value)
        elif spec.kind == "period":
            out[name] = _period(name, value)
        elif spec.kind == "choice":
            out[name] = _choice(spec, value)
        elif spec.kind == "choice_list":
            items = _str_list(name, value)
            for item in items:
                if item not in spec.choices:
                    raise ParameterError(name, f"{item!r} is not one of {', '.join(spec.choices)}")
            out[name] = items or list(spec.choices)
        elif spec.kind == "str_list":
            out[name] = _str_list(name, value, lower=name in ("terms", "extra_stopwords"))
        elif spec.kind == "groups":
            out[name] = _groups(name, value)
        elif spec.kind == "events":
            out[name] = _events(name, value)
        elif spec.kind == "int":
            out[name] = _int(spec, value)
        elif spec.kind == "bool":
            if not isinstance(value, bool):
                raise ParameterError(name, f"expected True or False, got {value!r}")
            out[name] = value
        else:  # "str"
            if not isinstance(value, str) or not value.strip():
                raise ParameterError(name, f"expected a non-empty string, got {value!r}")
            out[name] = value.strip()
            if name == "sentiment_backend":
                _check_backend(out[name])

    start, end = out.get("start"), out.get("end")
    if start is not None and end is not None and end < start:
        raise ParameterError("end", f"{end.date()} is before start {start.date()}")
    out["end_exclusive"] = end + pd.Timedelta(days=1) if end is not None else None

    extent = None
    if "processed_dir" in out or corpus is not None:
        extent = _corpus_extent(corpus, out.get("processed_dir"))
    if extent is not None:
        _check_against_corpus(out, extent)

    _derive_keyness_periods(out)
    out["raw"] = {k: _plain(v) for k, v in params.items()}
    return out


def _check_against_corpus(out: Params, extent: pd.DataFrame) -> None:
    known = sorted(extent["source"].dropna().unique().tolist())
    for source in out.get("sources", []):
        if source not in known:
            shown = ", ".join(repr(k) for k in known[:20]) + (" ..." if len(known) > 20 else "")
            raise ParameterError("sources", f"unknown source {source!r}; the corpus has: {shown}")
    if extent.empty:
        return
    first, last = extent["date"].min(), extent["date"].max()
    start, end_x = out.get("start"), out.get("end_exclusive")
    mask = pd.Series(True, index=extent.index)
    if start is not None:
        mask &= extent["date"] >= start
    if end_x is not None:
        mask &= extent["date"] < end_x
    if out.get("sources"):
        mask &= extent["source"].isin(out["sources"])
    if not mask.any():
        name = "start" if start is not None and start > last else "end" if end_x is not None else "sources"
        raise ParameterError(
            name,
            f"no document selected (start={_day(start)}, end={_day(out.get('end'))}, "
            f"sources={out.get('sources') or 'all'}); the corpus covers {first.date()} to {last.date()}",
        )


def _derive_keyness_periods(out: Params) -> None:
    """Keyness periods ``(first day, last day)``, both included (None = open end), as
    :func:`analysis.keyness.compare` takes them: explicit ``START:END`` values, else the range
    split at the first event (reference before it, target from it)."""
    target, reference = out.get("target_period"), out.get("reference_period")
    events = list(out.get("events", {}))
    if "target_period" in out and target is None and events:
        target = (events[0], out.get("end"))
    if "reference_period" in out and reference is None and events:
        reference = (out.get("start"), events[0] - pd.Timedelta(days=1))
    if target and reference:
        lo, hi = pd.Timestamp.min.tz_localize("UTC"), pd.Timestamp.max.tz_localize("UTC")
        t0, t1 = target[0] or lo, target[1] or hi
        r0, r1 = reference[0] or lo, reference[1] or hi
        if t0 <= r1 and r0 <= t1:
            raise ParameterError(
                "reference_period",
                f"{_day(reference[0]) or '…'}:{_day(reference[1]) or '…'} overlaps target_period "
                f"{_day(target[0]) or '…'}:{_day(target[1]) or '…'}; keyness needs two disjoint periods",
            )
    out["target"], out["reference"] = target, reference


def _day(ts: pd.Timestamp | None) -> str:
    return "" if ts is None else str(ts.date())


def _plain(value: Any) -> Any:
    """JSON-friendly copy of a parameter value (dates as ISO strings)."""
    if isinstance(value, (dt.datetime, pd.Timestamp)):
        ts = pd.Timestamp(value)
        return ts.date().isoformat() if ts == ts.normalize() else ts.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(_plain(k)): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, os.PathLike):
        return str(value)
    return value


def plain(value: Any) -> Any:
    """Public alias of the JSON-friendly conversion used for provenance and papermill."""
    return _plain(value)

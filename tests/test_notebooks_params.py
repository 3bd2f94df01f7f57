"""The report notebooks' contract: documented parameters, clean sources, papermill runs.

nbval (``pytest notebooks``) executes every notebook on its defaults; these tests check what
nbval does not: the parameters cell matches the documented list (``analysis.params``), holds
only literals, is self-documenting for ``papermill --help-notebook``, and a papermill run with
NON-default parameters changes what the report shows.
"""

from __future__ import annotations

import ast

import nbformat
import papermill as pm
import pytest

from analysis.config import NOTEBOOKS_DIR
from analysis.params import NOTEBOOK_PARAMETERS, SPECS, validate

NAMES = list(NOTEBOOK_PARAMETERS)


def _nb(name: str):
    return nbformat.read(NOTEBOOKS_DIR / f"{name}.ipynb", as_version=4)


def test_every_notebook_is_documented():
    on_disk = sorted(p.stem for p in NOTEBOOKS_DIR.glob("[0-9][0-9]-*.ipynb"))
    assert on_disk == sorted(NAMES)


@pytest.mark.parametrize("name", NAMES)
def test_inspected_parameters_match_documented_list(name):
    inspected = pm.inspect_notebook(str(NOTEBOOKS_DIR / f"{name}.ipynb"))
    assert list(inspected) == list(NOTEBOOK_PARAMETERS[name])
    for pname, info in inspected.items():
        assert info["help"], f"{name}: parameter {pname} has no comment (papermill --help-notebook shows it)"
        assert info["inferred_type_name"] not in ("None", ""), f"{name}: parameter {pname} has no type hint"
        assert SPECS[pname]


@pytest.mark.parametrize("name", NAMES)
def test_parameters_cell_holds_literals_only_and_defaults_validate(name):
    nb = _nb(name)
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])]
    assert tagged == [1], "exactly one parameters cell, right after the title"
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    tree = ast.parse(nb.cells[1].source)
    values = {}
    for stmt in tree.body:
        assert isinstance(stmt, ast.AnnAssign), f"{name}: only annotated assignments in the parameters cell"
        values[stmt.target.id] = ast.literal_eval(stmt.value)  # raises on anything derived
    # the next cell validates them
    assert "params.validate(" in nb.cells[2].source
    validate(values)  # defaults are valid (processed_dir = the fixture corpus, resolved from the project root)


@pytest.mark.parametrize("name", NAMES)
def test_committed_without_outputs(name):
    for cell in _nb(name).cells:
        if cell.cell_type == "code":
            assert cell.outputs == [] and cell.execution_count is None, f"{name}: strip outputs before committing"


@pytest.mark.slow
def test_papermill_non_default_parameters_change_the_report(tmp_path):
    out = tmp_path / "02.ipynb"
    pm.execute_notebook(
        str(NOTEBOOKS_DIR / "02-word-frequency.ipynb"), str(out), cwd=str(NOTEBOOKS_DIR), kernel_name="python3",
        progress_bar=False,
        # as papermill's CLI passes them: lists as strings
        parameters={"terms": '["sanction"]', "term_groups": "{}", "granularity": "month", "top_n": 5, "kwic_lines": 3,
                    "change_points": 0, "target_period": "2022-03-01:2022-04-30", "reference_period": "2022-01-01:2022-02-15"},
    )
    nb = nbformat.read(out, as_version=4)
    text = "\n".join(
        str(o.get("text", "")) + str(o.get("data", {}).get("text/html", "")) + str(o.get("data", {}).get("text/plain", ""))
        for c in nb.cells if c.cell_type == "code" for o in c.outputs
    )
    assert "<h4>sanction (" in text  # the concordance is for the chosen term ...
    assert "<h4>ukraine (" not in text  # ... not for the default ones
    assert "target: 2022-03-01 – 2022-04-30" in text and "reference: 2022-01-01 – 2022-02-15" in text
    # top-N table has 5 rows
    top_cell = next(c for c in nb.cells if "top_terms = frequency.term_frequencies" in c.source)
    assert str(top_cell.outputs[-1]["data"]["text/html"]).count("<tr>") == 5 + 1
    # monthly periods in the trend: the trend figure is drawn, change-point panels are not
    trend_cell = next(c for c in nb.cells if "report.trend_section(" in c.source)
    assert sum("image/png" in o.get("data", {}) for o in trend_cell.outputs) == 1  # terms only: no group
    cp_cell = next(c for c in nb.cells if "report.small_multiples" in c.source)
    assert cp_cell.outputs == []


@pytest.mark.slow
def test_papermill_bad_parameter_stops_with_its_name(tmp_path):
    with pytest.raises(pm.PapermillExecutionError) as info:
        pm.execute_notebook(
            str(NOTEBOOKS_DIR / "01-corpus-overview.ipynb"), str(tmp_path / "01.ipynb"), cwd=str(NOTEBOOKS_DIR),
            kernel_name="python3", progress_bar=False, parameters={"sources": '["Le Figaro"]'},
        )
    assert info.value.ename == "ParameterError"
    assert "parameter `sources`: unknown source 'Le Figaro'" in info.value.evalue

"""Project habits that CI enforces: clean source notebooks, raw data untouched by the pipeline."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from analysis import storage
from analysis.config import RAW_DATA_DIR

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_source_notebooks_carry_no_outputs(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    dirty = [i for i, c in enumerate(nb["cells"]) if c["cell_type"] == "code" and (c.get("outputs") or c.get("execution_count"))]
    assert not dirty, f"{path.name}: cells {dirty} carry outputs; clear them (executed copies are reports)"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_each_notebook_has_one_parameters_cell(path: Path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1, f"{path.name}: {len(tagged)} cells tagged 'parameters'"


def test_storage_refuses_writes_into_raw(tmp_path):
    with pytest.raises(storage.RawDataWriteError):
        storage.write_text("x", RAW_DATA_DIR / "example" / "should-not-exist.txt")
    assert not (RAW_DATA_DIR / "example" / "should-not-exist.txt").exists()


def test_atomic_write_leaves_no_partial_file_on_error(tmp_path):
    target = tmp_path / "t.parquet"
    with pytest.raises(RuntimeError):
        with storage.atomic_path(target) as tmp:
            tmp.write_text("half")
            raise RuntimeError("killed")
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []


def test_bundled_example_is_present():
    assert (RAW_DATA_DIR / "example" / "bakhmut-article-fr.txt").is_file()
    assert (RAW_DATA_DIR / "example" / "metadata.csv").is_file()

"""The three dependency lists agree: pyproject.toml (ranges), requirements.lock (exact, used by
`make install`) and environment.yml (conda users)."""

from __future__ import annotations

import re
import subprocess
import sys
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[1]


def _canon(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _pyproject() -> dict[str, Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    reqs = list(project["dependencies"])
    for extra in project["optional-dependencies"].values():
        reqs += extra
    return {_canon(r.name): r for r in map(Requirement, reqs)}


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        assert "==" in line, f"requirements.lock: not an exact pin: {line!r}"
        name, version = line.split("==", 1)
        pins[_canon(name)] = version
    return pins


def _environment() -> dict[str, Requirement]:
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    deps = env["dependencies"]
    assert "python=3.11" in deps, "environment.yml must pin Python 3.11"
    pip_section = next(d["pip"] for d in deps if isinstance(d, dict) and "pip" in d)
    assert any(item.startswith("-e .") for item in pip_section), "environment.yml must install the package from the checkout"
    return {_canon(r.name): r for r in (Requirement(i) for i in pip_section if not i.startswith("-e"))}


def test_environment_names_same_dependencies_as_pyproject():
    assert set(_environment()) == set(_pyproject())


def test_every_direct_dependency_is_locked_within_its_range():
    lock = _lock()
    for name, req in _pyproject().items():
        assert name in lock, f"{name} is in pyproject.toml but not in requirements.lock"
        assert req.specifier.contains(Version(lock[name]), prereleases=True), f"{name}=={lock[name]} (lock) is outside {req.specifier} (pyproject.toml)"


def test_environment_pins_the_locked_versions():
    lock = _lock()
    for name, req in _environment().items():
        pinned = [s.version for s in req.specifier if s.operator == "=="]
        assert pinned == [lock[name]], f"environment.yml pins {name} {req.specifier}, lock has {lock[name]}"


def test_lock_is_what_is_installed():
    """The running environment is the locked one (catches a lock edited but not installed)."""
    from importlib.metadata import distributions

    installed = {_canon(d.metadata["Name"]): d.version for d in distributions()}
    for name, version in _lock().items():
        assert installed.get(name) == version, f"{name}: lock {version}, installed {installed.get(name)}"


def test_console_script_and_module_entry_points():
    out = subprocess.run([sys.executable, "-m", "analysis", "--help"], capture_output=True, text=True, check=True)
    assert "ingest" in out.stdout or "COMMAND" in out.stdout

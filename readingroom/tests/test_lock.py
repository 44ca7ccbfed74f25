"""The lock files agree with pyproject.toml (issue 15).

``make``, the Dockerfile and CI install requirements/*.txt alone (``--no-deps``,
hash-checked), so a dependency added to pyproject.toml without ``make lock``
would be missing where it runs. These tests catch that, with no network.
"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

BASE_DIR = Path(__file__).resolve().parents[2]
PIN = re.compile(r"^([A-Za-z0-9._-]+)==([^\s;\\]+)")


def pins(name: str) -> dict[str, str]:
    """Package → version in requirements/<name>.txt; every pin must carry hashes."""
    text = (BASE_DIR / "requirements" / f"{name}.txt").read_text()
    found = {}
    for block in re.split(r"\n(?=\S)", text):
        match = PIN.match(block)
        if match:
            assert "--hash=sha256:" in block, f"{match.group(1)} has no hash in {name}.txt"
            found[canonicalize_name(match.group(1))] = match.group(2)
    return found


def declared(extra: str | None = None) -> list[Requirement]:
    project = tomllib.loads((BASE_DIR / "pyproject.toml").read_text())["project"]
    wanted = project["dependencies"]
    if extra:
        wanted = wanted + project["optional-dependencies"][extra]
    return [Requirement(r) for r in wanted]


@pytest.mark.parametrize("lock, extra", [("run", None), ("dev", "dev")])
def test_every_declared_dependency_is_locked_within_its_range(lock, extra):
    locked = pins(lock)
    for requirement in declared(extra):
        name = canonicalize_name(requirement.name)
        assert name in locked, f"{name} is not in requirements/{lock}.txt: run make lock"
        assert requirement.specifier.contains(locked[name], prereleases=True), (
            f"requirements/{lock}.txt pins {name}=={locked[name]}, outside {requirement}: "
            "run make lock"
        )


def test_the_run_lock_is_the_run_time_part_of_the_dev_lock():
    run, dev = pins("run"), pins("dev")
    assert {name: dev.get(name) for name in run} == run
    assert "pytest" not in run and "pytest-xdist" in dev

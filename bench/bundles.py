"""Lambda bundles for the benchmark: the project's and each reference app's, built alike.

Every bundle comes from scripts/build_bundle.sh; a reference gets only the closure of its own
requirements, cut out of the project's lock export, so versions and hashes are the project's.
"""

import os
import re
import subprocess
import sys
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REFERENCE_DIR = ROOT / "bench" / "reference"
# Reference app module -> what it installs, as the project's pyproject names them.
REFERENCE_REQUIREMENTS: Mapping[str, Sequence[str]] = {
    "bare": ("fastapi", "mangum"),
    "sqlalchemy_ref": ("fastapi", "mangum", "sqlalchemy[asyncio]", "psycopg[binary]"),
}


@dataclass(frozen=True)
class Bundle:
    tree: Path
    zip: Path

    @classmethod
    def of(cls, dist: Path) -> "Bundle":
        """The bundle scripts/build_bundle.sh wrote into `dist`."""
        return cls(dist.resolve() / "lambda", dist.resolve() / "lambda.zip")

    def unzipped_bytes(self) -> int:
        return sum(entry.stat().st_size for entry in self.tree.rglob("*") if entry.is_file())

    def zipped_bytes(self) -> int:
        return self.zip.stat().st_size


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def lock_closure(lock_file: Path, requirements: Sequence[str]) -> set[str]:
    """Names of the locked packages `requirements` (e.g. "psycopg[binary]") pull in."""
    packages = {
        package["name"]: package for package in tomllib.loads(lock_file.read_text())["package"]
    }
    todo: list[tuple[str, str | None]] = []
    for requirement in requirements:
        name, _, extras = requirement.partition("[")
        todo.append((_normalise(name), None))
        todo += [(_normalise(name), extra) for extra in extras.rstrip("]").split(",") if extra]
    seen: set[tuple[str, str | None]] = set()
    while todo:
        name, extra = todo.pop()
        if (name, extra) in seen:
            continue
        seen.add((name, extra))
        package = packages[name]
        if extra is None:
            dependencies = package.get("dependencies", [])
        else:
            dependencies = package.get("optional-dependencies", {}).get(extra, [])
        for dependency in dependencies:
            todo.append((dependency["name"], None))
            todo += [(dependency["name"], extra) for extra in dependency.get("extra", [])]
    return {name for name, _ in seen}


def filter_requirements(exported: str, names: set[str]) -> str:
    """The blocks (pin, markers, hashes) of an exported requirements file for `names` only."""
    kept: list[str] = []
    keep = False
    for line in exported.splitlines():
        if line and not line[0].isspace():
            match = re.match(r"[A-Za-z0-9._-]+", line)
            keep = match is not None and _normalise(match.group()) in names
        if keep:
            kept.append(line)
    return "\n".join(kept) + "\n"


def _run_build(out: Path, extra_env: Mapping[str, str], python: str) -> Bundle:
    """A bundle for `python`'s version, compiled by it."""
    env = {**os.environ, "PYTHON": python, **extra_env}
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "build_bundle.sh"), str(out)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return Bundle.of(out)


def build_project(out: Path, python: str = sys.executable) -> Bundle:
    return _run_build(out, {}, python)


def build_reference(module: str, out: Path, python: str = sys.executable) -> Bundle:
    """Bundle bench/reference/<module>.py with its requirements at the project's pins."""
    out.mkdir(parents=True, exist_ok=True)
    exported = out / "requirements.project.txt"
    subprocess.run(
        ["bash", str(ROOT / "scripts" / "export-requirements.sh"), str(exported)], check=True
    )
    names = lock_closure(ROOT / "uv.lock", REFERENCE_REQUIREMENTS[module])
    requirements = out / "requirements.lambda.txt"
    requirements.write_text(filter_requirements(exported.read_text(), names))
    return _run_build(
        out,
        {"REQUIREMENTS": str(requirements), "APP_SOURCE": str(REFERENCE_DIR / f"{module}.py")},
        python,
    )

"""`make module`: refuses bad or taken names without a trace; what it generates is served by a
`make run` already running (its table made there), and passes the lint, its own tests and every
test that reads the registry (in a copy of the repository, against a database of its own)."""

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

import httpx
import pytest

from scripts.error_codes import RESERVED_BLOCKS, code_families
from scripts.new_module import (
    ModuleError,
    check_names,
    main,
    next_code_block,
    render,
    singular_of,
)
from tests.support.make_server import VENV_NAME, developer_environment, make_in, make_run

ROOT = Path(__file__).parents[2]
COPIED = (
    *("src", "tests", "scripts", "docs", "README.md", "openapi.json"),
    *("pyproject.toml", "uv.lock", "alembic.ini", "Makefile", ".env.example"),
)
BIN = Path(sys.executable).parent
# The tests that read the registry, the OpenAPI document, README or the code table: each must
# hold for any registered domain. Run in the copy with two generated domains; the rest of the
# suite reads none of these (CI's module job runs the whole suite after `make module`).
REGISTRY_READERS = (
    "tests/http/errors/test_codes.py",
    "tests/db/postgresql/test_migrations.py",
    "tests/http/test_openapi.py",
    "tests/http/test_etags.py",
    "tests/test_openapi_contract.py",
    "tests/api/test_routers.py",
    "tests/scripts/test_seed.py",
    "tests/http/auth/test_caller.py::test_openapi_shows_the_bearer_scheme_and_each_operations_scope",
    "tests/test_readme.py::test_the_table_lists_every_route_of_the_service_and_the_examples",
)


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (build and cache folders aside) with a hash of its content."""
    skipped = {VENV_NAME, ".git", ".local", ".tools", "dist", "__pycache__", ".mypy_cache"}
    return {
        str(path.relative_to(root)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in root.rglob("*")
        if path.is_file() and not skipped & set(path.relative_to(root).parts)
    }


@pytest.mark.parametrize(
    ("plural", "singular"),
    [
        ("authors", "author"),
        ("categories", "category"),
        ("boxes", "box"),
        ("book_loans", "book_loan"),
    ],
)
def test_the_singular_follows_english_plurals(plural: str, singular: str) -> None:
    assert singular_of(plural) == singular


@pytest.mark.parametrize(
    ("plural", "singular", "message"),
    [
        ("Authors", None, "snake_case"),
        ("book-loans", None, "snake_case"),
        ("x" * 31 + "s", None, "at most 30"),
        ("staff", None, "singular=<name>"),
        ("data", "data", "different from the plural"),
        ("classes", None, "reserved"),
        ("docs", "doc", "reserved"),
    ],
)
def test_bad_names_are_refused_with_a_reason(
    plural: str, singular: str | None, message: str
) -> None:
    with pytest.raises(ModuleError, match=message):
        check_names(plural, singular)


def test_the_next_block_is_the_first_free_one_and_never_a_common_one() -> None:
    used = {member.code // 1000 for family in code_families() for member in family}
    block = next_code_block() // 1000
    assert block not in used | RESERVED_BLOCKS
    assert all(earlier in used | RESERVED_BLOCKS for earlier in range(1, block))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--name", "books", "--store", "postgres"], "already a domain"),
        (["--name", "reviews", "--store", "mongo"], "already a domain"),
        (["--name", "authors", "--store", "mysql"], "store=postgres or store=mongo"),
        (["--name", "Authors", "--store", "mongo"], "snake_case"),
    ],
)
def test_a_refusal_says_why_and_changes_nothing(
    arguments: list[str],
    message: str,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(ROOT)  # main() works from the repository root; restored afterwards
    before = snapshot(ROOT / "src") | snapshot(ROOT / "docs")

    assert main(arguments) == 2

    error = capsys.readouterr().err
    assert message in error
    assert "Nothing was changed." in error
    assert snapshot(ROOT / "src") | snapshot(ROOT / "docs") == before


def test_an_optional_part_of_a_template_is_kept_only_when_asked_for() -> None:
    template = "a = {{x}}\n{{#consumer}}\nb = {{x}}\n{{/consumer}}\nc = 3\n"

    assert render(template, {"x": "1"}, {"consumer"}) == "a = 1\nb = 1\nc = 3\n"
    assert render(template, {"x": "1"}) == "a = 1\nc = 3\n"
    with pytest.raises(ModuleError, match="has no value"):
        render("{{#consumer}}\nb\n", {})


@pytest.fixture
def repository_copy() -> Iterator[Path]:
    """The repository's files, with this checkout's venv and .tools linked in (so make
    installs nothing); run with `PYTHONPATH=<copy>/src` so the copy's app is the one imported.

    Outside pytest's temporary folder: a pytest session starting meanwhile takes its folder's
    permissions back to the owner only, and PostgreSQL, started from the copy's .venv as a user
    of its own when the suite runs as root, must reach its binaries there.
    """
    with tempfile.TemporaryDirectory(prefix="module-") as scratch:
        root = Path(scratch) / "repository"
        for name in COPIED:
            source = ROOT / name
            if source.is_dir():
                ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache")
                shutil.copytree(source, root / name, ignore=ignore)
            else:
                root.mkdir(exist_ok=True)
                shutil.copy2(source, root / name)
        for linked in (VENV_NAME, ".tools"):
            if (ROOT / linked).exists():
                (root / linked).symlink_to(ROOT / linked)
        yield root


def run(root: Path, *command: str, environment: Mapping[str, str] | None = None, **env: str) -> str:
    """Run `command` in the copy with its app first on the path: in this environment, or the
    suite's, plus `env`."""
    result = subprocess.run(
        command,
        cwd=root,
        env={**(environment or os.environ), "PYTHONPATH": str(root / "src"), **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def _status(
    url: str, path: str, until: Callable[[int], bool], seen: list[int] | None = None
) -> int:
    """GET `path` until its status satisfies `until` (120 s at most); the last status, 0 when
    nothing answered. Every status answered meanwhile is added to `seen`."""
    deadline = time.monotonic() + 120
    status = 0
    while time.monotonic() < deadline:
        try:
            status = httpx.get(f"{url}{path}", timeout=5).status_code
        except httpx.TransportError:  # uvicorn reloading
            status = 0
        else:
            if seen is not None:
                seen.append(status)
        if until(status):
            break
        time.sleep(0.2)
    return status


def test_generated_domains_are_served_by_make_run_and_pass_the_lint_and_the_suite(
    repository_copy: Path, empty_database_url: str
) -> None:
    root = repository_copy
    before = snapshot(root)
    # Names of their own, so this also runs in a clone that already has an `authors` domain
    suffix = secrets.token_hex(3)
    table, collection, queued = f"t{suffix}_authors", f"t{suffix}_notes", f"t{suffix}_memos"
    data_dir = root.parent / "make-run-data"

    # Given make run, when a PostgreSQL domain with a queue consumer, a MongoDB one, and a
    # MongoDB one with a consumer are generated beside it
    environment = developer_environment(AUTH_ENABLED="false", PYTHONPATH=str(root / "src"))
    generated_slices = (
        (table, "postgres", "yes"),
        (collection, "mongo", ""),
        (queued, "mongo", "yes"),
    )
    with make_run(root, data_dir, environment) as url:
        for name, store, consumer in generated_slices:
            module = [
                f"name={name}",
                f"store={store}",
                f"consumer={consumer}",
                f"DATA_DIR={data_dir}",
            ]
            make = [*make_in(root), "module", *module, "ENV_FILE=/dev/null"]
            output = run(root, *make, environment=environment)
            assert f"/v1/{name.replace('_', '-')} is served by `make run`" in output

        # Then make run serves their routes once it reloads, without a 500 meanwhile
        for name in (table, collection, queued):
            path, seen = f"/v1/{name.replace('_', '-')}", list[int]()
            assert _status(url, path, until=lambda status: status == 200, seen=seen) == 200
            assert not [status for status in seen if status >= 500], seen
            created = httpx.post(f"{url}{path}", json={"name": "Ada"}, timeout=5)
            assert created.status_code == 201, created.text

    # And only new files appear, plus the registry and what is generated from it
    after = snapshot(root)
    changed = {path for path in before if after.get(path) != before[path]}
    assert changed == {"src/app/domains/__init__.py", "docs/error-codes.md", "openapi.json"}
    new = set(after) - set(before)
    versions = "src/app/db/postgresql/migrations/versions/"
    assert [path for path in new if path.startswith(versions)] == [
        f"{versions}{len([p for p in before if p.startswith(versions)]) + 1:04d}_create_{table}.py"
    ]
    for folder in ("src/app/domains", "tests/domains"):
        depth = folder.count("/") + 1
        slices = {path.split("/")[depth] for path in new if path.startswith(f"{folder}/")}
        assert slices == {table, collection, queued}

    # And the lint passes on them (ruff, mypy --strict, the import contracts)
    generated = [
        f"{folder}/{name}"
        for folder in ("src/app/domains", "tests/domains")
        for name in (table, collection, queued)
    ]
    run(root, str(BIN / "ruff"), "check", ".")
    run(root, str(BIN / "ruff"), "format", "--check", ".")
    run(root, str(BIN / "mypy"), *generated, "src/app/domains/__init__.py")
    run(root, str(BIN / "lint-imports"))

    # And their tests pass, and so does every test of the suite that reads the registry, the
    # OpenAPI document or README (the whole suite runs after `make module` in CI)
    tests = [f"tests/domains/{name}" for name in (table, collection, queued)]
    tests += REGISTRY_READERS
    output = run(
        root,
        sys.executable,
        "-m",
        "pytest",
        "-q",
        "-p",
        "no:randomly",
        *tests,
        POSTGRESQL_URL=empty_database_url,
    )
    assert " passed" in output
    assert "failed" not in output

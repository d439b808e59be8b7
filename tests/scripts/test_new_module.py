"""`make module`: refuses bad or taken names without a trace, and what it generates passes the
lint and its own tests (in a copy of the repository, against a database of its own)."""

import hashlib
import os
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

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

ROOT = Path(__file__).parents[2]
COPIED = ("src", "tests", "scripts", "docs", "pyproject.toml", "alembic.ini")
BIN = Path(sys.executable).parent


def snapshot(root: Path) -> dict[str, str]:
    """Every file under `root` (build and cache folders aside) with a hash of its content."""
    skipped = {".venv", ".git", ".local", ".tools", "dist", "__pycache__", ".mypy_cache"}
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
def repository_copy(tmp_path: Path) -> Path:
    for name in COPIED:
        source = ROOT / name
        if source.is_dir():
            ignore = shutil.ignore_patterns("__pycache__", ".mypy_cache")
            shutil.copytree(source, tmp_path / name, ignore=ignore)
        else:
            shutil.copy2(source, tmp_path / name)
    return tmp_path


def run(root: Path, *command: str, **env: str) -> str:
    result = subprocess.run(
        command,
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root / "src"), **env},
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, f"{command}:\n{result.stdout}\n{result.stderr}"
    return result.stdout


def test_generated_domains_pass_the_lint_and_their_tests(
    repository_copy: Path, empty_database_url: str
) -> None:
    root = repository_copy
    before = snapshot(root)
    # Names of their own, so this also runs in a clone that already has an `authors` domain
    suffix = secrets.token_hex(3)
    table, collection, queued = f"t{suffix}_authors", f"t{suffix}_notes", f"t{suffix}_memos"

    # When a PostgreSQL domain with a queue consumer, a MongoDB one, and a MongoDB one with a
    # consumer are generated
    generator = [sys.executable, "scripts/new_module.py"]
    run(root, *generator, "--name", table, "--store", "postgres", "--consumer")
    run(root, *generator, "--name", collection, "--store", "mongo")
    run(root, *generator, "--name", queued, "--store", "mongo", "--consumer")

    # Then only new files appear, plus the registry and the generated code table
    after = snapshot(root)
    changed = {path for path in before if after.get(path) != before[path]}
    assert changed == {"src/app/domains/__init__.py", "docs/error-codes.md"}
    new = set(after) - set(before)
    versions = "src/app/db/postgresql/migrations/versions/"
    assert [path for path in new if path.startswith(versions)] == [
        f"{versions}{len([p for p in before if p.startswith(versions)]) + 1:04d}_create_{table}.py"
    ]
    for folder in ("src/app/domains", "tests/domains"):
        depth = folder.count("/") + 1
        slices = {path.split("/")[depth] for path in new if path.startswith(f"{folder}/")}
        assert slices == {table, collection, queued}
    consumers = {path for path in new if path.endswith("consumers.py")}
    assert consumers == {
        f"{folder}/{name}/{prefix}consumers.py"
        for folder, prefix in (("src/app/domains", ""), ("tests/domains", "test_"))
        for name in (table, queued)
    }

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

    # And their tests pass, with the migration matching the models and the code table current
    tests = [f"tests/domains/{name}" for name in (table, collection, queued)]
    tests += ["tests/http/errors/test_codes.py", "tests/db/postgresql/test_migrations.py"]
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

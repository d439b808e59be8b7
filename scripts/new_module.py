"""`make module name=<plural> store=postgres|mongo [consumer=yes]`: a new domain slice, ready to
lint and test; with a consumer, also the queue consumer `<name>-import` (docs/background.md).

Writes src/app/domains/<name>/ and tests/domains/<name>/ from scripts/module_template/, adds
the name to the registry (src/app/domains/__init__.py), regenerates docs/error-codes.md and
openapi.json and, for PostgreSQL, autogenerates the migration against a throw-away embedded
PostgreSQL, then applies it to the stack `make run` runs on the data dir, if one does. The
registry line is written last, so `make run`'s reloader serves the new routes only once their
table exists. A bad or taken name changes nothing; a failure half-way undoes what was written.
"""

import argparse
import keyword
import os
import re
import subprocess
import sys
import uuid
from collections.abc import Collection, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from app.domains import DOMAINS, domain_modules  # noqa: E402
from scripts.devstack import DevStack, DevStackError, running_on  # noqa: E402
from scripts.error_codes import RESERVED_BLOCKS, code_families  # noqa: E402

TEMPLATES = Path(__file__).with_name("module_template")
STORES = {"postgres": "postgres", "postgresql": "postgres", "mongo": "mongo", "mongodb": "mongo"}
SNAKE_CASE = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$")
MAX_NAME_LENGTH = 30  # keeps class, index and constraint names well inside every limit
# Paths the app serves itself, and names that read as something else in the code.
RESERVED_NAMES = frozenset({"api", "docs", "health", "openapi", "redoc", "v1", "v2"})
REGISTRY = Path("src/app/domains/__init__.py")
# What reads the registry and is regenerated from it: file -> its generator under scripts/.
_GENERATORS = {"error-codes.md": "error_codes.py", "openapi.json": "openapi.py"}
_REGISTRY_TUPLE = re.compile(r'(DOMAINS: tuple\[str, \.\.\.\] = \(\n(?:    "[a-z0-9_]+",\n)*)\)')
# A template's optional part: the lines between `{{#name}}` and `{{/name}}`, each on its own.
_SECTION = re.compile(r"^[ \t]*\{\{#(\w+)\}\}\n(.*?)^[ \t]*\{\{/\1\}\}\n", re.DOTALL | re.MULTILINE)
# Templates of the optional parts, shared by both stores: "consumer" is the queue consumer.
OPTIONAL_TEMPLATES = {"consumer": TEMPLATES / "consumer"}
# The sample rows' fixed ids are derived from the name: the same name, the same ids.
_SAMPLE_NAMESPACE = uuid.UUID("0e2f6c1a-9d4b-4b0e-8a47-3c5d2f1e6b90")


class ModuleError(Exception):
    """Why no module was generated, in words for the person who asked."""


@dataclass(frozen=True)
class Names:
    plural: str  # snake_case: package, table or collection
    singular: str  # snake_case: variables, route names

    @property
    def tokens(self) -> dict[str, str]:
        camel = "".join(part.capitalize() for part in self.singular.split("_"))
        title_plural, title_singular = (
            self.plural.replace("_", " "),
            self.singular.replace("_", " "),
        )
        return {
            "plural": self.plural,
            "singular": self.singular,
            "Singular": camel,
            "Plural": "".join(part.capitalize() for part in self.plural.split("_")),
            "UPPER": self.singular.upper(),
            "path": self.plural.replace("_", "-"),
            "title_plural": title_plural,
            "title_singular": title_singular,
            "Title_plural": title_plural.capitalize(),
            "Title_singular": title_singular.capitalize(),
        }


def singular_of(plural: str) -> str | None:
    """English plural rules that cover most resource names; None when none applies."""
    if plural.endswith("ies") and len(plural) > 3:
        return plural[:-3] + "y"
    if re.search(r"(?:s|x|z|ch|sh)es$", plural):
        return plural[:-2]
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural[:-1]
    return None


def check_names(plural: str, singular: str | None) -> Names:
    if not SNAKE_CASE.match(plural) or len(plural) > MAX_NAME_LENGTH:
        raise ModuleError(
            f"name={plural!r}: use a plural in snake_case, at most {MAX_NAME_LENGTH} characters "
            "(e.g. name=authors or name=book_loans)"
        )
    singular = singular or singular_of(plural)
    if singular is None:
        raise ModuleError(f"cannot tell the singular of {plural!r}: add singular=<name>")
    if not SNAKE_CASE.match(singular) or singular == plural:
        raise ModuleError(f"singular={singular!r}: use snake_case, different from the plural")
    for name in (plural, singular):
        if keyword.iskeyword(name) or name in RESERVED_NAMES:
            raise ModuleError(f"{name!r} is reserved: choose another name")
    return Names(plural, singular)


def check_free(names: Names) -> None:
    """The name must not be registered, on disk, or a table, collection or model already."""
    if names.plural in DOMAINS:
        raise ModuleError(f"{names.plural!r} is already a domain (src/app/domains/__init__.py)")
    for folder in (Path("src/app/domains"), Path("tests/domains")):
        if (folder / names.plural).exists():
            raise ModuleError(f"{folder / names.plural} already exists")
    for models in domain_modules("models"):
        for value in vars(models).values():
            stored_as = getattr(value, "__tablename__", None) or getattr(
                value, "collection_name", None
            )
            if stored_as == names.plural:
                raise ModuleError(f"{models.__name__} already stores {names.plural!r}")
    camel = names.tokens["Singular"]
    for schema in domain_modules("schema"):
        if f"{camel}Public" in vars(schema):
            raise ModuleError(f"{schema.__name__} already defines {camel}Public: choose another")


def next_code_block() -> int:
    """The first block of a thousand no domain uses (8xxx and 9xxx are common codes)."""
    used = {member.code // 1000 for family in code_families() for member in family}
    block = next(b for b in range(1, 1000) if b not in used and b not in RESERVED_BLOCKS)
    return block * 1000


def render(template: str, tokens: Mapping[str, str], parts: Collection[str] = ()) -> str:
    """The template with its tokens replaced, and its optional sections kept for `parts`."""
    template = _SECTION.sub(lambda match: match[2] if match[1] in parts else "", template)
    for name, value in tokens.items():
        template = template.replace(f"{{{{{name}}}}}", value)
    leftover = re.search(r"\{\{[#/]?\w+\}\}", template)
    if leftover:
        raise ModuleError(f"template token {leftover.group()} has no value")
    return template


def _registry_with(names: Names) -> str:
    text = REGISTRY.read_text()
    if _REGISTRY_TUPLE.search(text) is None:
        raise ModuleError(f"cannot find the DOMAINS tuple in {REGISTRY}: add the line yourself")
    return _REGISTRY_TUPLE.sub(lambda match: f'{match.group(1)}    "{names.plural}",\n)', text)


class Changes:
    """What the generator wrote, so a failure can put everything back."""

    def __init__(self) -> None:
        self.created: list[Path] = []
        self.originals: dict[Path, str] = {}

    def create(self, path: Path, text: str) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        self.created.append(path)
        path.write_text(text)

    def edit(self, path: Path, text: str) -> None:
        self.originals.setdefault(path, path.read_text())
        path.write_text(text)

    def undo(self) -> None:
        for path, text in self.originals.items():
            path.write_text(text)
        for path in reversed(self.created):
            path.unlink(missing_ok=True)
            for folder in path.parents:
                if folder == Path(".") or any(folder.iterdir()):
                    break
                folder.rmdir()


# Runs a module (`-m` dropped) or a script with the new domain registered in that process only:
# the registry file is written last (see the module docstring).
_REGISTERED = """
import runpy, sys
import app.domains
app.domains.DOMAINS = (*app.domains.DOMAINS, sys.argv.pop(1))
target = sys.argv[1]
del sys.argv[0]
if target.endswith(".py"):
    runpy.run_path(target, run_name="__main__")
else:
    runpy.run_module(target, run_name="__main__", alter_sys=True)
"""


def _python_registered(
    names: Names, target: str, *args: str, env: Mapping[str, str] | None = None
) -> None:
    _python("-c", _REGISTERED, names.plural, target, *args, env=env)


def _python(*args: str, env: Mapping[str, str] | None = None) -> None:
    result = subprocess.run(
        [sys.executable, *args],
        env={**os.environ, **(env or {}), "PYTHONPATH": str(Path("src").resolve())},
        capture_output=True,
        text=True,
    )
    if result.returncode:
        raise ModuleError(f"{' '.join(args)} failed:\n{result.stdout}{result.stderr}")


@contextmanager
def _throwaway_postgresql() -> Iterator[str]:
    stack = DevStack(only={"postgresql"})
    try:
        yield stack.start()["POSTGRESQL_URL"]
    except DevStackError as error:
        raise ModuleError(f"cannot start a throw-away PostgreSQL: {error}") from None
    finally:
        stack.stop()


def generate_migration(names: Names, changes: Changes) -> Path:
    """Autogenerate the new table's migration against a fresh database at head."""
    versions = Path("src/app/db/postgresql/migrations/versions")
    revision = f"{len(list(versions.glob('*.py'))) + 1:04d}"
    with _throwaway_postgresql() as url:
        env = {"ENVIRONMENT": "testing", "POSTGRESQL_URL": url}
        _python("-m", "app.db.postgresql.migrate", env=env)
        alembic = ["alembic", "-c", "alembic.ini", "revision", "--autogenerate"]
        rev = ["--rev-id", revision, "-m", f"create {names.plural}"]
        _python_registered(names, *alembic, *rev, env=env)
    [migration] = versions.glob(f"{revision}_*.py")
    changes.created.append(migration)
    return migration


@dataclass(frozen=True)
class DevData:
    """Where `make run` keeps its stores (DATA_DIR), and the settings file it reads (ENV_FILE)."""

    data_dir: Path
    env_file: Path

    def migrate_if_running(self) -> bool:
        """Apply the migrations to the PostgreSQL of the stack running on the data dir (`make
        run`, joined as `make migrate` would); False when none runs there."""
        if not running_on(self.data_dir):
            return False
        stack = ["--env-file", str(self.env_file), "--data-dir", str(self.data_dir)]
        migrate = [sys.executable, "-m", "app.db.postgresql.migrate"]
        _python("scripts/devstack.py", "run", *stack, "--needs", "postgresql", "--", *migrate)
        return True


def generate(
    names: Names, store: str, parts: Collection[str] = (), dev_data: DevData | None = None
) -> tuple[list[Path], bool]:
    """Write the slice (with the optional `parts`, e.g. "consumer"), regenerate what reads the
    registry and register it; all or nothing. Answers the files created, and whether the
    PostgreSQL of a running `make run` got the new table."""
    check_free(names)
    block = next_code_block()
    tokens = names.tokens | {f"code{n}": str(block + n) for n in range(3)}
    tokens |= {
        f"sample_id{n}": str(uuid.uuid5(_SAMPLE_NAMESPACE, f"{names.plural}:{n}"))
        for n in range(1, 4)
    }
    registry = _registry_with(names)
    folders = [TEMPLATES / store, *(OPTIONAL_TEMPLATES[part] for part in sorted(parts))]
    source = Path("src/app/domains") / names.plural
    tests = Path("tests/domains") / names.plural
    changes = Changes()
    try:
        for template in sorted(path for folder in folders for path in folder.glob("*.py.tmpl")):
            name = template.name.removesuffix(".tmpl")
            target = tests / name if name.startswith("test_") else source / name
            changes.create(target, render(template.read_text(), tokens, parts))
        changes.create(tests / "__init__.py", "")
        for generated in (Path("docs/error-codes.md"), Path("openapi.json")):
            changes.originals.setdefault(generated, generated.read_text())
            _python_registered(names, f"scripts/{_GENERATORS[generated.name]}")
        if store == "postgres":
            generate_migration(names, changes)
        written = [path for path in changes.created if path.suffix == ".py"]
        ruff = ["-m", "ruff"]
        files = [str(path) for path in written]
        _python(*ruff, "check", "--select", "I", "--fix", "--force-exclude", "--quiet", *files)
        _python(*ruff, "format", "--force-exclude", "--quiet", *files)
        _python(*ruff, "check", "--force-exclude", "--quiet", *files)
        migrated = store == "postgres" and dev_data is not None and dev_data.migrate_if_running()
        changes.edit(REGISTRY, registry)
    except BaseException:
        changes.undo()
        raise
    return changes.created, migrated


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make module", description=__doc__)
    parser.add_argument("--name", required=True, help="plural, snake_case (e.g. authors)")
    parser.add_argument("--store", required=True, help="postgres or mongo")
    parser.add_argument("--singular", help="when the plural's singular is not regular")
    parser.add_argument(
        "--consumer", action="store_true", help="with the queue consumer <name>-import"
    )
    parser.add_argument(
        "--data-dir", type=Path, default=Path(".local"), help="make run's DATA_DIR (migrated)"
    )
    parser.add_argument("--env-file", type=Path, default=Path(".env"), help="make run's ENV_FILE")
    args = parser.parse_args(argv)
    os.chdir(ROOT)
    try:
        store = STORES.get(args.store.lower())
        if store is None:
            raise ModuleError(f"store={args.store!r}: use store=postgres or store=mongo")
        names = check_names(args.name, args.singular)
        dev_data = DevData(args.data_dir.resolve(), args.env_file.resolve())
        created, migrated = generate(
            names, store, {"consumer"} if args.consumer else set(), dev_data
        )
    except ModuleError as error:
        print(f"make module: {error}\nNothing was changed.", file=sys.stderr)
        return 2
    for path in created:
        print(f"  created  {path}")
    print(f"  edited   {REGISTRY} (registered {names.plural!r}), docs/error-codes.md, openapi.json")
    route = names.tokens["path"]
    served = "is served by `make run`"
    if migrated:
        served += f" (its table was made in the PostgreSQL of the `make run` on {args.data_dir})"
    elif store == "postgres":
        served += " (which makes its table when it starts; `make migrate` if it runs already)"
    print(
        f"\n/v1/{route} {served}. Next: `make lint` and `make test`; then give it its fields"
        f" (models.py, schema.py) and, for PostgreSQL, `make revision m=...`."
    )
    if args.consumer:
        print(f"Its consumer takes the queue {route}-import (make run creates it locally).")
    return 0


if __name__ == "__main__":
    sys.exit(main())

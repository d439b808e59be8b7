"""An environment's section of infra/samconfig.toml, and its `parameter_overrides` read and
written the way the SAM CLI reads them.

The SAM CLI splits `--parameter-overrides` on spaces, refuses `Name=` on its own and drops it
beside other overrides, so CD refuses an empty unquoted value (a store is dropped with `none`),
and any value with a space or a quote, rather than deploy something else than written.
"""

import tomllib
from dataclasses import dataclass
from pathlib import Path

from scripts.cd.errors import CdError

SAMCONFIG = Path(__file__).parents[2] / "infra" / "samconfig.toml"
STORES = {
    "PostgresqlUrlSecretName": "PostgreSQL",
    "MongoUrlSecretName": "MongoDB",
    "RedisUrlSecretName": "Redis",
}
DROPPED = "none"
_EMPTY = '""'


@dataclass(frozen=True)
class EnvironmentConfig:
    environment: str
    stack_name: str
    parameters: dict[str, str]

    @property
    def architecture(self) -> str:
        return self.parameters.get("Architecture", "x86_64")

    @property
    def python_version(self) -> str:
        return self.parameters.get("PythonVersion", "3.12")

    @property
    def snap_start(self) -> bool:
        return self.parameters.get("SnapStart") == "true"

    def stores(self) -> dict[str, bool]:
        """Each store, and whether this environment uses it (its secret is named)."""
        return {
            store: self.parameters.get(name, DROPPED) not in {DROPPED, ""}
            for name, store in STORES.items()
        }


def parse_override(entry: str) -> tuple[str, str]:
    name, equals, value = entry.partition("=")
    if not equals or not name.isidentifier():
        raise CdError(f"parameter override {entry!r} is not Name=Value")
    if value == "":
        hint = f"{name}={DROPPED}" if name in STORES else f'{name}=""'
        raise CdError(
            f"{entry!r}: the SAM CLI refuses an empty value, or drops it beside other overrides "
            f"and keeps the stack's previous one; write {hint}"
        )
    if value == _EMPTY:
        if name in STORES:
            raise CdError(f"{entry!r}: a store is dropped with {name}={DROPPED}")
        return name, ""
    check_value(name, value)
    return name, value


def check_value(name: str, value: str) -> None:
    if any(character.isspace() or character in "\"'" for character in value):
        raise CdError(
            f"parameter {name}: the SAM CLI would cut or misread a value with a space or a quote"
        )


def render(parameters: dict[str, str]) -> list[str]:
    """The `--parameter-overrides` arguments that the SAM CLI reads back as `parameters`."""
    for name, value in parameters.items():
        check_value(name, value)
    return [f"{name}={value or _EMPTY}" for name, value in parameters.items()]


def load(environment: str, path: Path = SAMCONFIG) -> EnvironmentConfig:
    with path.open("rb") as config_file:
        sections = tomllib.load(config_file)
    if environment not in sections:
        raise CdError(f"{path.name} has no [{environment}.deploy.parameters] section")
    settings = sections[environment]["deploy"]["parameters"]
    parameters = dict(map(parse_override, settings["parameter_overrides"]))
    return EnvironmentConfig(environment, settings["stack_name"], parameters)

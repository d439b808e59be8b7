"""`.env.example` and the README list every setting the app reads."""

from pathlib import Path

from app.core.settings.base import BaseAppSettings

ROOT = Path(__file__).parents[2]


def _setting_names() -> set[str]:
    return {name.upper() for name in BaseAppSettings.model_fields}


def test_env_example_lists_every_setting() -> None:
    listed = {
        line.split("=", 1)[0]
        for line in (ROOT / ".env.example").read_text().splitlines()
        if line and not line.startswith("#")
    }
    assert listed == _setting_names()


def test_readme_lists_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    missing = sorted(name for name in _setting_names() if f"`{name}`" not in readme)
    assert not missing

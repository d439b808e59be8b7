"""`make rename`: the service's name changes in every file that carries it, and the
infrastructure still validates."""

import json
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from scripts import rename_service

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for path in (*rename_service.FILES, *rename_service.SETTINGS):
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    return tmp_path


def test_the_name_changes_everywhere_and_the_template_still_validates(copy: Path) -> None:
    old = rename_service.current_name(copy)
    carrying = {path for path in rename_service.FILES if old in (copy / path).read_text()}

    written = rename_service.rename(copy, "orders-api")

    assert set(written) == carrying | set(rename_service.SETTINGS)
    for path in (*rename_service.FILES, *rename_service.SETTINGS):
        assert old not in (copy / path).read_text(), path
    assert rename_service.current_name(copy) == "orders-api"
    samconfig = tomllib.loads((copy / "infra/samconfig.toml").read_text())
    assert samconfig["production"]["deploy"]["parameters"]["stack_name"] == "orders-api-production"
    policy = (copy / "infra/iam/cd-policy.json").read_text()
    assert "function:orders-api-*" in json.dumps(json.loads(policy))
    assert 'default="orders-api"' in (copy / "src/app/core/settings/base.py").read_text()
    assert "SERVICE_NAME=orders-api\n" in (copy / ".env.example").read_text()
    assert json.loads((copy / "openapi.json").read_text())["info"]["title"] == "orders-api"
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    lint = subprocess.run([str(cfn_lint), "--", str(copy / "infra/template.yaml")], check=False)
    assert lint.returncode == 0

    # and again, from the new name
    rename_service.rename(copy, "billing")
    assert "orders-api" not in (copy / "infra/samconfig.toml").read_text()


@pytest.mark.parametrize("name", ["Orders", "orders_api", "9lives", "orders-", "a--b", "x" * 42])
def test_a_bad_name_changes_nothing(copy: Path, name: str) -> None:
    before = {path: (copy / path).read_text() for path in rename_service.FILES}
    with pytest.raises(rename_service.RenameError, match="not a service name"):
        rename_service.rename(copy, name)
    assert before == {path: (copy / path).read_text() for path in rename_service.FILES}


def test_the_command_reports_what_it_changed(copy: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(rename_service, "ROOT", copy)
    assert rename_service.main(["--name", "orders-api"]) == 0
    assert rename_service.main(["--name", "orders-api"]) == 2  # already so called

"""docs/configuration.md documents every environment variable the settings read."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
READERS = {"env_str", "env_bool", "env_int", "env_list"}


def _variables_read_by_settings() -> set[str]:
    names = set()
    for path in (ROOT / "thuiszitters" / "settings").glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in READERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                names.add(node.args[0].value)
    return names


def test_every_environment_variable_is_documented():
    names = _variables_read_by_settings()
    assert {"SECRET_KEY", "DATABASE_URL", "CELERY_BROKER_URL"} <= names
    text = (ROOT / "docs" / "configuration.md").read_text()
    missing = sorted(name for name in names if f"`{name}`" not in text)
    assert not missing, f"not in docs/configuration.md: {missing}"

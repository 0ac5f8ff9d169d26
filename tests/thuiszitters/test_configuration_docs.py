"""docs/configuration.md documents every environment variable the settings read."""

import importlib
from pathlib import Path

from thuiszitters.settings import env

DOCS = Path(__file__).resolve().parents[2] / "docs" / "configuration.md"


def test_every_environment_variable_is_documented(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 20 + "abcdefghijklmnopqrstuvwxyz0123456789")
    monkeypatch.delenv("DEBUG", raising=False)
    for module in ("base", "dev", "test", "production"):
        importlib.import_module(f"thuiszitters.settings.{module}")
    text = DOCS.read_text()
    missing = [name for name in env.REGISTRY if f"`{name}`" not in text]
    assert not missing, f"not in docs/configuration.md: {missing}"

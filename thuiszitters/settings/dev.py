"""Local development: the embedded default (SQLite, filesystem broker, demo data)."""

from .base import *  # noqa: F403
from .env import env_bool

DEBUG = env_bool("DEBUG", True, help="Django debug mode. Never on in production.")

"""Thuiszitters: the project package and the cross-cutting core.

The Celery app is imported here so that ``shared_task`` binds to it in every process.
"""

from .celery import app as celery_app

__all__ = ("celery_app",)

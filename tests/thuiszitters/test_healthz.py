import pytest
from django.urls import reverse

from thuiszitters import views
from thuiszitters.tasks import heartbeat


def test_healthz_reports_database_broker_and_cache(client, db):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"] == {"database": "ok", "broker": "ok", "cache": "ok"}
    assert body["celery_heartbeat_age_seconds"] is None


def test_healthz_shows_the_age_of_the_last_heartbeat(client, db):
    heartbeat.run()
    body = client.get(reverse("healthz")).json()
    assert 0 <= body["celery_heartbeat_age_seconds"] < 5


def _refuse(*args, **kwargs):
    raise ConnectionRefusedError("down")


def test_healthz_is_degraded_not_503_when_the_broker_is_unreachable(client, db, monkeypatch):
    from thuiszitters.celery import app

    monkeypatch.setattr(app, "connection_for_write", _refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "broker": "error", "cache": "ok"}


def test_healthz_is_degraded_not_503_when_the_cache_is_unreachable(client, db, monkeypatch):
    # A real Redis that stops: tests/thuiszitters/test_redis_down.py.
    monkeypatch.setattr(views, "cache_ping", _refuse)
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["checks"] == {"database": "ok", "broker": "ok", "cache": "error"}


def test_healthz_is_503_when_the_database_is_unreachable(client, db, monkeypatch):
    class NoDatabase:
        cursor = staticmethod(_refuse)

    monkeypatch.setattr(views, "connection", NoDatabase())
    response = client.get(reverse("healthz"))
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "error"
    assert body["checks"]["database"] == "error"
    assert body["database_jit"] is None


@pytest.mark.parametrize("header", [{}, {"HTTP_X_FORWARDED_PROTO": "http"}])
def test_healthz_needs_no_login(client, db, header):
    assert client.get(reverse("healthz"), **header).status_code == 200


def test_healthz_says_whether_postgresql_jit_is_off(client, db):
    from django.db import connection

    body = client.get(reverse("healthz")).json()
    if connection.vendor == "postgresql":
        assert body["database_jit"] == "off"  # the settings turn it off for the app
    else:
        assert body["database_jit"] is None


def test_the_jit_check_warns_when_jit_is_on(db, monkeypatch):
    from thuiszitters import checks

    monkeypatch.setattr(checks, "database_jit", lambda alias="default": "on")
    assert [w.id for w in checks.check_jit_off(databases=["default"])] == ["thuiszitters.W010"]
    monkeypatch.setattr(checks, "database_jit", lambda alias="default": "off")
    assert checks.check_jit_off(databases=["default"]) == []


def test_the_application_connections_assume_data_in_memory(db):
    """``DB_RANDOM_PAGE_COST`` (1.1 by default) reaches PostgreSQL: with its own default of 4
    the planner read every pupil of a region to list one school's (docs/deployment.md)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("a PostgreSQL setting")
    with connection.cursor() as cursor:
        cursor.execute("SHOW random_page_cost")
        assert cursor.fetchone()[0] == "1.1"

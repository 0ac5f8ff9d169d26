"""The production storage of static files (thuiszitters/storage.py): whitenoise's hashed
URLs, each worked out once per process."""

import json

import pytest

from thuiszitters.storage import StaticFilesStorage


@pytest.fixture
def storage(tmp_path, settings):
    settings.DEBUG = False
    settings.STATIC_URL = "/static/"
    manifest = {"version": "1.1", "paths": {"css/app.css": "css/app.0123456789ab.css"}}
    (tmp_path / "staticfiles.json").write_text(json.dumps(manifest))
    return StaticFilesStorage(location=tmp_path, base_url="/static/")


def test_a_url_is_the_hashed_name_and_is_kept(storage):
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    storage.hashed_files["css/app.css"] = "css/app.ffffffffffff.css"  # (never while serving)
    assert storage.url("css/app.css") == "/static/css/app.0123456789ab.css"
    assert storage.url("css/app.css", force=True) == "/static/css/app.ffffffffffff.css"


def test_a_name_missing_from_the_manifest_is_refused_every_time(storage):
    for _ in range(2):
        with pytest.raises(ValueError, match="Missing staticfiles manifest entry"):
            storage.url("css/nothing.css")

"""The REST API: authentication, organisation tokens, JSON errors, schema and docs."""

import pytest
from django.urls import reverse

from thuiszitters.models import ApiToken
from thuiszitters.roles import RoleCode
from thuiszitters.services import api_token_create, api_token_revoke

from ..factories.users import SETUP


@pytest.fixture
def token(world):
    return api_token_create(organisation=world.school, name="ParnasSys", actor=SETUP)


def test_anonymous_api_request_gets_json_401_not_a_login_redirect(world, client):
    response = client.get(reverse("school-list"))
    assert response.status_code in (401, 403)
    body = response.json()
    assert set(body) == {"status", "code", "detail", "fields"}


def test_organisation_token_authenticates_as_its_service_account(world, client, token):
    api_token, key = token
    response = client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}")
    assert response.status_code == 200
    me = response.json()
    assert me["is_service_account"] is True
    assert [m["organisation"] for m in me["memberships"]] == [world.school.pk]
    schools = client.get(reverse("school-list"), HTTP_AUTHORIZATION=f"Token {key}").json()
    assert [s["name"] for s in schools["results"]] == ["School A1"]
    api_token.refresh_from_db()
    assert api_token.last_used_at is not None
    assert api_token.key_hash != key and key not in api_token.prefix


def test_token_cannot_read_colleagues_or_audit_log(world, client, token):
    _, key = token
    assert client.get(reverse("user-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 403
    assert (
        client.get(reverse("auditlogentry-list"), HTTP_AUTHORIZATION=f"Token {key}").status_code
        == 403
    )


def test_revoked_or_wrong_token_is_refused(world, client, token):
    api_token, key = token
    wrong = client.get(reverse("user-me"), HTTP_AUTHORIZATION="Token tz_nonsense")
    assert wrong.status_code == 401
    assert wrong.json()["code"] == "authentication_failed"
    api_token_revoke(token=api_token, actor=SETUP, reason="lekt")
    assert client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    assert ApiToken.objects.get(pk=api_token.pk).revoked_at is not None


def test_service_account_cannot_log_in_with_a_password(world, client, token):
    api_token, _ = token
    api_token.user.set_password("some-password-123")
    api_token.user.save(update_fields=["password"])
    response = client.post(
        reverse("login"), {"username": api_token.user.email, "password": "some-password-123"}
    )
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_invalid_filter_gives_field_level_json_error(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get(reverse("organisation-list"), {"kind": "bogus"})
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert "kind" in body["fields"] and body["fields"]["kind"]


def test_not_found_is_json(world, user_with_role, login):
    client = login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.get("/api/v1/nothing-here/")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_session_api_writes_need_csrf(world, user_with_role):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(user_with_role(RoleCode.SWV_DIRECTOR))
    response = client.post(reverse("organisation-list"), {})
    assert response.status_code == 403


def test_openapi_schema_and_docs_are_served_without_cdn(client, db):
    schema = client.get(reverse("api-schema"), HTTP_ACCEPT="application/json")
    assert schema.status_code == 200
    doc = schema.json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/v1/organisations/", "/api/v1/schools/", "/api/v1/users/me/"):
        assert path in doc["paths"]
    assert "organisationToken" in doc["components"]["securitySchemes"]
    docs = client.get(reverse("api-docs"))
    assert docs.status_code == 200
    html = docs.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower() and "jsdelivr" not in html.lower()


def test_token_commands_create_and_revoke(world, client):
    from io import StringIO

    from django.core.management import CommandError, call_command

    out = StringIO()
    call_command(
        "create_api_token", "--organisation", str(world.school.pk), "--name", "ESIS", stdout=out
    )
    key = out.getvalue().strip().splitlines()[-1]
    assert client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 200
    token = ApiToken.objects.get(name="ESIS")
    call_command("revoke_api_token", token.prefix, "--reason", "vervangen", stdout=StringIO())
    assert client.get(reverse("user-me"), HTTP_AUTHORIZATION=f"Token {key}").status_code == 401
    with pytest.raises(CommandError, match="past niet"):
        call_command("create_api_token", "--organisation", str(world.care.pk), "--name", "X")
